-- 纠纷警情: alerts whose category or type is 纠纷
select alert_id as record_id, compound, alarm_date as event_date, null::date as done_date, false as is_done_undated
from stg_alerts
where category = '纠纷' or offence = '纠纷'
