-- The rejected rows themselves, in file order, for the analyst to fix the export (the report
-- masks their personal values). $station: one station's files (NULL: every file).
select source_file, sheet, row_number, column_name, value, reason, kind
from rejected_rows
where file_in_station(file_id, $station)
order by source_file, sheet, row_number, column_name
