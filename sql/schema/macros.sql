-- station_name(unit): the station a 管辖单位 value names — `510102 沙河派出所` and
-- `510102-沙河派出所` are 沙河派出所.
create or replace macro station_name(unit) as
    nullif(trim(regexp_replace(unit, '^[A-Za-z]?[0-9]{2,12}\s*[-－—_:：\s]\s*', '')), '');
