-- Cumulative counts per day for the count targets of an evaluation ($evaluation): this
-- window (to as_of) and the same dates last year (the whole baseline window), from the
-- evaluation's daily counts. $station: one station's compounds (NULL: every compound).
with

targets as (
    select campaign, compound, metric, window_start, window_end, current_end, as_of
    from metric_history
    where evaluation_id = $evaluation and kind in ('count_change', 'zero_count') and window_state <> 'not_started'
      and compound_in_station(compound, $station)
),

daily as (
    -- the station's compounds first: 12 ms a station instead of 52 on a bureau's 766,000 rows
    select * from metric_daily
    where evaluation_id = $evaluation and compound_in_station(compound, $station)
),

days as (
    select
        targets.campaign, targets.compound, targets.metric,
        date_diff('day', targets.window_start, daily.day) as day_index,
        sum(daily.events)::bigint as events,
        false as is_baseline
    from targets
    join daily
        on daily.metric = targets.metric and daily.compound = targets.compound
       and daily.day between targets.window_start and targets.current_end
    group by all
    union all
    select
        targets.campaign, targets.compound, targets.metric,
        date_diff('day', cast(targets.window_start - interval 1 year as date), daily.day) as day_index,
        sum(daily.events)::bigint as events,
        true as is_baseline
    from targets
    join daily
        on daily.metric = targets.metric and daily.compound = targets.compound
       and daily.day between cast(targets.window_start - interval 1 year as date)
                         and cast(targets.window_end - interval 1 year as date)
    group by all
)

select * from days order by campaign, compound, metric, is_baseline, day_index
