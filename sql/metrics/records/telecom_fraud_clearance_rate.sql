-- 电网诈案件破案率: criminal telecom-fraud cases; done = solved
select case_id as record_id, compound, event_date, solved_date as done_date, is_solved_undated as is_done_undated
from stg_cases
where case_kind = 'criminal' and not is_excluded and offence = '电信网络诈骗'
