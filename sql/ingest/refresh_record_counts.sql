-- record_counts for the files $file_ids (NULL: every file), then compound_stations.
-- Run by the ingest inside the transaction that changed the records (pipeline/ingest/census.py).
delete from record_counts
where $file_ids is null or list_contains($file_ids, file_id);

insert into record_counts
select
    kind,
    source,
    file_id,
    unit,
    station_name(unit) as station,
    compound,
    count(*) as records,
    max(record_at) as latest_record,
    max(export_at) as latest_export
from loaded_records
where $file_ids is null or list_contains($file_ids, file_id)
group by all;

-- The station (管辖单位) of each compound: the registry's, else the one most of its
-- attributed records name (ties: the first name in sort order). A compound whose station is
-- unknown appears only in the bureau-wide outputs.
delete from compound_stations;

insert into compound_stations
with

counted as (
    select
        compound,
        station,
        row_number() over (partition by compound order by sum(records) desc, station) as rank
    from record_counts
    where compound is not null and station is not null
    group by compound, station
)

select
    compounds.compound,
    coalesce(station_name(compounds.unit), counted.station) as station,
    case
        when station_name(compounds.unit) is not null then 'registry'
        when counted.station is not null then 'records'
    end as station_source
from compounds
left join counted on counted.compound = compounds.compound and counted.rank = 1;
