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

counts as (
    select
        targets.target_id,
        count(records.event_date) filter (
            where records.event_date between targets.window_start and targets.current_end
        ) as denominator,
        count(records.event_date) filter (
            where records.done_date between targets.window_start and targets.current_end
               or (records.done_date is null and records.is_done_undated
                   and records.event_date between targets.window_start and targets.current_end)
        ) as numerator,
        count(records.event_date) filter (
            where records.event_date between targets.baseline_start and targets.baseline_end
        ) as baseline_denominator,
        count(records.event_date) filter (
            where records.done_date between targets.baseline_start and targets.baseline_end
               or (records.done_date is null and records.is_done_undated
                   and records.event_date between targets.baseline_start and targets.baseline_end)
        ) as baseline_numerator
    from targets
    left join metric_records as records
        on records.metric = targets.metric and records.compound = targets.compound
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
