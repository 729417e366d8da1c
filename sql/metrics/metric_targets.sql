-- metric_targets(as_of_date): the targets to evaluate as of a date — one row per campaign ×
-- compound × metric, with the current window (cut to the elapsed dates while it runs), the
-- baseline window (the same calendar dates one year earlier; 29 February maps to
-- 28 February) and the full baseline window used for the pace projection.
create or replace macro metric_targets(as_of_date) as table
with

expanded as (
    select * from stg_target_compounds
),

catalogue as (
    select * from metric_catalogue
),

windows as (
    select
        -- ids
        row_number() over (order by expanded.campaign, expanded.compound, expanded.metric_code) as target_id,
        expanded.campaign,
        expanded.compound,
        expanded.metric_code as metric,
        catalogue.metric_name,
        catalogue.kind,
        catalogue.unit,
        catalogue.denominator_is_population_base,
        -- the target as written and as parsed
        expanded.target_raw,
        expanded.target_op,
        expanded.target_percent,
        expanded.source_file,
        expanded.source_row,
        -- windows
        expanded.start_date as window_start,
        expanded.end_date as window_end,
        cast(as_of_date as date) as as_of,
        least(expanded.end_date, cast(as_of_date as date)) as current_end,
        case
            when cast(as_of_date as date) < expanded.start_date then 'not_started'
            when cast(as_of_date as date) < expanded.end_date then 'running'
            else 'over'
        end as window_state,
        cast(expanded.start_date - interval 1 year as date) as baseline_start,
        cast(least(expanded.end_date, cast(as_of_date as date)) - interval 1 year as date) as baseline_end,
        cast(expanded.end_date - interval 1 year as date) as baseline_full_end,
        cast(cast(as_of_date as date) - interval 1 year as date) as baseline_as_of,
        date_diff('day', expanded.start_date, expanded.end_date) + 1 as window_days,
        greatest(date_diff('day', expanded.start_date, least(expanded.end_date, cast(as_of_date as date))) + 1, 0)
            as elapsed_days
    from expanded
    join catalogue on catalogue.code = expanded.metric_code
)

select * from windows
