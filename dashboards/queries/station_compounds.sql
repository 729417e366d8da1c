-- How many compounds of an evaluation ($evaluation) each station has (NULL: no station).
select stations.station, count(distinct results.compound) as compounds
from metric_history as results
left join compound_stations as stations on stations.compound = results.compound and stations.station is not null
where results.evaluation_id = $evaluation
group by stations.station
