-- The registry rows that define each compound: the newest export listing it (export time,
-- then the later file) defines it entirely.
with

versions as (
    select distinct compound_name, file_id, export_at from registry_rows
),

ranked as (
    select
        *,
        row_number() over (partition by compound_name order by export_at desc, file_id desc) as rank
    from versions
)

select rows.*
from registry_rows as rows
join ranked
    on ranked.compound_name = rows.compound_name and ranked.file_id = rows.file_id and ranked.rank = 1
