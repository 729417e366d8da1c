-- rate(evaluation, definition): the rate targets of an evaluation (破案率, 结案率, 处罚率).
-- denominator: records whose event date is in [window_start, current_end]
-- numerator, definition 'cohort' (当期, the default): those of them done (solved / closed /
--   punished) by as_of — by their date, or, when they carry no date, by their status;
-- numerator, definition 'period' (期间, the option, never mixed with the default): records
--   done on a date in the window, whatever their event date (older cases solved now count,
--   so the rate can exceed 100 %), plus those of the window done without a date.
-- denominator = 0: no data. Met when numerator * 100 >= target * denominator (exact).
-- While the window runs, the to-date rate is compared with the target (pace).
-- baseline: the same rate one year earlier (same dates, done by as_of minus one year).
create or replace macro rate(evaluation, definition) as table
with

counts as (
    select
        *,
        window_events as denominator,
        case when definition = 'cohort' then window_done_by_as_of else window_done + window_done_undated end
            as numerator,
        baseline_events as baseline_denominator,
        case when definition = 'cohort' then baseline_done_by_as_of else baseline_done + baseline_done_undated end
            as baseline_numerator
    from target_counts(evaluation, 'rate')
),

final as (
    select
        target_id,
        ratio(window_state, numerator, denominator) as actual,
        case when baseline_denominator > 0 then baseline_numerator / baseline_denominator::double end as baseline,
        case when window_state not in ('not_started', 'not_covered') then numerator end as numerator,
        case when window_state not in ('not_started', 'not_covered') then denominator end as denominator,
        null::double as change,
        case when window_state = 'running' then ratio(window_state, numerator, denominator) end as projected,
        rate_status(window_state, numerator, denominator, target_op, target_percent) as status,
        window_state not in ('not_started', 'not_covered') and denominator < low_base_cutoff as low_base,
        case
            when window_state in ('not_started', 'not_covered') then coverage_note
            when denominator = 0 then '本期没有案件，比率无法计算'
        end as note
    from counts
)

select * from final
