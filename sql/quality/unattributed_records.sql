-- Per source kind of records: how many are in no compound of the registry, of how many.
-- $station: one station's units (NULL: everything).
select
    sources.kind,
    coalesce(sum(counts.records) filter (where counts.compound is null), 0)::bigint as unattributed,
    coalesce(sum(counts.records), 0)::bigint as records
from (select kind, min(position) as position from record_sources group by kind) as sources
left join record_counts as counts on counts.kind = sources.kind and unit_in_station(counts.unit, $station)
group by sources.kind, sources.position
order by sources.position
