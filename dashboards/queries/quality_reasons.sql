-- The most frequent rejection reasons, grouped without the values (source, column, rule)
select kind, column_name, rule, count(distinct source_file || '|' || sheet || '|' || row_number) as rows
from rejected_rows
where in_scope_file(file_id)
group by all
order by rows desc, kind, column_name, rule
limit 8
