-- The stations (管辖单位) the loaded alerts and cases name, most records first: the title of
-- the report. $station: one station's units (NULL: every unit).
select unit, sum(records)::bigint as records
from record_counts
where source <> 'residents' and unit is not null and unit_in_station(unit, $station)
group by unit
order by records desc, unit
