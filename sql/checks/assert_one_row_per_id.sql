-- one current row per alert, case and resident id
select kind, record_id
from loaded_records
group by kind, record_id
having count(*) > 1
