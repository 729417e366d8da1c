-- Per compound and counted metric (count and zero-count targets) of an evaluation
-- ($evaluation), month by month from January of the as_of year to the as_of month: this
-- year against the same month last year, from the evaluation's daily counts (metric_daily).
-- The report's 月度趋势. $station: one station's compounds (NULL: every compound).
with

evaluations as (
    select as_of from metric_evaluations where evaluation_id = $evaluation
),

targets as (
    select distinct compound, metric, metric_name
    from metric_history
    where evaluation_id = $evaluation and kind in ('count_change', 'zero_count')
      and compound_in_station(compound, $station)
),

daily as (
    -- the station's compounds first: 12 ms a station instead of 52 on a bureau's 766,000 rows
    select * from metric_daily
    where evaluation_id = $evaluation and compound_in_station(compound, $station)
),

months as (
    select unnest(generate_series(
        date_trunc('month', make_date(year(as_of), 1, 1)),
        date_trunc('month', as_of),
        interval 1 month
    ))::date as month_start
    from evaluations
),

counted as (
    select
        targets.compound,
        targets.metric,
        targets.metric_name,
        months.month_start,
        coalesce(sum(daily.events) filter (
            where daily.day between months.month_start and least(last_day(months.month_start), evaluations.as_of)
        ), 0)::bigint as this_year,
        coalesce(sum(daily.events) filter (
            where daily.day between cast(months.month_start - interval 1 year as date)
                                and cast(least(last_day(months.month_start), evaluations.as_of) - interval 1 year as date)
        ), 0)::bigint as last_year
    from targets
    cross join months
    cross join evaluations
    left join daily on daily.metric = targets.metric and daily.compound = targets.compound
    group by all
)

select
    compound,
    metric_name,
    strftime(month_start, '%Y年%m月') as month,
    this_year,
    last_year,
    case when last_year > 0 then (this_year - last_year) / last_year::double end as change
from counted
order by compound, metric, month_start
