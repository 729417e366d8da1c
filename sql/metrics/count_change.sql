-- count_change(evaluation): the count-change targets (同比变化) of an evaluation.
-- actual:   records whose event date is in [window_start, current_end]
-- baseline: records in the same dates one year earlier (cut to the elapsed dates)
-- A target "下降N%" is op <=, value -N: met when (actual - baseline) * 100 <= -N * baseline,
-- compared as exact numbers. baseline = 0 and actual = 0: change 0, a 下降 target is met;
-- baseline = 0 and actual = k > 0: change undefined ("新增 k"), not met.
-- Pace while the window runs: the projected full-window count is
-- actual * full baseline / to-date baseline (else actual * window days / elapsed days),
-- compared with the full baseline.
-- p_value / significant: is the change more than chance (binomial_p_value)? Never a status.
create or replace macro count_change(evaluation) as table
with

targets as (
    select
        *,
        window_events as actual,
        baseline_events as baseline,
        baseline_full_events as baseline_full
    from target_counts(evaluation, 'count_change')
),

evaluated as (
    select
        target_id,
        window_state,
        coverage_note,
        low_base_cutoff,
        actual,
        baseline,
        baseline_full,
        case
            when baseline > 0 then compare((actual - baseline) * 100, target_op, target_percent * baseline)
            when actual = 0 then
                -- a decrease target (下降) is met by 0 → 0
                (target_op in ('<=', '<') and target_percent <= 0) or compare(0, target_op, target_percent)
            else false
        end as meets_to_date,
        case
            when baseline > 0 then compare(
                (actual * baseline_full - baseline_full * baseline) * 100,
                target_op, target_percent * baseline_full * baseline)
            when baseline_full > 0 then compare(
                (actual * window_days - baseline_full * elapsed_days) * 100,
                target_op, target_percent * baseline_full * elapsed_days)
            else actual = 0 and (
                (target_op in ('<=', '<') and target_percent <= 0) or compare(0, target_op, target_percent))
        end as projection_meets,
        case
            when baseline > 0 then actual * baseline_full / baseline
            when elapsed_days > 0 then actual * window_days / elapsed_days
        end as projected
    from targets
),

final as (
    select
        target_id,
        case when window_state in ('not_started', 'not_covered') then null else actual end::double as actual,
        case when window_state in ('not_started', 'not_covered') then null else baseline end::double as baseline,
        null::bigint as numerator,
        null::bigint as denominator,
        case
            when window_state in ('not_started', 'not_covered') then null
            when baseline > 0 then (actual - baseline) / baseline::double
            when actual = 0 then 0.0
        end as change,
        case when window_state = 'running' then projected::double end as projected,
        case when window_state = 'running' and baseline_full > 0
            then (projected - baseline_full) / baseline_full::double end as projected_change,
        case when window_state in ('not_started', 'not_covered') then null else baseline_full end::double as baseline_full,
        case
            when window_state in ('not_started', 'not_covered') then 'no_data'
            when window_state = 'over' then case when meets_to_date then 'met' else 'missed' end
            when projection_meets then 'on_track'
            else 'at_risk'
        end as status,
        window_state not in ('not_started', 'not_covered') and baseline < low_base_cutoff as low_base,
        case when window_state not in ('not_started', 'not_covered') then binomial_p_value(actual, baseline) end
            as p_value,
        case
            when window_state in ('not_started', 'not_covered') then coverage_note
            when baseline = 0 and actual > 0 then '新增 ' || actual || '（同期为0）'
        end as note
    from evaluated
)

select *, p_value < 0.05 as significant from final
