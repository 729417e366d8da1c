-- Built once before the outputs of a run: which compounds and which files belong to each
-- station (a file belongs to every station its records name).
create or replace temp table station_compounds as
    select compound, station from compound_stations where station is not null;

create or replace temp table station_files as
    select distinct file_id, station_name(unit) as station from alerts where unit is not null
    union
    select distinct file_id, station_name(unit) from cases where unit is not null
    union
    select distinct file_id, station_name(unit) from residents where unit is not null;
