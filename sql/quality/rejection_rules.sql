-- The most frequent rejections, grouped without their values (source kind, column, rule):
-- what the dashboard shows, since a reason may quote a personal value.
-- $station: one station's files (NULL: every file).
select kind, column_name, rule, count(distinct source_file || '|' || sheet || '|' || row_number) as rows
from rejected_rows
where file_in_station(file_id, $station)
group by all
order by rows desc, kind, column_name, rule
limit 8
