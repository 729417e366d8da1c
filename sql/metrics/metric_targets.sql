-- metric_targets(as_of_date): the targets to evaluate as of a date — one row per campaign ×
-- compound × metric, with the current window (cut to the elapsed dates while it runs), the
-- baseline window (the same calendar dates one year earlier; 29 February maps to
-- 28 February) and the full baseline window used for the pace projection.
-- Coverage (metric_coverage): the figures are as of evaluated_to = least(as_of, covered_to).
-- When the data of the metric's source stops before min(window_end, as_of), the windows are
-- cut to it and the target is 'running' (a pace status) even after window_end; when no data
-- covers the window at all (no export of the source, or the last one before the start), it
-- is 'not_covered' (无数据).
create or replace macro metric_targets(as_of_date) as table
with

expanded as (
    select * from stg_target_compounds
),

catalogue as (
    select * from metric_catalogue
),

coverage as (
    select * from metric_coverage
),

sources as (
    select source, label from record_sources
),

dated as (
    select
        expanded.*,
        catalogue.*,
        cast(as_of_date as date) as as_of,
        -- the campaign ledgers are the town's own current record: as of as_of
        case when catalogue.kind in ('ledger_rate', 'ledger_count') then cast(as_of_date as date)
             else coverage.covered_to end as covered_to,
        case when catalogue.kind in ('ledger_rate', 'ledger_count') then '台账' else coverage.basis end
            as coverage_basis,
        case when catalogue.kind in ('ledger_rate', 'ledger_count') then cast(as_of_date as date)
             else least(cast(as_of_date as date), coverage.covered_to) end as evaluated_to,
        sources.label as source_label
    from expanded
    join catalogue on catalogue.code = expanded.metric_code
    left join coverage on coverage.compound = expanded.compound and coverage.source = catalogue.source
    left join sources on sources.source = catalogue.source
),

windows as (
    select
        -- ids
        row_number() over (order by campaign, compound, metric_code) as target_id,
        campaign,
        compound,
        metric_code as metric,
        metric_name,
        kind,
        unit,
        denominator_is_population_base,
        source,
        -- the target as written and as parsed
        target_raw,
        target_op,
        target_percent,
        source_file,
        source_row,
        -- windows
        start_date as window_start,
        end_date as window_end,
        as_of,
        covered_to,
        coverage_basis,
        evaluated_to,
        least(end_date, coalesce(evaluated_to, as_of)) as current_end,
        case
            when as_of < start_date then 'not_started'
            when covered_to is null then 'not_covered'
            -- a stock (实有人口) as it stood before the window is still a stock: a pace status
            when covered_to < start_date and kind <> 'stock_rate' then 'not_covered'
            when evaluated_to < end_date then 'running'
            else 'over'
        end as window_state,
        as_of >= start_date and covered_to < least(end_date, as_of)
            and (covered_to >= start_date or kind = 'stock_rate') as coverage_cut,
        case
            when as_of < start_date then '整治尚未开始'
            when covered_to is null then '尚未载入' || coalesce(source_label, source) || '数据'
            when covered_to < start_date and kind = 'stock_rate' then
                coalesce(source_label, source) || '数据截至 ' || strftime(covered_to, '%Y-%m-%d') || '，整治开始前'
            when covered_to < start_date then
                coalesce(source_label, source) || '数据截至 ' || strftime(covered_to, '%Y-%m-%d') || '，整治期内尚无数据'
            when covered_to < least(end_date, as_of) then
                coalesce(source_label, source) || '数据截至 ' || strftime(covered_to, '%Y-%m-%d')
                || case when as_of >= end_date then '，整治期末尚无数据' else '，评估日期前尚无数据' end
        end as coverage_note,
        cast(start_date - interval 1 year as date) as baseline_start,
        cast(least(end_date, coalesce(evaluated_to, as_of)) - interval 1 year as date) as baseline_end,
        cast(end_date - interval 1 year as date) as baseline_full_end,
        cast(as_of - interval 1 year as date) as baseline_as_of,
        date_diff('day', start_date, end_date) + 1 as window_days,
        greatest(date_diff('day', start_date, least(end_date, coalesce(evaluated_to, as_of))) + 1, 0)
            as elapsed_days
    from dated
)

select * from windows
