-- The scope of an output: one station's compounds, files and units, or everything when the
-- station is NULL. Every output query takes its station as a parameter and filters with these.
create or replace macro compound_in_station(of_compound, of_station) as
    of_station is null
    or of_compound in (select compound from compound_stations where station = of_station);

create or replace macro file_in_station(of_file, of_station) as
    of_station is null
    or of_file in (select file_id from station_files where station = of_station);

create or replace macro unit_in_station(of_unit, of_station) as
    of_station is null
    or of_unit in (select unit from unit_stations where station = of_station);
