-- 有责财会人员被骗案件: criminal fraud cases (incl. telecom) whose victim is accounting staff
select case_id as record_id, compound, event_date, null::date as done_date, false as is_done_undated
from stg_cases
where case_kind = 'criminal' and not is_excluded
  and offence in ('诈骗', '电信网络诈骗') and is_victim_accountant
