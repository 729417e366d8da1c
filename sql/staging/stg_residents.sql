-- One row per ID number (the loaded table keeps the newest export), attributed to a
-- compound. A record without 登记日期 counts as registered on its export date.
with

source as (
    select * from residents
),

renamed as (
    select
        -- ids
        person_id,
        compound,
        -- text
        population_type,
        verification,
        -- dates
        coalesce(registered_at, cast(export_at as date)) as registered_date
    from source
    where compound is not null
)

select * from renamed
