-- Zero count (不发生).
-- actual: records whose event date is in [window_start, current_end].
-- Met when the window has ended and the count satisfies the target (= 0, or ≤ N); while it
-- runs: on track as long as it does, missed as soon as it does not (counts only grow).
with

targets as (
    select * from metric_targets where kind = 'zero_count'
),

counts as (
    select
        targets.target_id,
        coalesce(sum(daily.events) filter (
            where daily.day between targets.window_start and targets.current_end
        ), 0)::bigint as actual,
        coalesce(sum(daily.events) filter (
            where daily.day between targets.baseline_start and targets.baseline_end
        ), 0)::bigint as baseline
    from targets
    left join metric_daily as daily
        on daily.metric = targets.metric and daily.compound = targets.compound
    group by targets.target_id
),

final as (
    select
        targets.target_id,
        case when targets.window_state <> 'not_started' then counts.actual end::double as actual,
        case when targets.window_state <> 'not_started' then counts.baseline end::double as baseline,
        null::bigint as numerator,
        null::bigint as denominator,
        null::double as change,
        null::double as projected,
        case
            when targets.window_state = 'not_started' then 'no_data'
            when compare(counts.actual, targets.target_op, targets.target_percent)
                then case when targets.window_state = 'over' then 'met' else 'on_track' end
            else 'missed'
        end as status,
        false as low_base,
        case
            when targets.window_state = 'not_started' then '整治尚未开始'
            when counts.actual > 0 then '已发生 ' || counts.actual || ' 起'
        end as note
    from targets
    join counts on counts.target_id = targets.target_id
)

select * from final
