-- ledger_unit_progress: per campaign and responsible unit, the ledger progress as of the
-- latest published evaluation (that of metric_results; today before any) — see
-- unit_progress(). Other tools rely on this name.
select * from unit_progress(
    coalesce((select max(as_of) from metric_evaluations
              where evaluation_id = (select max(evaluation_id) from metric_evaluations where published)),
             current_date)
)
