-- Per source kind: rows read, loaded, rejected, blank and 合计 (read = loaded + rejected +
-- blank + 合计) and left unattributed; files rejected or
-- skipped, sheets skipped (counts only, no values). The dashboard shows it.
-- $station: one station's files and units (NULL: everything).
with

logged as (
    select
        kind,
        sum(rows_read) as rows_read,
        sum(rows_loaded) as rows_loaded,
        sum(rows_rejected) as rows_rejected,
        coalesce(sum(rows_blank), 0)::bigint as rows_blank,
        coalesce(sum(rows_total), 0)::bigint as rows_total
    from ingest_log
    where outcome = 'loaded' and file_in_station(file_id, $station)
    group by kind
),

unattributed as (
    select kind, sum(records)::bigint as rows_unattributed
    from record_counts
    where compound is null and unit_in_station(unit, $station)
    group by kind
),

files as (
    select
        count(*) filter (where outcome = 'rejected') as files_rejected,
        count(*) filter (where outcome = 'skipped') as files_skipped,
        count(*) as files
    from ingest_files
    where file_in_station(file_id, $station)
),

sheets as (
    select count(*) filter (where outcome = 'skipped') as sheets_skipped
    from ingest_log
    where file_in_station(file_id, $station)
)

select
    logged.*,
    coalesce(unattributed.rows_unattributed, 0) as rows_unattributed,
    files.files,
    files.files_rejected,
    files.files_skipped,
    sheets.sheets_skipped
from logged
left join unattributed using (kind)
cross join files
cross join sheets
order by logged.kind
