-- zero_count(evaluation): the zero-count targets (不发生) of an evaluation.
-- actual: records whose event date is in [window_start, current_end].
-- Met when the window has ended and the count satisfies the target (= 0, or ≤ N); while it
-- runs: on track as long as it does, missed as soon as it does not (counts only grow).
create or replace macro zero_count(evaluation) as table
with

counts as (
    select *, window_events as actual, baseline_events as baseline
    from target_counts(evaluation, 'zero_count')
),

final as (
    select
        target_id,
        case when window_state not in ('not_started', 'not_covered') then actual end::double as actual,
        case when window_state not in ('not_started', 'not_covered') then baseline end::double as baseline,
        null::bigint as numerator,
        null::bigint as denominator,
        null::double as change,
        null::double as projected,
        case
            when window_state in ('not_started', 'not_covered') then 'no_data'
            when compare(actual, target_op, target_percent)
                then case when window_state = 'over' then 'met' else 'on_track' end
            else 'missed'
        end as status,
        false as low_base,
        case
            when window_state in ('not_started', 'not_covered') then coverage_note
            when actual > 0 then '已发生 ' || actual || ' 起'
        end as note
    from counts
)

select * from final
