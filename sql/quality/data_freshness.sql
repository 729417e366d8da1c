-- Per source (110警情, 刑事案件, 治安案件, 实有人口): the latest record and the latest export
-- loaded, and how many records. $station: one station's units (NULL: everything).
with

counted as (
    select
        source,
        max(latest_record) as latest_record,
        max(latest_export) as latest_export,
        sum(records)::bigint as records
    from record_counts
    where unit_in_station(unit, $station)
    group by source
)

select sources.label as source, counted.latest_record, counted.latest_export, coalesce(counted.records, 0) as records
from record_sources as sources
left join counted using (source)
order by sources.position
