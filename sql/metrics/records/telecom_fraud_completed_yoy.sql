-- 电网诈既遂案件: criminal telecom-fraud cases with 是否既遂 = 是
select case_id as record_id, compound, event_date, null::date as done_date, false as is_done_undated
from stg_cases
where case_kind = 'criminal' and not is_excluded and offence = '电信网络诈骗' and is_completed
