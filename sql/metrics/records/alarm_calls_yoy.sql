-- 报警类110警情: alerts whose 警情性质 is 报警
select alert_id as record_id, compound, alarm_date as event_date, null::date as done_date, false as is_done_undated
from stg_alerts
where nature = '报警'
