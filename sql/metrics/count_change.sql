-- Count change (同比变化).
-- actual:   records whose event date is in [window_start, current_end]
-- baseline: records in the same dates one year earlier (cut to the elapsed dates)
-- A target "下降N%" is op <=, value -N: met when (actual - baseline) * 100 <= -N * baseline,
-- compared as exact numbers. baseline = 0 and actual = 0: change 0, a 下降 target is met;
-- baseline = 0 and actual = k > 0: change undefined ("新增 k"), not met.
-- Pace while the window runs: the projected full-window count is
-- actual * full baseline / to-date baseline (else actual * window days / elapsed days),
-- compared with the full baseline.
with

targets as (
    select * from metric_targets where kind = 'count_change'
),

counts as (
    -- metric_daily: the metric's records counted per compound and event date
    select
        targets.target_id,
        coalesce(sum(daily.events) filter (
            where daily.day between targets.window_start and targets.current_end
        ), 0)::bigint as actual,
        coalesce(sum(daily.events) filter (
            where daily.day between targets.baseline_start and targets.baseline_end
        ), 0)::bigint as baseline,
        coalesce(sum(daily.events) filter (
            where daily.day between targets.baseline_start and targets.baseline_full_end
        ), 0)::bigint as baseline_full
    from targets
    left join metric_daily as daily
        on daily.metric = targets.metric and daily.compound = targets.compound
    group by targets.target_id
),

evaluated as (
    select
        targets.target_id,
        targets.window_state,
        counts.actual,
        counts.baseline,
        counts.baseline_full,
        -- a decrease target (下降) is met by 0 → 0
        targets.target_op in ('<=', '<') and targets.target_percent <= 0 as is_decrease,
        case
            when counts.baseline > 0 then compare(
                (counts.actual - counts.baseline) * 100, targets.target_op,
                targets.target_percent * counts.baseline)
            when counts.actual = 0 then
                (targets.target_op in ('<=', '<') and targets.target_percent <= 0)
                or compare(0, targets.target_op, targets.target_percent)
            else false
        end as meets_to_date,
        case
            when counts.baseline > 0 then compare(
                (counts.actual * counts.baseline_full - counts.baseline_full * counts.baseline) * 100,
                targets.target_op, targets.target_percent * counts.baseline_full * counts.baseline)
            when counts.baseline_full > 0 then compare(
                (counts.actual * targets.window_days - counts.baseline_full * targets.elapsed_days) * 100,
                targets.target_op, targets.target_percent * counts.baseline_full * targets.elapsed_days)
            else counts.actual = 0 and (
                (targets.target_op in ('<=', '<') and targets.target_percent <= 0)
                or compare(0, targets.target_op, targets.target_percent))
        end as projection_meets,
        case
            when counts.baseline > 0 then counts.actual * counts.baseline_full / counts.baseline
            when targets.elapsed_days > 0 then counts.actual * targets.window_days / targets.elapsed_days
        end as projected
    from targets
    join counts on counts.target_id = targets.target_id
),

final as (
    select
        target_id,
        case when window_state = 'not_started' then null else actual end::double as actual,
        case when window_state = 'not_started' then null else baseline end::double as baseline,
        null::bigint as numerator,
        null::bigint as denominator,
        case
            when window_state = 'not_started' then null
            when baseline > 0 then (actual - baseline) / baseline::double
            when actual = 0 then 0.0
        end as change,
        case when window_state = 'running' then projected::double end as projected,
        case when window_state = 'running' and baseline_full > 0
            then (projected - baseline_full) / baseline_full::double end as projected_change,
        case when window_state = 'not_started' then null else baseline_full end::double as baseline_full,
        case
            when window_state = 'not_started' then 'no_data'
            when window_state = 'over' then case when meets_to_date then 'met' else 'missed' end
            when projection_meets then 'on_track'
            else 'at_risk'
        end as status,
        window_state <> 'not_started' and baseline < 30 as low_base,
        case
            when window_state = 'not_started' then '整治尚未开始'
            when baseline = 0 and actual > 0 then '新增 ' || actual || '（同期为0）'
        end as note
    from evaluated
)

select * from final
