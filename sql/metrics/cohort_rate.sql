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
    select
        targets.target_id,
        count(records.event_date) filter (
            where records.event_date between targets.window_start and targets.current_end
        ) as denominator,
        count(records.event_date) filter (
            where records.event_date between targets.window_start and targets.current_end
              and (records.done_date <= targets.as_of
                   or (records.done_date is null and records.is_done_undated))
        ) as numerator,
        count(records.event_date) filter (
            where records.event_date between targets.baseline_start and targets.baseline_end
        ) as baseline_denominator,
        count(records.event_date) filter (
            where records.event_date between targets.baseline_start and targets.baseline_end
              and (records.done_date <= targets.baseline_as_of
                   or (records.done_date is null and records.is_done_undated))
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
