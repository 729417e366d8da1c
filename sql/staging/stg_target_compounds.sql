-- Each target row expanded to the compounds it names: 全部 is every compound of the
-- registry; a name may be a compound or one of its aliases. Names that match no compound
-- are listed by sql/staging/stg_target_problems.sql instead.
with

targets as (
    select * from targets
    where metric_code is not null and target_op is not null
),

named as (
    select
        targets.*,
        unnest(targets.compound_list) as named_compound
    from targets
),

expanded as (
    select distinct
        named.campaign,
        coalesce(compound_names.compound, all_compounds.compound) as compound,
        named.metric_code,
        named.start_date,
        named.end_date,
        named.target_op,
        named.target_percent,
        named.target_raw,
        named.source_file,
        named.source_row
    from named
    left join compound_names on compound_names.name = named.named_compound
    left join compounds as all_compounds on named.named_compound = '全部'
    where compound_names.compound is not null or all_compounds.compound is not null
)

select * from expanded
