-- The latest year's compound ranking (totals, not per 1,000)
select * from compound_ranking
where year = (select max(year) from compound_ranking where not per_thousand) and not per_thousand
  and in_scope_compound(compound)
order by priority
