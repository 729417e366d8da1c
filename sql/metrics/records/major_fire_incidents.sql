-- 重大火灾事故: alerts whose category or type is 火灾 (火灾事故 too, whatever the category),
-- marked 是否重大 = 是
select alert_id as record_id, compound, alarm_date as event_date, null::date as done_date, false as is_done_undated
from stg_alerts
where is_fire and is_major
