-- 实有人口采集登记率: residents registered in the compound (the denominator is the
-- registry's 实有人口底数); every record is "done"
select person_id as record_id, compound, registered_date as event_date, registered_date as done_date, true as is_done_undated
from stg_residents
