-- 刑事案件破案率: criminal cases (withdrawn and merged excluded); done = solved
select case_id as record_id, compound, event_date, solved_date as done_date, is_solved_undated as is_done_undated
from stg_cases
where case_kind = 'criminal' and not is_excluded
