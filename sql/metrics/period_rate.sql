-- Rate, period definition (the alternative to the cohort default; never mixed in one run).
-- denominator: records whose event date is in [window_start, current_end]
-- numerator:   records done (solved / closed / punished) on a date in that window, whatever
--              their event date — older cases solved now count, so the rate can exceed 100 %;
--              a record done without a date counts if its event is in the window
-- baseline: the same computation one year earlier.
with

targets as (
    select * from metric_targets where kind = 'rate'
),

events as (
    -- metric_daily: per compound and event date, the records and those done without a date
    select
        targets.target_id,
        coalesce(sum(daily.events) filter (
            where daily.day between targets.window_start and targets.current_end
        ), 0)::bigint as denominator,
        coalesce(sum(daily.done_undated) filter (
            where daily.day between targets.window_start and targets.current_end
        ), 0)::bigint as undated_done,
        coalesce(sum(daily.events) filter (
            where daily.day between targets.baseline_start and targets.baseline_end
        ), 0)::bigint as baseline_denominator,
        coalesce(sum(daily.done_undated) filter (
            where daily.day between targets.baseline_start and targets.baseline_end
        ), 0)::bigint as baseline_undated_done
    from targets
    left join metric_daily as daily
        on daily.metric = targets.metric and daily.compound = targets.compound
    group by targets.target_id
),

done as (
    -- metric_done_daily: per compound and date done, the records done that day
    select
        targets.target_id,
        coalesce(sum(done_daily.done) filter (
            where done_daily.day between targets.window_start and targets.current_end
        ), 0)::bigint as dated_done,
        coalesce(sum(done_daily.done) filter (
            where done_daily.day between targets.baseline_start and targets.baseline_end
        ), 0)::bigint as baseline_dated_done
    from targets
    left join metric_done_daily as done_daily
        on done_daily.metric = targets.metric and done_daily.compound = targets.compound
    group by targets.target_id
),

counts as (
    select
        events.target_id,
        events.denominator,
        done.dated_done + events.undated_done as numerator,
        events.baseline_denominator,
        done.baseline_dated_done + events.baseline_undated_done as baseline_numerator
    from events
    join done on done.target_id = events.target_id
),

final as (
    select
        targets.target_id,
        case when counts.denominator > 0 and targets.window_state <> 'not_started'
            then counts.numerator / counts.denominator::double end as actual,
        case when counts.baseline_denominator > 0
            then counts.baseline_numerator / counts.baseline_denominator::double end as baseline,
        case when targets.window_state <> 'not_started' then counts.numerator end as numerator,
        case when targets.window_state <> 'not_started' then counts.denominator end as denominator,
        null::double as change,
        case when targets.window_state = 'running' and counts.denominator > 0
            then counts.numerator / counts.denominator::double end as projected,
        case
            when targets.window_state = 'not_started' or counts.denominator = 0 then 'no_data'
            when compare(counts.numerator * 100, targets.target_op, targets.target_percent * counts.denominator)
                then case when targets.window_state = 'over' then 'met' else 'on_track' end
            else case when targets.window_state = 'over' then 'missed' else 'at_risk' end
        end as status,
        targets.window_state <> 'not_started' and counts.denominator < 30 as low_base,
        case
            when targets.window_state = 'not_started' then '整治尚未开始'
            when counts.denominator = 0 then '本期没有案件，比率无法计算'
        end as note
    from targets
    join counts on counts.target_id = targets.target_id
)

select * from final
