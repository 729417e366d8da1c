-- The latest year's compound ranking (totals, not per 1,000), for one station's compounds
-- ($station; NULL: every compound). The dashboard and the report show it.
select *
from compound_ranking
where year = (select max(year) from compound_ranking where not per_thousand) and not per_thousand
  and compound_in_station(compound, $station)
order by priority
