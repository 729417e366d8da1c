-- 涉赌警情: alerts of type 赌博, any nature except 无效
select alert_id as record_id, compound, alarm_date as event_date, null::date as done_date, false as is_done_undated
from stg_alerts
where offence = '赌博' and not is_invalid
