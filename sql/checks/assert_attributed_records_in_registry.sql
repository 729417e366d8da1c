-- records are attributed only to compounds of the registry
select 'alerts' as tbl, alert_id as id, compound from alerts where compound not in (select compound from compounds)
union all
select 'cases', case_id, compound from cases where compound not in (select compound from compounds)
union all
select 'residents', person_id, compound from residents where compound not in (select compound from compounds)
