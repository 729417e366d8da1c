-- Per source file: what it was recognised as, rows read / loaded / rejected / unattributed
with

unattributed as (
    select source_file, count(*) as rows_unattributed from (
        select source_file from alerts where compound is null
        union all select source_file from cases where compound is null
        union all select source_file from residents where compound is null
    )
    group by source_file
),

kinds as (
    select source_file, string_agg(distinct kind, '、' order by kind) as kinds
    from ingest_log
    where kind is not null
    group by source_file
)

select
    files.source_file,
    files.outcome,
    kinds.kinds,
    files.rows_read,
    files.rows_loaded,
    files.rows_rejected,
    coalesce(unattributed.rows_unattributed, 0) as rows_unattributed,
    files.reason
from ingest_files as files
left join kinds using (source_file)
left join unattributed using (source_file)
where in_scope_file(files.file_id)
order by files.source_file
