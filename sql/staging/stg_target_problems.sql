-- Target rows naming a compound that is not in the registry: listed for the analyst,
-- computed for nobody.
with

targets as (
    select * from targets
    where metric_code is not null and target_op is not null
),

named as (
    select
        campaign,
        metric_code,
        source_file,
        source_sheet,
        source_row,
        unnest(compound_list) as named_compound
    from targets
),

compound_names as (
    select compound as name from compounds
    union
    select trim(unnest(string_split(aliases, '、'))) as name from compounds where aliases is not null
),

final as (
    select
        campaign,
        metric_code,
        named_compound,
        source_file,
        source_sheet,
        source_row,
        '整治目标中的小区“' || named_compound || '”不在小区名册中' as problem
    from named
    where named_compound <> '全部'
      and named_compound not in (select name from compound_names)
)

select distinct * from final
