-- every compound with a metric row exists in the registry
select * from metric_results
where compound not in (select compound from compounds)
