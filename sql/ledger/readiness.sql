-- readiness(evaluation): per campaign × compound of an evaluation, whether it is ready for
-- 验收摘牌 and, when not, what blocks it (Chinese, one list): every target of the campaign
-- met — or on track with data covering the whole window — and no ledger item open.
create or replace macro readiness(evaluation) as table
with

results as (
    select * from metric_history where evaluation_id = evaluation
),

target_blockers as (
    -- the targets not yet met, grouped by why: 未达标 / 有风险 / 无数据 / 进度正常 but the window
    -- (or its data) not over
    select
        campaign,
        compound,
        case
            when status = 'missed' then '未达标'
            when status = 'at_risk' then '有风险'
            when status = 'no_data' then '无数据'
            when status = 'on_track' and coalesce(covered_to, as_of) < window_end then '进度正常、待整治期结束'
        end as reason,
        case status when 'missed' then 1 when 'at_risk' then 2 when 'no_data' then 3 else 4 end as severity,
        metric_name,
        metric
    from results
    where status <> 'met'
),

grouped as (
    select
        campaign,
        compound,
        severity,
        reason || '：' || string_agg(metric_name, '、' order by metric) as line,
        count(*) as targets
    from target_blockers
    where reason is not null
    group by campaign, compound, severity, reason
),

open_items as (
    select
        results.campaign,
        results.compound,
        count(distinct items.item_key) as open_items,
        string_agg(distinct items.item, '、' order by items.item) as names
    from (select distinct campaign, compound, as_of from results) as results
    join ledger_items as items
      on items.campaign = results.campaign and items.compound = results.compound
     and not signed_off_by(items.is_signed_off, items.signed_off_on, results.as_of)
    group by results.campaign, results.compound
),

compounds as (
    select distinct campaign, compound, as_of from results
),

listed as (
    select
        compounds.campaign,
        compounds.compound,
        compounds.as_of,
        list(grouped.line order by grouped.severity) filter (where grouped.line is not null) as target_list,
        coalesce(sum(grouped.targets), 0) as targets_open,
        any_value(open_items.open_items) as open_items,
        any_value(open_items.names) as open_names
    from compounds
    left join grouped using (campaign, compound)
    left join open_items using (campaign, compound)
    group by compounds.campaign, compounds.compound, compounds.as_of
)

select
    campaign,
    compound,
    as_of,
    targets_open = 0 and coalesce(open_items, 0) = 0 as ready,
    nullif(concat_ws(
        '；',
        case when len(target_list) > 0 then array_to_string(target_list, '；') end,
        case when open_items > 0 then '未销号事项 ' || open_items || ' 项：'
            || case when length(open_names) > 80 then left(open_names, 80) || '……' else open_names end end
    ), '') as blockers,
    targets_open::bigint as targets_open,
    coalesce(open_items, 0) as items_open
from listed
