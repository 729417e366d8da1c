-- The rejected rows themselves, in file order, for the analyst to fix the export
select source_file, sheet, row_number, column_name, value, reason, kind
from rejected_rows
where in_scope_file(file_id)
order by source_file, sheet, row_number, column_name
