-- The files of each station: a file belongs to every station its records name.
select distinct file_id, station
from record_counts
where station is not null
