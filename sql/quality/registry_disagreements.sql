-- Registry upkeep: where two registry files give one compound different values (实有人口底数
-- 800 in one, 950 in a newer one). The newest file's value is in use (in_use); the others
-- are listed so the analyst can check which is right. $station: one station's compounds
-- (NULL: every compound).
with

-- only compounds that more than one file lists can disagree
listed_twice as (
    select compound_name
    from registry_rows
    where compound_in_station(compound_name, $station)
    group by compound_name
    having count(distinct file_id) > 1
),

cells as (
    unpivot (
        select
            compound_name,
            file_id,
            source_file,
            export_at,
            community,
            street,
            unit,
            compound_group,
            population_base::varchar as population_base,
            aliases
        from registry_rows
        where compound_name in (select compound_name from listed_twice)
    )
    on community, street, unit, compound_group, population_base, aliases
    into name field value value
),

per_file as (
    select compound_name, field, value, source_file, file_id, max(export_at) as export_at
    from cells
    group by all
),

disputed as (
    select compound_name, field
    from per_file
    group by all
    having count(distinct value) > 1
)

select
    per_file.compound_name as compound,
    case per_file.field
        when 'community' then '所属社区'
        when 'street' then '所属街道'
        when 'unit' then '管辖单位'
        when 'compound_group' then '小区组'
        when 'population_base' then '实有人口底数'
        when 'aliases' then '别名'
    end as column_label,
    per_file.value,
    per_file.source_file,
    per_file.export_at,
    row_number() over (
        partition by per_file.compound_name, per_file.field order by per_file.export_at desc, per_file.file_id desc
    ) = 1 as in_use
from per_file
join disputed using (compound_name, field)
order by compound, column_label, per_file.export_at desc, per_file.file_id desc
