-- Data freshness: the latest record and the latest export per source
select '110警情' as source, max(alarm_at) as latest_record, max(export_at) as latest_export, count(*) as records
from alerts
union all
select '刑事案件', max(event_at), max(export_at), count(*) from cases where case_kind = 'criminal'
union all
select '治安案件', max(event_at), max(export_at), count(*) from cases where case_kind = 'public_order'
union all
select '实有人口', max(registered_at)::timestamp, max(export_at), count(*) from residents
