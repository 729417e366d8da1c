-- 寻衅滋事处罚率: public-order cases of picking quarrels; done = a penalty was imposed
select case_id as record_id, compound, event_date, punished_date as done_date, is_punished_undated as is_done_undated
from stg_cases
where case_kind = 'public_order' and not is_excluded and offence = '寻衅滋事'
