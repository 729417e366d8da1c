-- The bureau overview: per station × campaign × metric of an evaluation ($evaluation), how
-- many compounds have each status. Compounds the registry gives no station are grouped
-- under NULL.
select
    stations.station,
    results.campaign,
    results.metric,
    any_value(results.metric_name) as metric_name,
    any_value(results.kind) as kind,
    any_value(results.target_op) as target_op,
    any_value(results.target_percent) as target_percent,
    count(*) as compounds,
    count(*) filter (where results.status = 'met') as met,
    count(*) filter (where results.status = 'on_track') as on_track,
    count(*) filter (where results.status = 'at_risk') as at_risk,
    count(*) filter (where results.status = 'missed') as missed,
    count(*) filter (where results.status = 'no_data') as no_data
from metric_history as results
left join compound_stations as stations on stations.compound = results.compound and stations.station is not null
where results.evaluation_id = $evaluation
group by all
order by stations.station nulls last, results.campaign, results.metric
