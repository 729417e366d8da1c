-- The evaluation the page shows (metric_results = the latest one)
select * from metric_results
order by campaign, compound, metric
