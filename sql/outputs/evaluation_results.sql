-- The results of the evaluation an output shows ($evaluation), for one station's compounds
-- ($station; NULL: every compound). The dashboard and the report show them.
select *
from metric_history
where evaluation_id = $evaluation and compound_in_station(compound, $station)
order by campaign, compound, metric
