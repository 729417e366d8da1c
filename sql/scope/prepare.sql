-- Built once before the outputs of a run (one scan of each record table): the records
-- counted per source, file and unit, and from them which compounds and which files belong
-- to each station (a file belongs to every station its records name). Per-station queries
-- then read these few thousand rows instead of scanning millions of records each time.
create or replace temp table unit_records as
    select 'alerts' as source, file_id, unit,
           max(alarm_at) as latest_record, max(export_at) as latest_export,
           count(*) as records, count(*) filter (where compound is null) as unattributed
    from alerts group by all
    union all
    select case_kind, file_id, unit, max(event_at), max(export_at), count(*), count(*) filter (where compound is null)
    from cases group by all
    union all
    select 'residents', file_id, unit, max(registered_at)::timestamp, max(export_at), count(*),
           count(*) filter (where compound is null)
    from residents group by all;

create or replace temp table unit_stations as
    select unit, station_name(unit) as station
    from (select distinct unit from unit_records where unit is not null);

create or replace temp table station_compounds as
    select compound, station from compound_stations where station is not null;

create or replace temp table station_files as
    select distinct records.file_id, units.station
    from unit_records as records
    join unit_stations as units using (unit)
    where units.station is not null;
