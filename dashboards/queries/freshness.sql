-- Data freshness: the latest record and the latest export per source (the station's records
-- when the output is for one station)
select '110警情' as source, max(alarm_at) as latest_record, max(export_at) as latest_export, count(*) as records
from alerts
where in_scope_unit(unit)
union all
select '刑事案件', max(event_at), max(export_at), count(*) from cases where case_kind = 'criminal' and in_scope_unit(unit)
union all
select '治安案件', max(event_at), max(export_at), count(*) from cases where case_kind = 'public_order' and in_scope_unit(unit)
union all
select '实有人口', max(registered_at)::timestamp, max(export_at), count(*) from residents
where in_scope_unit(unit)
