-- Stock rate (实有人口): residents are not windowed; they are a stock as of $as_of.
-- numerator:   records registered on or before $as_of that are done (registered; 准确)
-- denominator: the registry's 实有人口底数 (registration rate), or the records registered on
--              or before $as_of (accuracy rate: 准确 + 不准确, 未核查 excluded)
-- Missing or zero denominator: no data. Met when numerator * 100 >= target * denominator.
with

targets as (
    select * from metric_targets where kind = 'stock_rate'
),

counts as (
    select
        targets.target_id,
        coalesce(sum(daily.done_by_as_of) filter (where daily.day <= targets.as_of), 0)::bigint as numerator,
        coalesce(sum(daily.events) filter (where daily.day <= targets.as_of), 0)::bigint as records
    from targets
    left join metric_daily as daily
        on daily.metric = targets.metric and daily.compound = targets.compound
    group by targets.target_id
),

denominators as (
    select
        targets.target_id,
        counts.numerator,
        case
            when targets.denominator_is_population_base then compounds.population_base
            else counts.records
        end as denominator
    from targets
    join counts on counts.target_id = targets.target_id
    left join compounds on compounds.compound = targets.compound
),

final as (
    select
        targets.target_id,
        case when denominators.denominator > 0 and targets.window_state <> 'not_started'
            then denominators.numerator / denominators.denominator::double end as actual,
        null::double as baseline,
        case when targets.window_state <> 'not_started' then denominators.numerator end as numerator,
        case when targets.window_state <> 'not_started' then denominators.denominator end as denominator,
        null::double as change,
        case when targets.window_state = 'running' and denominators.denominator > 0
            then denominators.numerator / denominators.denominator::double end as projected,
        case
            when targets.window_state = 'not_started' or coalesce(denominators.denominator, 0) = 0 then 'no_data'
            when compare(denominators.numerator * 100, targets.target_op,
                         targets.target_percent * denominators.denominator)
                then case when targets.window_state = 'over' then 'met' else 'on_track' end
            else case when targets.window_state = 'over' then 'missed' else 'at_risk' end
        end as status,
        targets.window_state <> 'not_started' and coalesce(denominators.denominator, 0) < 30 as low_base,
        case
            when targets.window_state = 'not_started' then '整治尚未开始'
            when denominators.denominator is null and targets.denominator_is_population_base
                then '小区名册中没有实有人口底数'
            when coalesce(denominators.denominator, 0) = 0 then '没有可计算的人口记录'
            when denominators.numerator > denominators.denominator then '登记人数超过人口底数，请核实底数'
        end as note
    from targets
    join denominators on denominators.target_id = targets.target_id
)

select * from final
