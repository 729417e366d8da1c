-- target_counts(evaluation, of_kind): what every family starts from — the evaluation's
-- targets of one kind (metric_targets as of the evaluation's date, with its low-base cutoff
-- and rate definition), each with its daily counts (metric_daily) summed over its windows:
--   window_*        [window_start, current_end]
--   baseline_*      [baseline_start, baseline_end]: the same dates one year earlier
--   baseline_full_* [baseline_start, baseline_full_end]: the whole baseline window (pace)
--   stock_*         every day up to evaluated_to (stock rates are not windowed)
-- events are records by event date; done_by_as_of / done_by_baseline_as_of those of them done
-- by as_of / by as_of one year earlier; done_undated those done without a date; done the
-- records done on a day of the window, whatever their event date (period rates).
create or replace macro target_counts(evaluation, of_kind) as table
with

evaluations as (
    select as_of, rate_definition, low_base_cutoff
    from metric_evaluations
    where evaluation_id = evaluation
),

targets as (
    select targets.*, evaluations.rate_definition, evaluations.low_base_cutoff
    from metric_targets((select as_of from metric_evaluations where evaluation_id = evaluation)) as targets
    cross join evaluations
    where targets.kind = of_kind
),

daily as (
    select * from metric_daily where evaluation_id = evaluation and kind = of_kind
),

summed as (
    select
        targets.target_id,
        -- the current window
        coalesce(sum(daily.events) filter (where daily.day between targets.window_start and targets.current_end), 0)
            ::bigint as window_events,
        coalesce(sum(daily.done_by_as_of) filter (
            where daily.day between targets.window_start and targets.current_end), 0)::bigint as window_done_by_as_of,
        coalesce(sum(daily.done_undated) filter (
            where daily.day between targets.window_start and targets.current_end), 0)::bigint as window_done_undated,
        coalesce(sum(daily.done) filter (where daily.day between targets.window_start and targets.current_end), 0)
            ::bigint as window_done,
        -- the baseline window, cut to the elapsed dates
        coalesce(sum(daily.events) filter (
            where daily.day between targets.baseline_start and targets.baseline_end), 0)::bigint as baseline_events,
        coalesce(sum(daily.done_by_baseline_as_of) filter (
            where daily.day between targets.baseline_start and targets.baseline_end), 0)::bigint as baseline_done_by_as_of,
        coalesce(sum(daily.done_undated) filter (
            where daily.day between targets.baseline_start and targets.baseline_end), 0)::bigint as baseline_done_undated,
        coalesce(sum(daily.done) filter (where daily.day between targets.baseline_start and targets.baseline_end), 0)
            ::bigint as baseline_done,
        -- the whole baseline window
        coalesce(sum(daily.events) filter (
            where daily.day between targets.baseline_start and targets.baseline_full_end), 0)::bigint
            as baseline_full_events,
        -- all history up to the day the figures are as of (as_of, or the data's coverage)
        coalesce(sum(daily.events) filter (where daily.day <= coalesce(targets.evaluated_to, targets.as_of)), 0)
            ::bigint as stock_events,
        coalesce(sum(daily.done_by_as_of) filter (where daily.day <= coalesce(targets.evaluated_to, targets.as_of)), 0)
            ::bigint as stock_done_by_as_of
    from targets
    left join daily on daily.metric = targets.metric and daily.compound = targets.compound
    group by targets.target_id
)

select targets.*, summed.* exclude (target_id)
from targets
join summed on summed.target_id = targets.target_id
