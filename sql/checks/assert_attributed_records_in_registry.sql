-- records are attributed only to compounds of the registry
select kind, record_id, compound
from loaded_records
where compound not in (select compound from compounds)
