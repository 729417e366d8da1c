-- The 管辖单位 spellings of each station, as the records write them.
select distinct unit, station
from record_counts
where unit is not null and station is not null
