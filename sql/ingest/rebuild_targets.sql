-- targets from the target rows, after target rows load (pipeline/sources/targets.py): for
-- each campaign, the newest export listing it (export time, then the later file).
delete from targets;

insert into targets
with

versions as (
    select distinct campaign, file_id, export_at from target_rows
),

ranked as (
    select
        *,
        row_number() over (partition by campaign order by export_at desc, file_id desc) as rank
    from versions
)

select
    rows.campaign,
    rows.compounds,
    rows.compound_list,
    rows.start_date,
    rows.end_date,
    rows.metric_code,
    rows.metric_raw,
    rows.target_raw,
    rows.target_op,
    rows.target_percent,
    rows.source_file,
    rows.source_sheet,
    rows.source_row,
    rows.export_at,
    rows.target_note
from target_rows as rows
join ranked on ranked.campaign = rows.campaign and ranked.file_id = rows.file_id and ranked.rank = 1
order by rows.campaign, rows.source_row;
