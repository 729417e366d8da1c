-- The stations named in the loaded records, most records first
select unit, sum(records)::bigint as records
from unit_records
where source <> 'residents' and unit is not null and in_scope_unit(unit)
group by unit
order by records desc, unit
