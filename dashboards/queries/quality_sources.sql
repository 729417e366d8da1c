-- Rows loaded / rejected / unattributed per source kind (counts only, no values)
with

logged as (
    select kind, sum(rows_read) as rows_read, sum(rows_loaded) as rows_loaded, sum(rows_rejected) as rows_rejected
    from ingest_log
    where outcome = 'loaded' and in_scope_file(file_id)
    group by kind
),

unattributed as (
    select
        case when source in ('criminal', 'public_order') then 'cases' else source end as kind,
        sum(unattributed)::bigint as rows_unattributed
    from unit_records
    where in_scope_unit(unit)
    group by all
),

files as (
    select
        count(*) filter (where outcome = 'rejected') as files_rejected,
        count(*) filter (where outcome = 'skipped') as files_skipped,
        count(*) as files
    from ingest_files
    where in_scope_file(file_id)
),

sheets as (
    select count(*) filter (where outcome = 'skipped') as sheets_skipped from ingest_log where in_scope_file(file_id)
)

select logged.*, coalesce(unattributed.rows_unattributed, 0) as rows_unattributed,
       files.files, files.files_rejected, files.files_skipped, sheets.sheets_skipped
from logged
left join unattributed using (kind)
cross join files
cross join sheets
order by logged.kind
