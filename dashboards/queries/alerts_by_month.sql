-- Alerts per compound, month and category over the 24 months up to $as_of.
-- $station: one station's compounds (NULL: every compound).
select
    compound,
    strftime(date_trunc('month', alarm_date), '%Y-%m') as month,
    coalesce(category, '未分类') as category,
    count(*) as alerts
from stg_alerts
where alarm_date > cast($as_of as date) - interval 24 month and alarm_date <= cast($as_of as date)
  and compound_in_station(compound, $station)
group by all
order by compound, month, category
