-- The registry rows in force, a file per community adding up: each address belongs to the
-- compound of the newest row listing it (export time, then the later file, then the later
-- row). Compound-level columns are taken per column (rebuild_compounds.sql).
with

ranked as (
    select
        *,
        row_number() over (
            partition by address order by export_at desc, file_id desc, source_row desc
        ) as rank
    from registry_rows
)

select * exclude (rank)
from ranked
where rank = 1
