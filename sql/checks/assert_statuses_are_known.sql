-- statuses are the five of metrics.md; on_track / at_risk only while the window runs
select * from metric_results
where status not in ('met', 'missed', 'on_track', 'at_risk', 'no_data')
   or (status in ('on_track', 'at_risk') and as_of >= window_end)
