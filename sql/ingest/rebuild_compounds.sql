-- compounds and compound_addresses from the registry rows, after registry rows load
-- (pipeline/sources/compound_registry.py). The addresses are latest_registry_rows; each
-- compound-level column comes from the newest row that fills it, so a file that leaves
-- 实有人口底数 empty never erases a known one (registry_disagreements lists what files
-- disagree on).
delete from compound_addresses;

delete from compounds;

insert into compound_addresses
select compound_name, address, buildings, units, source_file, source_row
from latest_registry_rows
order by compound_name, source_row;

insert into compounds
with

newest as (
    select
        compound_name,
        arg_max(community, struct_pack(export_at, file_id, source_row)) filter (where community is not null)
            as community,
        arg_max(street, struct_pack(export_at, file_id, source_row)) filter (where street is not null) as street,
        arg_max(unit, struct_pack(export_at, file_id, source_row)) filter (where unit is not null) as unit,
        arg_max(compound_group, struct_pack(export_at, file_id, source_row)) filter (
            where compound_group is not null
        ) as compound_group,
        arg_max(population_base, struct_pack(export_at, file_id, source_row)) filter (
            where population_base is not null
        ) as population_base,
        arg_max(aliases, struct_pack(export_at, file_id, source_row)) filter (where aliases is not null) as aliases
    from registry_rows
    group by compound_name
),

owned as (
    select
        compound_name,
        sum(buildings) as buildings,
        sum(units) as units,
        count(distinct address) as address_count,
        min(source_file) as source_file,
        max(export_at) as export_at
    from latest_registry_rows
    group by compound_name
)

select
    owned.compound_name as compound,
    newest.community,
    newest.street,
    newest.unit,
    newest.compound_group,
    newest.population_base,
    newest.aliases,
    owned.buildings,
    owned.units,
    owned.address_count,
    owned.source_file,
    owned.export_at
from owned
join newest using (compound_name)
order by compound;
