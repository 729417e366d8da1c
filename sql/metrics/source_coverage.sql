-- source_coverage: per source (alerts, criminal, public_order, residents) and station, the
-- last day the loaded exports are complete, and on what that rests:
--   标题行 / 文件名  the export time the file states (export_coverage): the day before it
--   最后记录日期      an export that states no time: its last record (the file's modification
--                   time is no evidence — copying a file into the inbox changes it)
-- The newest export of a series wins (max). station null: exports naming no unit.
with

stated as (
    select source, station, covered_to, basis, export_at
    from export_coverage
),

unstated as (
    select
        source,
        station,
        max(latest_record)::date as covered_to,
        '最后记录日期' as basis,
        null::timestamp as export_at
    from record_counts
    where file_id not in (select file_id from export_coverage)
    group by source, station
),

final as (
    select
        source,
        station,
        max(covered_to) as covered_to,
        arg_max(basis, covered_to) as basis,
        max(export_at) as latest_export
    from (select * from stated union all by name select * from unstated)
    group by source, station
)

select * from final
