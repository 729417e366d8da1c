-- explain_records(evaluation, of_campaign, of_compound, of_metric): the records behind the
-- figures of an evaluation (指标溯源) — one figure, or every figure a NULL argument leaves open
-- (explain_records(e, NULL, NULL, NULL): all of them in one pass, what the report and the
-- dashboard list) — one row per figure, record and part it counts in:
--   count changes, zero counts  actual (本期), baseline (同期)
--   rates                       denominator / numerator, baseline_denominator / baseline_numerator
--   stock rates                 numerator, denominator (the accuracy rate; the registration
--                               rate's denominator is the registry's 实有人口底数, not records)
--   整改销号率, 逾期未销号事项   the ledger items: denominator (due) / numerator (due, signed off);
--                               actual (overdue) — a facility count, a 五有 check or a survey is
--                               one row of counts, not a list of records
-- Each part is decided exactly as the families decide it (target_counts and the family
-- files): the counts of the parts equal the figures of metric_history — tests check it for
-- every kind, current and baseline.
create or replace macro explain_records(evaluation, of_campaign, of_compound, of_metric) as table
with

target as (
    select history.*, catalogue.denominator_is_population_base
    from metric_history as history
    join metric_catalogue as catalogue on catalogue.code = history.metric
    where history.evaluation_id = evaluation
      and (of_campaign is null or history.campaign = of_campaign)
      and (of_compound is null or history.compound = of_compound)
      and (of_metric is null or history.metric = of_metric)
      and history.window_state not in ('not_started', 'not_covered')
),

records as (
    select *
    from metric_records
    where (of_metric is null or metric = of_metric) and (of_compound is null or compound = of_compound)
      and event_date is not null
      and (of_metric is not null or metric in (select metric from target))
),

flagged as (
    select
        target.campaign,
        target.compound,
        target.metric,
        records.record_id,
        records.event_date,
        records.done_date,
        target.kind,
        target.rate_definition,
        not target.denominator_is_population_base as stock_denominator_is_records,
        records.event_date between target.window_start and target.current_end as in_window,
        records.event_date between target.baseline_start and target.baseline_end as in_baseline,
        records.event_date <= coalesce(target.evaluated_to, target.as_of) as in_stock,
        coalesce(records.done_date <= target.as_of, false)
            or (records.done_date is null and records.is_done_undated) as done_by_as_of,
        coalesce(records.done_date <= cast(target.as_of - interval 1 year as date), false)
            or (records.done_date is null and records.is_done_undated) as done_by_baseline_as_of,
        coalesce(records.done_date between target.window_start and target.current_end, false) as done_in_window,
        coalesce(records.done_date between target.baseline_start and target.baseline_end, false) as done_in_baseline,
        records.done_date is null and records.is_done_undated as done_undated
    from records
    join target on target.metric = records.metric and target.compound = records.compound
),

parts as (
    select unnest(case
        when kind in ('count_change', 'zero_count') then
            list_concat(
                case when in_window then ['actual'] else [] end,
                case when in_baseline then ['baseline'] else [] end)
        when kind = 'rate' and rate_definition = 'cohort' then
            list_concat(
                case when in_window then ['denominator'] else [] end,
                case when in_window and done_by_as_of then ['numerator'] else [] end,
                case when in_baseline then ['baseline_denominator'] else [] end,
                case when in_baseline and done_by_baseline_as_of then ['baseline_numerator'] else [] end)
        when kind = 'rate' then
            list_concat(
                case when in_window then ['denominator'] else [] end,
                case when done_in_window or (in_window and done_undated) then ['numerator'] else [] end,
                case when in_baseline then ['baseline_denominator'] else [] end,
                case when done_in_baseline or (in_baseline and done_undated) then ['baseline_numerator'] else [] end)
        when kind = 'stock_rate' then
            list_concat(
                case when in_stock and done_by_as_of then ['numerator'] else [] end,
                case when in_stock and stock_denominator_is_records then ['denominator'] else [] end)
        else []
    end) as part,
    campaign,
    compound,
    metric,
    record_id,
    event_date,
    done_date
    from flagged
),

ledger_parts as (
    select
        unnest(list_concat(
            case when target.metric = 'ledger_signoff_rate' and items.deadline <= target.as_of
                 then ['denominator'] else [] end,
            case when target.metric = 'ledger_signoff_rate' and items.deadline <= target.as_of
                      and signed_off_by(items.is_signed_off, items.signed_off_on, target.as_of)
                 then ['numerator'] else [] end,
            case when target.metric = 'overdue_items' and items.deadline < target.as_of
                      and not signed_off_by(items.is_signed_off, items.signed_off_on, target.as_of)
                 then ['actual'] else [] end
        )) as part,
        target.campaign,
        target.compound,
        target.metric,
        ledger_item_label(items.item_no, items.item) as record_id,
        items.deadline as event_date,
        items.signed_off_on as done_date
    from target
    join ledger_items as items on items.campaign = target.campaign and items.compound = target.compound
    where target.metric in ('ledger_signoff_rate', 'overdue_items')
)

select * from parts
union all
select * from ledger_parts
order by campaign, compound, metric, part, event_date, record_id
