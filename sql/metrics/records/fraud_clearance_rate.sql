-- 诈骗案件破案率: criminal fraud cases including telecom fraud, economic-crime frauds
-- (合同诈骗, 信用卡诈骗 …) excluded; done = solved
select case_id as record_id, compound, event_date, solved_date as done_date, is_solved_undated as is_done_undated
from stg_cases
where case_kind = 'criminal' and not is_excluded
  and offence in ('诈骗', '电信网络诈骗') and not is_economic_fraud
