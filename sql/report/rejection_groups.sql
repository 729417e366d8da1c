-- Rejected rows grouped by file and reason, most frequent first
select source_file, kind, column_name, reason, count(*) as rows
from rejected_rows
where in_scope_file(file_id)
group by all
order by source_file, rows desc, reason
