-- Per source file: what it was recognised as; rows read, loaded, rejected, blank, 合计
-- (read = loaded + rejected + blank + 合计) and left unattributed; why a file was rejected or skipped. The terminal (`zhian quality`) and the
-- report show it. $station: one station's files (NULL: every file).
with

named as (
    select file_id, source_file from ingest_files
),

unattributed as (
    select named.source_file, sum(counts.records)::bigint as rows_unattributed
    from record_counts as counts
    join named using (file_id)
    where counts.compound is null
    group by named.source_file
),

kinds as (
    select source_file, string_agg(distinct kind, '、' order by kind) as kinds
    from ingest_log
    where kind is not null
    group by source_file
),

ignored as (
    select
        file_id,
        coalesce(sum(rows_blank), 0)::bigint as rows_blank,
        coalesce(sum(rows_total), 0)::bigint as rows_total
    from ingest_log
    where outcome = 'loaded'
    group by file_id
)

select
    files.source_file,
    files.outcome,
    kinds.kinds,
    files.rows_read,
    files.rows_loaded,
    files.rows_rejected,
    coalesce(ignored.rows_blank, 0) as rows_blank,
    coalesce(ignored.rows_total, 0) as rows_total,
    coalesce(unattributed.rows_unattributed, 0) as rows_unattributed,
    files.reason
from ingest_files as files
left join kinds using (source_file)
left join unattributed using (source_file)
left join ignored using (file_id)
where file_in_station(files.file_id, $station)
order by files.source_file
