-- 治安案件结案率: public-order cases (withdrawn and merged excluded); done = closed
select case_id as record_id, compound, event_date, closed_date as done_date, is_closed_undated as is_done_undated
from stg_cases
where case_kind = 'public_order' and not is_excluded
