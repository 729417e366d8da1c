-- ledger_metrics(evaluation): the targets over the campaign ledgers of an evaluation — per
-- campaign × compound, as things stand on as_of (the ledgers are the town's own current
-- record: their figures are as of as_of, not cut by any export's coverage).
--   ledger_signoff_rate  due items (deadline ≤ as_of) signed off by as_of / due items; the
--                        items not yet due are counted apart (in the note)
--   overdue_items        items whose deadline < as_of, not signed off by as_of (no data, not 0,
--                        when the ledger holds no item of the compound)
--   cctv_coverage_rate   监控 已装 / 应装, the latest count on or before as_of
--   lighting_ok_rate     照明 完好 / 应有, the latest count on or before as_of
--   five_haves_met       of the latest 五有 check on or before as_of, the points achieved on or
--                        before as_of / 5 (met: all five)
--   satisfaction_rate    (满意 + 基本满意) / (满意 + 基本满意 + 不满意) of the surveys in the
--                        window up to as_of — the latest before it when none; 不了解 excluded
-- Rates compare exactly (numerator × 100 op target × denominator); while the window runs the
-- status is a pace status, as for every other rate.
create or replace macro ledger_metrics(evaluation) as table
with

targets as (
    select *
    from metric_targets((select as_of from metric_evaluations where evaluation_id = evaluation))
    where kind in ('ledger_rate', 'ledger_count')
),

items as (
    select targets.target_id, targets.metric, targets.as_of, ledger_items.*
    from targets
    join ledger_items on ledger_items.campaign = targets.campaign and ledger_items.compound = targets.compound
    where targets.metric in ('ledger_signoff_rate', 'overdue_items')
),

item_counts as (
    select
        target_id,
        count(*) filter (where deadline <= as_of) as due,
        count(*) filter (where deadline <= as_of and signed_off_by(is_signed_off, signed_off_on, as_of)) as signed_off,
        count(*) filter (where deadline < as_of and not signed_off_by(is_signed_off, signed_off_on, as_of)) as overdue,
        count(*) filter (where deadline > as_of or deadline is null) as not_due,
        count(*) filter (where (deadline > as_of or deadline is null)
                         and signed_off_by(is_signed_off, signed_off_on, as_of)) as not_due_signed_off
    from items
    group by target_id
),

facility_rows as (
    select
        targets.target_id,
        facilities.planned,
        case when targets.metric = 'cctv_coverage_rate' then facilities.installed else facilities.working end
            as counted,
        facilities.counted_on,
        row_number() over (
            partition by targets.target_id
            order by facilities.counted_on desc, facilities.export_at desc, facilities.file_id desc
        ) as newest
    from targets
    join facilities
      on facilities.compound = targets.compound
     and facilities.facility_type = case targets.metric when 'cctv_coverage_rate' then '监控' else '照明' end
     and facilities.counted_on <= targets.as_of
    where targets.metric in ('cctv_coverage_rate', 'lighting_ok_rate')
),

checks as (
    select
        targets.target_id,
        five_haves.checked_on,
        list_filter(
            [
                case when five_haves.owners_body_on <= targets.as_of then '有业主自治组织' end,
                case when five_haves.security_on <= targets.as_of then '有安全防护设施' end,
                case when five_haves.property_on <= targets.as_of then '有基本物业服务' end,
                case when five_haves.environment_on <= targets.as_of then '有干净整洁环境' end,
                case when five_haves.mechanism_on <= targets.as_of then '有长效管理机制' end
            ],
            lambda x: x is not null
        ) as achieved,
        row_number() over (
            partition by targets.target_id
            order by five_haves.checked_on desc, five_haves.export_at desc, five_haves.file_id desc
        ) as newest
    from targets
    join five_haves on five_haves.compound = targets.compound and five_haves.checked_on <= targets.as_of
    where targets.metric = 'five_haves_met'
),

answers as (
    select
        targets.target_id,
        surveys.survey_date,
        surveys.survey_date >= targets.window_start as in_window,
        coalesce(surveys.satisfied, 0) + coalesce(surveys.fairly, 0) as content,
        case
            when surveys.unsatisfied is not null or surveys.fairly is not null or surveys.samples is null
                then coalesce(surveys.satisfied, 0) + coalesce(surveys.fairly, 0) + coalesce(surveys.unsatisfied, 0)
            else surveys.samples - coalesce(surveys.unknown, 0)
        end as valid,
        coalesce(surveys.unknown, 0) as unknown
    from targets
    join surveys on surveys.compound = targets.compound and surveys.survey_date <= targets.as_of
    where targets.metric = 'satisfaction_rate'
),

survey_counts as (
    -- the window's surveys; when there is none, the latest one before it
    select
        target_id,
        sum(content) as content,
        sum(valid) as valid,
        sum(unknown) as unknown,
        min(survey_date) as first_date,
        max(survey_date) as last_date,
        bool_or(in_window) as in_window
    from (
        select *, max(in_window::int) over (partition by target_id) as any_in_window,
               max(survey_date) over (partition by target_id) as latest
        from answers
    )
    where (any_in_window = 1 and in_window) or (any_in_window = 0 and survey_date = latest)
    group by target_id
),

counts as (
    select
        targets.*,
        case targets.metric
            when 'ledger_signoff_rate' then item_counts.signed_off
            when 'overdue_items' then item_counts.overdue  -- null (no data) when the ledger has no item here
            when 'five_haves_met' then len(checks.achieved)
            when 'satisfaction_rate' then survey_counts.content
            else facility_rows.counted
        end as numerator,
        case targets.metric
            when 'ledger_signoff_rate' then item_counts.due
            when 'five_haves_met' then case when checks.target_id is not null then 5 end
            when 'satisfaction_rate' then survey_counts.valid
            when 'overdue_items' then null
            else facility_rows.planned
        end as denominator,
        item_counts.not_due,
        item_counts.not_due_signed_off,
        facility_rows.counted_on,
        checks.achieved,
        checks.checked_on,
        survey_counts.first_date,
        survey_counts.last_date,
        survey_counts.in_window,
        survey_counts.unknown
    from targets
    left join item_counts using (target_id)
    left join (select * from facility_rows where newest = 1) as facility_rows using (target_id)
    left join (select * from checks where newest = 1) as checks using (target_id)
    left join survey_counts using (target_id)
),

final as (
    select
        target_id,
        case
            when window_state = 'not_started' then null
            when kind = 'ledger_count' then numerator::double
            else ratio(window_state, numerator, denominator)
        end as actual,
        null::double as baseline,
        case when window_state <> 'not_started' and kind = 'ledger_rate' then numerator end as numerator,
        case when window_state <> 'not_started' and kind = 'ledger_rate' then denominator end as denominator,
        null::double as change,
        case when window_state = 'running' and kind = 'ledger_rate' then ratio(window_state, numerator, denominator) end
            as projected,
        case
            when kind = 'ledger_rate' then rate_status(window_state, numerator, denominator, target_op, target_percent)
            when window_state = 'not_started' or numerator is null then 'no_data'
            when compare(numerator, target_op, target_percent)
                then case when window_state = 'over' then 'met' else 'on_track' end
            else case when window_state = 'over' then 'missed' else 'at_risk' end
        end as status,
        false as low_base,
        case
            when window_state = 'not_started' then coverage_note
            when metric = 'ledger_signoff_rate' and coalesce(denominator, 0) = 0 and coalesce(not_due, 0) = 0
                then '台账中没有该小区的事项'
            when metric = 'ledger_signoff_rate' and coalesce(denominator, 0) = 0
                then '尚无到期事项（未到期 ' || not_due || ' 项）'
            when metric = 'ledger_signoff_rate' and not_due > 0
                then '另有未到期事项 ' || not_due || ' 项（其中已销号 ' || not_due_signed_off || ' 项），不计入'
            when metric = 'overdue_items' and numerator is null then '台账中没有该小区的事项'
            when metric = 'overdue_items' and numerator > 0 then '逾期未销号 ' || numerator || ' 项'
            when metric in ('cctv_coverage_rate', 'lighting_ok_rate') and denominator is null
                then '技防设施表中没有该小区的' || case metric when 'cctv_coverage_rate' then '监控' else '照明' end || '统计'
            when metric in ('cctv_coverage_rate', 'lighting_ok_rate')
                then '统计日期 ' || strftime(counted_on, '%Y-%m-%d')
            when metric = 'five_haves_met' and checked_on is null then '没有该小区的五有核验'
            when metric = 'five_haves_met' and len(achieved) < 5
                then '核验日期 ' || strftime(checked_on, '%Y-%m-%d') || '；未做到：' || array_to_string(list_filter(
                    ['有业主自治组织', '有安全防护设施', '有基本物业服务', '有干净整洁环境', '有长效管理机制'],
                    lambda x: not list_contains(achieved, x)), '、')
            when metric = 'five_haves_met' then '核验日期 ' || strftime(checked_on, '%Y-%m-%d') || '；五项都已做到'
            when metric = 'satisfaction_rate' and denominator is null then '没有该小区的满意度调查'
            when metric = 'satisfaction_rate' and not in_window
                then '整治期内尚无调查，采用 ' || strftime(last_date, '%Y-%m-%d') || ' 的调查'
                     || case when unknown > 0 then '；不了解 ' || unknown || ' 人不计入' else '' end
            when metric = 'satisfaction_rate' and unknown > 0 then '不了解 ' || unknown || ' 人不计入'
        end as note
    from counts
)

select * from final
