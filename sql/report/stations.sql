-- The stations named in the loaded records, most records first
select unit, count(*) as records from (
    select unit from alerts where unit is not null and in_scope_unit(unit)
    union all select unit from cases where unit is not null and in_scope_unit(unit)
)
group by unit
order by records desc, unit
