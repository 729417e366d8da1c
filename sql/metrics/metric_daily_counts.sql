-- metric_daily_counts(as_of_date, metric_codes, since, by_done_date): the records of the metrics named
-- (metric_records, one records file each) counted per metric, compound and day — what every
-- family sums over its windows. By event date: the records, how many of them were done by
-- as_of and by as_of one year earlier, and how many were done without a date; with
-- by_done_date (the period definition of rates), by the date they were done: how many.
-- Days before `since` (the earliest day a window, a baseline or the monthly trend reads) are
-- left out, but for stock rates, which count all history. The metrics not named are never
-- scanned: each branch of metric_records is one metric.
-- An evaluation stores this in metric_daily (pipeline/metrics/evaluate.py).
create or replace macro metric_daily_counts(as_of_date, metric_codes, since, by_done_date) as table
with

records as (
    select *
    from metric_records
    where list_contains(metric_codes, metric) and compound is not null
),

by_event as (
    select
        metric,
        kind,
        compound,
        event_date as day,
        count(*) as events,
        count(*) filter (
            where done_date <= cast(as_of_date as date) or (done_date is null and is_done_undated)
        ) as done_by_as_of,
        count(*) filter (
            where done_date <= cast(cast(as_of_date as date) - interval 1 year as date)
               or (done_date is null and is_done_undated)
        ) as done_by_baseline_as_of,
        count(*) filter (where done_date is null and is_done_undated) as done_undated
    from records
    where event_date is not null and (kind = 'stock_rate' or event_date >= since)
    group by metric, kind, compound, event_date
),

by_done as (
    select metric, kind, compound, done_date as day, count(*) as done
    from records
    where by_done_date and kind = 'rate' and done_date is not null and done_date >= since
    group by metric, kind, compound, done_date
),

final as (
    select
        coalesce(by_event.metric, by_done.metric) as metric,
        coalesce(by_event.kind, by_done.kind) as kind,
        coalesce(by_event.compound, by_done.compound) as compound,
        coalesce(by_event.day, by_done.day) as day,
        coalesce(by_event.events, 0) as events,
        coalesce(by_event.done_by_as_of, 0) as done_by_as_of,
        coalesce(by_event.done_by_baseline_as_of, 0) as done_by_baseline_as_of,
        coalesce(by_event.done_undated, 0) as done_undated,
        coalesce(by_done.done, 0) as done
    from by_event
    full outer join by_done
        on by_done.metric = by_event.metric and by_done.compound = by_event.compound and by_done.day = by_event.day
)

select * from final
