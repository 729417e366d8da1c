-- Per source (110警情, 刑事案件, 治安案件, 实有人口): the last day the loaded exports cover
-- for the scope of an output ($station: one station; NULL: the earliest of every station,
-- the day that limits the figures), what it rests on (标题行 / 文件名: the export time the
-- files state; 最后记录日期: the last record, when they state none), and the newest
-- station's day. What the dashboard header and the report's 摘要 say as "数据截至 …".
with

everywhere as (
    -- exports naming no unit cover every station
    select source, max(covered_to) as covered_to, arg_max(basis, covered_to) as basis
    from source_coverage
    where station is null
    group by source
),

own as (
    select source, station, covered_to, basis
    from source_coverage
    where station is not null
),

effective as (
    select
        own.source,
        own.station,
        greatest(own.covered_to, coalesce(everywhere.covered_to, own.covered_to)) as covered_to,
        case when everywhere.covered_to > own.covered_to then everywhere.basis else own.basis end as basis
    from own
    left join everywhere using (source)
    union all
    select source, null as station, covered_to, basis
    from everywhere
),

scoped as (
    -- the stations of the scope; where none has its own exports, the exports naming no unit
    select *
    from effective
    where ($station is null and station is not null)
       or station = $station
       or (station is null and source not in (
           select source from effective where station is not null and ($station is null or station = $station)))
),

per_source as (
    select source, min(covered_to) as covered_to, arg_min(basis, covered_to) as basis, max(covered_to) as newest
    from scoped
    group by source
)

select sources.source, sources.label, per_source.covered_to, per_source.basis, per_source.newest
from record_sources as sources
left join per_source using (source)
order by sources.position
