-- Data freshness: the latest record and the latest export per source (the station's records
-- when the output is for one station), from the run's per-unit counts (sql/scope/prepare.sql)
with

sources as (
    select * from (values (1, 'alerts', '110警情'), (2, 'criminal', '刑事案件'),
                          (3, 'public_order', '治安案件'), (4, 'residents', '实有人口')) as t(position, source, label)
),

counted as (
    select source, max(latest_record) as latest_record, max(latest_export) as latest_export,
           sum(records)::bigint as records
    from unit_records
    where in_scope_unit(unit)
    group by source
)

select sources.label as source, counted.latest_record, counted.latest_export, coalesce(counted.records, 0) as records
from sources
left join counted using (source)
order by sources.position
