-- The sheets no source kind recognised, with why. $station: one station's files (NULL: all).
select source_file, sheet, notes
from ingest_log
where outcome = 'skipped' and file_in_station(file_id, $station)
order by source_file, sheet
