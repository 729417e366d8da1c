-- Rejected rows grouped by file, source kind, column and reason, most frequent first, with
-- the sheet and the first row numbers ($examples of them) for the analyst to find them.
-- The terminal and the report show it (the reason masked as its value is: a reason may
-- quote it). $station: one station's files (NULL: every file).
select
    source_file,
    kind,
    column_name,
    reason,
    count(*) as rows,
    min(value) as value,                -- the value a reason may quote (masked by the outputs)
    min(sheet) as sheet,
    list(row_number order by row_number)[1:$examples] as first_rows
from rejected_rows
where file_in_station(file_id, $station)
group by source_file, kind, column_name, reason
order by source_file, rows desc, reason
