-- One row per 警情编号 (the loaded table already keeps only the newest export), attributed
-- to a compound. Unattributed alerts never count towards a compound.
with

source as (
    select * from alerts
),

renamed as (
    select
        -- ids
        alert_id,
        compound,
        -- text
        nature,
        category,
        alert_type,
        offence,
        -- booleans
        coalesce(is_major, false) as is_major,
        coalesce(
            category = '火灾' or offence = '火灾' or alert_type like '%火灾%', false
        ) as is_fire,
        coalesce(nature = '无效', false) as is_invalid,
        -- timestamps
        alarm_at,
        cast(alarm_at as date) as alarm_date
    from source
    where compound is not null
)

select * from renamed
