-- compounds and compound_addresses from the registry rows (latest_registry_rows), after
-- registry rows load (pipeline/sources/compound_registry.py).
delete from compound_addresses;

delete from compounds;

insert into compound_addresses
select compound_name, address, buildings, units, source_file, source_row
from latest_registry_rows
order by compound_name, source_row;

insert into compounds
select
    compound_name as compound,
    max(community),
    max(street),
    max(unit),
    max(compound_group),
    max(population_base),
    max(aliases),
    sum(buildings),
    sum(units),
    count(distinct address),
    min(source_file),
    max(export_at)
from latest_registry_rows
group by compound_name
order by compound_name;
