-- Columns added after a table first shipped: a database made by an older zhian gains them
-- (idempotent, run at every connection after tables.sql).
alter table rejected_rows add column if not exists rule varchar;
alter table metric_history add column if not exists projected_change double;
alter table metric_history add column if not exists baseline_full double;
alter table metric_evaluations add column if not exists low_base_cutoff integer;
alter table targets add column if not exists target_note varchar;
alter table attribution_lookup add column if not exists doorplate varchar;
alter table attribution_lookup add column if not exists suggestion varchar;
alter table metric_evaluations add column if not exists published boolean default true;
alter table metric_history add column if not exists covered_to date;
alter table metric_history add column if not exists evaluated_to date;
alter table metric_history add column if not exists p_value double;
alter table metric_history add column if not exists significant boolean;
