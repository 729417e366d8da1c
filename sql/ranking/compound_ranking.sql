-- Remediation priority of the registry's compounds for a year (seed 002: "从盗窃案件、侵财
-- 案件、刑事案件总量以及矛盾纠纷总量等进行综合考量"). Five indicators per compound:
--   110 alerts (all natures but 无效), criminal cases (withdrawn and merged excluded),
--   thefts (criminal and public-order), property crimes (侵财: theft, robbery, snatching,
--   fraud incl. telecom fraud; criminal), disputes (alerts of category or type 纠纷);
-- optionally per 1,000 residents of the registry's 实有人口底数 ($per_thousand).
-- Each indicator is ranked, highest first (ties share the average rank); the compounds are
-- ordered by the sum of their ranks (then by name), and split into three batches of one
-- third each (the first third remediated in the year after, and so on).
with

compounds_of_registry as (
    select compound, population_base from compounds
),

year_alerts as (
    select compound, count(*) as count_alerts, count(*) filter (where category = '纠纷' or offence = '纠纷') as count_disputes
    from stg_alerts
    where year(alarm_date) = $year and not is_invalid
    group by compound
),

year_cases as (
    select
        compound,
        count(*) filter (where case_kind = 'criminal') as count_criminal_cases,
        count(*) filter (where offence = '盗窃') as count_thefts,
        count(*) filter (
            where case_kind = 'criminal' and offence in ('盗窃', '抢劫', '抢夺', '诈骗', '电信网络诈骗')
        ) as count_property_crimes
    from stg_cases
    where year(event_date) = $year and not is_excluded
    group by compound
),

counted as (
    select
        compounds_of_registry.compound,
        compounds_of_registry.population_base,
        coalesce(year_alerts.count_alerts, 0) as count_alerts,
        coalesce(year_cases.count_criminal_cases, 0) as count_criminal_cases,
        coalesce(year_cases.count_thefts, 0) as count_thefts,
        coalesce(year_cases.count_property_crimes, 0) as count_property_crimes,
        coalesce(year_alerts.count_disputes, 0) as count_disputes
    from compounds_of_registry
    left join year_alerts on year_alerts.compound = compounds_of_registry.compound
    left join year_cases on year_cases.compound = compounds_of_registry.compound
),

scaled as (
    -- the value each indicator is ranked by: a count, or a count per 1,000 residents
    select
        *,
        case when $per_thousand then 1000.0 / nullif(population_base, 0) else 1.0 end as scale
    from counted
),

average_ranks as (
    -- average rank of ties: (first position + last position) / 2
    select
        compound, population_base, count_alerts, count_criminal_cases, count_thefts,
        count_property_crimes, count_disputes,
        (rank() over (order by count_alerts * scale desc nulls last) * 2
            + count(*) over (partition by count_alerts * scale) - 1) / 2.0
        + (rank() over (order by count_criminal_cases * scale desc nulls last) * 2
            + count(*) over (partition by count_criminal_cases * scale) - 1) / 2.0
        + (rank() over (order by count_thefts * scale desc nulls last) * 2
            + count(*) over (partition by count_thefts * scale) - 1) / 2.0
        + (rank() over (order by count_property_crimes * scale desc nulls last) * 2
            + count(*) over (partition by count_property_crimes * scale) - 1) / 2.0
        + (rank() over (order by count_disputes * scale desc nulls last) * 2
            + count(*) over (partition by count_disputes * scale) - 1) / 2.0
        as rank_sum
    from scaled
),

ordered as (
    select
        *,
        row_number() over (order by rank_sum, compound) as priority,
        count(*) over () as compounds_total
    from average_ranks
),

final as (
    select
        $year as year,
        compound,
        population_base,
        count_alerts,
        count_criminal_cases,
        count_thefts,
        count_property_crimes,
        count_disputes,
        rank_sum,
        priority,
        least(3, ceil(priority * 3.0 / compounds_total))::integer as batch,
        ($year + least(3, ceil(priority * 3.0 / compounds_total)))::integer as batch_year,
        $per_thousand as per_thousand
    from ordered
)

select * from final order by priority
