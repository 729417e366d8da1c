-- Rate, cohort definition (当期, the default).
-- denominator: records whose event date is in [window_start, current_end]
-- numerator:   those of them done (solved / closed / punished) by $as_of — by their date,
--              or, when they carry no date, by their status
-- denominator = 0: no data. Met when numerator * 100 >= target * denominator (exact).
-- While the window runs, the to-date rate is compared with the target (pace).
-- baseline: the same rate one year earlier (same dates, done by as_of minus one year).
with

targets as (
    select * from metric_targets where kind = 'rate'
),

counts as (
    -- metric_daily: per compound and event date, the records and how many of them were done
    -- by as_of (done_by_as_of) and by as_of one year earlier (done_by_baseline_as_of)
    select
        targets.target_id,
        coalesce(sum(daily.events) filter (
            where daily.day between targets.window_start and targets.current_end
        ), 0)::bigint as denominator,
        coalesce(sum(daily.done_by_as_of) filter (
            where daily.day between targets.window_start and targets.current_end
        ), 0)::bigint as numerator,
        coalesce(sum(daily.events) filter (
            where daily.day between targets.baseline_start and targets.baseline_end
        ), 0)::bigint as baseline_denominator,
        coalesce(sum(daily.done_by_baseline_as_of) filter (
            where daily.day between targets.baseline_start and targets.baseline_end
        ), 0)::bigint as baseline_numerator
    from targets
    left join metric_daily as daily
        on daily.metric = targets.metric and daily.compound = targets.compound
    group by targets.target_id
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
