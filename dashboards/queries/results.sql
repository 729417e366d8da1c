-- The evaluation the page shows (metric_results = the latest one)
select * from metric_results
where in_scope_compound(compound)
order by campaign, compound, metric
