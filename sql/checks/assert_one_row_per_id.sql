-- one current row per alert, case and resident id
select 'alerts' as tbl, alert_id as id from alerts group by alert_id having count(*) > 1
union all
select 'cases', case_id from cases group by case_id having count(*) > 1
union all
select 'residents', person_id from residents group by person_id having count(*) > 1
