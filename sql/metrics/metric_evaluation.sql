-- metric_evaluation(evaluation): every target of an evaluation with its result — the mart
-- the evaluation stores in metric_history (one row per campaign × compound × metric). The
-- family of each target comes from its kind; rates by the evaluation's rate definition.
create or replace macro metric_evaluation(evaluation) as table
with

evaluations as (
    select evaluation_id, rate_definition
    from metric_evaluations
    where evaluation_id = evaluation
),

targets as (
    select * from metric_targets((select as_of from metric_evaluations where evaluation_id = evaluation))
),

results as (
    select * from count_change(evaluation)
    union all by name
    select * from zero_count(evaluation)
    union all by name
    select * from stock_rate(evaluation)
    union all by name
    select * from rate(evaluation, (select rate_definition from metric_evaluations where evaluation_id = evaluation))
    union all by name
    select * from ledger_metrics(evaluation)
),

final as (
    select
        targets.campaign,
        targets.compound,
        targets.metric,
        targets.metric_name,
        targets.kind,
        targets.unit,
        targets.window_start,
        targets.window_end,
        targets.window_state,
        targets.current_end,
        targets.baseline_start,
        targets.baseline_end,
        targets.as_of,
        results.actual,
        results.baseline,
        results.numerator,
        results.denominator,
        results.change,
        results.projected,
        results.projected_change,
        results.baseline_full,
        targets.target_op,
        -- in the unit of actual: a fraction for rates and changes, a count for zero counts
        case when targets.kind = 'zero_count' then targets.target_percent::double
             else targets.target_percent::double / 100 end as target_value,
        targets.target_percent,
        targets.target_raw,
        results.status,
        results.low_base,
        case when targets.coverage_cut then concat_ws('；', targets.coverage_note, results.note) else results.note end
            as note,
        evaluations.rate_definition,
        targets.source_file,
        targets.source_row,
        targets.covered_to,
        case when targets.window_state not in ('not_started', 'not_covered') then targets.evaluated_to end
            as evaluated_to,
        results.p_value,
        results.significant
    from targets
    join results on results.target_id = targets.target_id
    cross join evaluations
)

select * from final
order by campaign, compound, metric
