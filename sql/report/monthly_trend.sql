-- Per compound and counted metric (count and zero-count targets), month by month from
-- January of the as_of year to the as_of month: this year against the same month last year.
with

targets as (
    select distinct compound, metric, metric_name
    from metric_results
    where kind in ('count_change', 'zero_count') and in_scope_compound(compound)
),

months as (
    select unnest(generate_series(
        date_trunc('month', make_date(year(cast($as_of as date)), 1, 1)),
        date_trunc('month', cast($as_of as date)),
        interval 1 month
    ))::date as month_start
),

counted as (
    select
        targets.compound,
        targets.metric,
        targets.metric_name,
        months.month_start,
        coalesce(sum(daily.events) filter (
            where daily.day between months.month_start and least(last_day(months.month_start), cast($as_of as date))
        ), 0)::bigint as this_year,
        coalesce(sum(daily.events) filter (
            where daily.day between cast(months.month_start - interval 1 year as date)
                                and cast(least(last_day(months.month_start), cast($as_of as date)) - interval 1 year as date)
        ), 0)::bigint as last_year
    from targets
    cross join months
    left join metric_daily as daily
        on daily.metric = targets.metric and daily.compound = targets.compound
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
