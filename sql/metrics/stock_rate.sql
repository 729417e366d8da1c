-- stock_rate(evaluation): the stock-rate targets (实有人口) of an evaluation. Residents are
-- not windowed: they are a stock as of as_of.
-- numerator:   records registered on or before as_of that are done (registered; 准确)
-- denominator: the registry's 实有人口底数 (registration rate), or the records registered on
--              or before as_of (accuracy rate: 准确 + 不准确, 未核查 excluded)
-- Missing or zero denominator: no data. Met when numerator * 100 >= target * denominator.
create or replace macro stock_rate(evaluation) as table
with

counts as (
    select
        targets.*,
        targets.stock_done_by_as_of as numerator,
        case
            when targets.denominator_is_population_base then compounds.population_base
            else targets.stock_events
        end as denominator
    from target_counts(evaluation, 'stock_rate') as targets
    left join compounds on compounds.compound = targets.compound
),

final as (
    select
        target_id,
        ratio(window_state, numerator, denominator) as actual,
        null::double as baseline,
        case when window_state not in ('not_started', 'not_covered') then numerator end as numerator,
        case when window_state not in ('not_started', 'not_covered') then denominator end as denominator,
        null::double as change,
        case when window_state = 'running' then ratio(window_state, numerator, denominator) end as projected,
        rate_status(window_state, numerator, denominator, target_op, target_percent) as status,
        window_state not in ('not_started', 'not_covered') and coalesce(denominator, 0) < low_base_cutoff as low_base,
        case
            when window_state in ('not_started', 'not_covered') then coverage_note
            when denominator is null and denominator_is_population_base then '小区名册中没有实有人口底数'
            when coalesce(denominator, 0) = 0 then '没有可计算的人口记录'
            when numerator > denominator then '登记人数超过人口底数，请核实底数'
        end as note
    from counts
)

select * from final
