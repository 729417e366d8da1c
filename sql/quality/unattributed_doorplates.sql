-- Registry upkeep: the doorplates of records in no compound, most frequent first, with the
-- count per source and the compound the registry suggests (it owns the nearest numbers on
-- both sides on the same road) — addresses the 小区名册 lacks, for the analyst to add. A
-- suggestion is never an attribution. Each record keeps its doorplate and suggestion from
-- attribution (pipeline/ingest/attribute.py). $station: one station's units (NULL:
-- everything); $limit: how many doorplates.
with

per_source as (
    select doorplate, kind, source, any_value(suggestion) as suggestion, count(*) as records
    from loaded_records
    where compound is null and doorplate is not null and unit_in_station(unit, $station)
    group by doorplate, kind, source
)

select
    per_source.doorplate,
    sum(per_source.records)::bigint as records,
    string_agg(sources.label || ' ' || per_source.records, '、' order by sources.position) as by_source,
    any_value(per_source.suggestion) as suggestion
from per_source
join record_sources as sources on sources.kind = per_source.kind and sources.source = per_source.source
group by per_source.doorplate
order by records desc, per_source.doorplate
limit $limit
