-- One row per 案件编号, attributed to a compound, with the dates on which it was solved,
-- closed and punished. A date decides "by as_of"; a case whose status says solved/closed/
-- punished but carries no date counts as done (the *_undated flags).
with

source as (
    select * from cases
),

decisions as (
    -- penalty-decision sheets: a non-void decision naming a penalty punishes its case
    select
        case_id,
        min(approved_at) as approved_at,
        bool_or(approved_at is null) as has_undated
    from penalty_decisions
    where coalesce(is_penalty, false) and not coalesce(is_void, false)
    group by case_id
),

renamed as (
    select
        -- ids
        source.case_id,
        source.compound,
        -- text
        source.case_kind,
        source.offence,
        source.status,
        -- booleans
        coalesce(source.is_economic_fraud, false) as is_economic_fraud,
        coalesce(source.is_completed, false) as is_completed,
        coalesce(source.is_victim_accountant, false) as is_victim_accountant,
        source.status in ('withdrawn', 'merged') as is_excluded,
        coalesce(source.has_penalty, false) or decisions.case_id is not null as is_punished,
        -- dates
        cast(source.event_at as date) as event_date,
        cast(source.solved_at as date) as solved_date,
        cast(source.closed_at as date) as closed_date,
        cast(
            coalesce(
                source.punished_at,
                decisions.approved_at,
                case when source.has_penalty then source.closed_at end
            ) as date
        ) as punished_date,
        -- done without a date
        source.solved_at is null
        and (source.status = 'solved' or coalesce(source.is_solved_flag, false)) as is_solved_undated,
        source.closed_at is null and source.status = 'closed' as is_closed_undated
    from source
    left join decisions on decisions.case_id = source.case_id
    where source.compound is not null
),

final as (
    select
        *,
        is_punished and punished_date is null as is_punished_undated
    from renamed
)

select * from final
