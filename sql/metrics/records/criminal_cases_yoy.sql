-- 刑事案件: criminal cases filed (withdrawn and merged cases excluded)
select case_id as record_id, compound, event_date, null::date as done_date, false as is_done_undated
from stg_cases
where case_kind = 'criminal' and not is_excluded
