-- 实有人口准确率: verified residents (准确 or 不准确; 未核查 excluded); done = 准确
select
    person_id as record_id,
    compound,
    registered_date as event_date,
    case when verification = '准确' then registered_date end as done_date,
    verification = '准确' as is_done_undated
from stg_residents
where verification in ('准确', '不准确')
