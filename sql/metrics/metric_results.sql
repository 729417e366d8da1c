-- metric_results: the latest published evaluation (zhian run, the refresh flow), one row per
-- campaign × compound × target metric — the view other tools read (columns in
-- docs/metrics.md). A look at another date or campaign never replaces it.
select
    history.*,
    evaluations.run_at
from metric_history as history
join metric_evaluations as evaluations using (evaluation_id)
where history.evaluation_id = (select max(evaluation_id) from metric_evaluations where published)
