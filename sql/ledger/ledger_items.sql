-- ledger_items: one row per item of the campaign ledgers (整治台账 / 问题清单) and compound
-- it concerns, with its deadline resolved — what the ledger metrics, the per-unit progress,
-- the 摘牌 readiness and the 督导通报 read. Other tools rely on this name.
-- campaign:  as written; an item naming none belongs to every campaign with targets for its
--            compounds (the campaign of a one-campaign ledger needs no column)
-- compound:  each one the item names (a registry name or alias); 全部: every compound of its
--            campaign's targets
-- deadline:  a date as written; 8月22日前: that day of the campaign's start year (the next
--            year when it falls before the start); a phase's name (第二阶段, 宣传发动阶段, or
--            the phase's number): its end; none: the campaign's end
-- status:    未启动 not_started, 推进中 in_progress, 已完成 done, 已销号 signed_off
with

rows as (
    select * from ledger_rows
),

campaigns as (
    select campaign, min(start_date) as start_date, max(end_date) as end_date
    from targets
    group by campaign
),

campaign_compounds as (
    select distinct campaign, compound from stg_target_compounds
),

phases as (
    select
        campaign,
        phase,
        start_date,
        end_date,
        row_number() over (partition by campaign order by start_date, end_date) as phase_number
    from campaign_phases
),

named as (
    select rows.*, unnest(rows.compound_list) as named_compound
    from rows
),

-- every (campaign, compound) an item concerns
placed as (
    -- a named campaign and a named compound
    select named.*, named.campaign as item_campaign, compound_names.compound as item_compound
    from named
    join compound_names on compound_names.name = named.named_compound
    where named.campaign is not null
    union all
    -- a named campaign and 全部
    select named.*, named.campaign, campaign_compounds.compound
    from named
    join campaign_compounds on campaign_compounds.campaign = named.campaign
    where named.named_compound = '全部'
    union all
    -- no campaign: every campaign targeting the compound (or, for 全部, every campaign's compounds)
    select named.*, campaign_compounds.campaign, campaign_compounds.compound
    from named
    join compound_names on compound_names.name = named.named_compound
    join campaign_compounds on campaign_compounds.compound = compound_names.compound
    where named.campaign is null
    union all
    select named.*, campaign_compounds.campaign, campaign_compounds.compound
    from named
    join campaign_compounds on true
    where named.campaign is null and named.named_compound = '全部'
),

resolved as (
    select
        placed.*,
        campaigns.start_date as campaign_start,
        campaigns.end_date as campaign_end,
        (
            select phases.end_date
            from phases
            where phases.campaign = placed.item_campaign
              and (
                  phases.phase = placed.deadline_phase
                  or placed.deadline_phase in (
                      '第' || phase_numeral(phases.phase_number) || '阶段', '第' || phases.phase_number || '阶段'
                  )
                  or (length(phase_stem(placed.deadline_phase)) >= 2
                      and (contains(phase_stem(phases.phase), phase_stem(placed.deadline_phase))
                           or contains(phase_stem(placed.deadline_phase), phase_stem(phases.phase))))
              )
            order by phases.start_date
            limit 1
        ) as phase_end
    from placed
    left join campaigns on campaigns.campaign = placed.item_campaign
),

dated as (
    select
        *,
        case
            when deadline_date is not null then deadline_date
            when deadline_month is not null and campaign_start is not null then
                -- the day in the campaign's start year (the month's last day when it has fewer)
                least(
                    make_date(
                        year(campaign_start) + case when deadline_month < month(campaign_start) then 1 else 0 end,
                        deadline_month,
                        1
                    ) + interval (deadline_day - 1) day,
                    last_day(make_date(
                        year(campaign_start) + case when deadline_month < month(campaign_start) then 1 else 0 end,
                        deadline_month,
                        1
                    ))
                )::date
            when deadline_phase is not null then phase_end
            when deadline_raw is null then campaign_end
        end as deadline
    from resolved
)

select
    item_campaign as campaign,
    item_compound as compound,
    item_key,
    item_no,
    item,
    category,
    units,
    person,
    deadline,
    deadline_raw,
    case
        when deadline is not null then null
        when deadline_phase is not null then '没有找到这个阶段：' || deadline_phase
        when deadline_month is not null then '整治项目没有开始日期，无法确定年份'
        else '没有完成时限，整治项目也没有结束日期'
    end as deadline_note,
    coalesce(state, 'in_progress') as status,
    done_on,
    signed_off_on,
    state = 'signed_off' as is_signed_off,
    has_signoff_step,
    source_file,
    source_row,
    file_id,
    export_at
from dated
