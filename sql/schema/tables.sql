-- The fixed tables of zhian. Idempotent: run at every connection (pipeline/schema.py).
-- The tables the source kinds load into (alerts, cases, penalty_decisions, residents,
-- registry_rows, target_rows and the history tables) are declared with their kinds in
-- pipeline/sources/ and created from there; this file holds what the ingest, the metric
-- engine and the outputs keep besides.

create table if not exists zhian_meta (
    key varchar primary key,
    value varchar
);

create sequence if not exists file_id_seq start 1;

-- one row per inbox file ever seen (by content hash)
create table if not exists ingest_files (
    file_id integer primary key,
    source_file varchar not null,
    content_hash varchar not null,
    file_size bigint,
    file_mtime timestamp,
    format varchar,
    outcome varchar not null,      -- loaded, partly_loaded, rejected, skipped
    reason varchar,
    sheets integer,
    rows_read bigint,
    rows_loaded bigint,
    rows_rejected bigint,
    rows_ignored bigint,
    ingested_at timestamp
);

-- one row per sheet of every file (a rejected file has one row with sheet null)
create table if not exists ingest_log (
    file_id integer,
    source_file varchar,
    content_hash varchar,
    sheet varchar,
    sheet_visibility varchar,
    kind varchar,
    header_row integer,            -- 1-based, as Excel shows it
    export_at timestamp,
    export_time_source varchar,    -- 标题行, 文件修改时间
    rows_read bigint,
    rows_loaded bigint,
    rows_rejected bigint,
    rows_blank bigint,
    rows_total bigint,             -- 合计 rows
    outcome varchar,               -- loaded, skipped, rejected
    file_outcome varchar,
    notes varchar
);

create table if not exists rejected_rows (
    file_id integer,
    source_file varchar,
    sheet varchar,
    row_number bigint,             -- 1-based, as Excel shows it
    column_name varchar,           -- the header as the file spells it
    value varchar,
    reason varchar,                -- Chinese, may quote the value
    kind varchar,                  -- the source kind of the sheet
    rule varchar                   -- required, parsed, problem, conflict: groups reasons without values
);

create table if not exists compounds (
    compound varchar not null,
    community varchar,
    street varchar,
    unit varchar,
    compound_group varchar,
    population_base bigint,
    aliases varchar,
    buildings bigint,
    units bigint,
    address_count integer,
    source_file varchar,
    export_at timestamp
);

create table if not exists compound_addresses (
    compound varchar,
    address varchar,
    buildings bigint,
    units bigint,
    source_file varchar,
    source_row bigint
);

create table if not exists targets (
    campaign varchar,
    compounds varchar,             -- as written: 全部, or names separated by 、
    compound_list varchar[],
    start_date date,
    end_date date,
    metric_code varchar,
    metric_raw varchar,
    target_raw varchar,
    target_op varchar,             -- >=, >, <=, <, =
    target_percent decimal(18, 4), -- as written: percent for rates and changes (-20 = down 20 %), count for zero counts
    source_file varchar,
    source_sheet varchar,
    source_row bigint,
    export_at timestamp,
    target_note varchar            -- a target split from the 指标 cell, qualifiers (有责)
);

-- attribution of each distinct (compound_hint, address), for the registry version it used
create table if not exists attribution_lookup (
    compound_hint varchar,
    address varchar,
    compound varchar,
    attribution varchar,
    attribution_note varchar,
    doorplate varchar,             -- unattributed: road + number (凤仙路461号)
    suggestion varchar             -- unattributed: the compound on both sides of it (a hint, never used)
);

-- metric evaluations: every run of the metric engine is kept, so a figure reported last
-- month can be reproduced exactly; metric_results shows the latest published one (a look at
-- another date or campaign is kept but never replaces what other tools read)
create sequence if not exists evaluation_id_seq start 1;

create table if not exists metric_evaluations (
    evaluation_id integer primary key,
    run_at timestamp,
    as_of date,
    rate_definition varchar,       -- cohort (default) or period
    targets integer,
    fingerprint varchar,           -- of the results: an identical re-evaluation is not stored twice
    low_base_cutoff integer,       -- a baseline count or denominator under this is a small base
    published boolean              -- what metric_results shows: the latest published (zhian run, the refresh flow)
);

-- the counts an evaluation summed: per metric, compound and day, the records whose event
-- was that day (events), how many of them were done by as_of and by as_of one year
-- earlier, done without a date; and the records done that day (done, for the period
-- definition of rates). Kept for the latest stored evaluation only: its charts and trends.
create table if not exists metric_daily (
    evaluation_id integer,
    metric varchar,
    kind varchar,
    compound varchar,
    day date,
    events bigint,
    done_by_as_of bigint,
    done_by_baseline_as_of bigint,
    done_undated bigint,
    done bigint
);

create table if not exists metric_history (
    evaluation_id integer,
    campaign varchar,
    compound varchar,
    metric varchar,
    metric_name varchar,
    kind varchar,                  -- count_change, rate, zero_count, stock_rate
    unit varchar,
    window_start date,
    window_end date,
    window_state varchar,          -- not_started, not_covered (no data of its source), running, over
    current_end date,              -- the window cut to as_of
    baseline_start date,
    baseline_end date,
    as_of date,
    actual double,                 -- a count, or a rate as a fraction
    baseline double,
    numerator bigint,
    denominator bigint,
    change double,                 -- a fraction: -0.2 = down 20 %
    projected double,              -- pace: projected full-window count, or the to-date rate
    projected_change double,       -- pace of a count change: projected count vs the full baseline
    baseline_full double,          -- count change: the whole baseline window (for the pace)
    target_op varchar,             -- >=, >, <=, <, =
    target_value double,           -- a fraction for rates and changes, a count for zero counts
    target_percent decimal(18, 4), -- the exact target (percent, or count) the status is decided with
    target_raw varchar,
    status varchar,                -- met, missed, on_track, at_risk, no_data
    low_base boolean,              -- baseline count or denominator under the evaluation's low_base_cutoff
    note varchar,
    rate_definition varchar,
    source_file varchar,
    source_row bigint,
    covered_to date,               -- the last day the data of the metric's source covers (null: none loaded)
    evaluated_to date,             -- the day the figures are as of: least(as_of, covered_to)
    p_value double,                -- count changes: exact two-sided test of "no change" (conditional binomial)
    significant boolean            -- p_value < 0.05; never changes the status
);

create table if not exists target_problems (
    campaign varchar,
    metric_code varchar,
    named_compound varchar,
    source_file varchar,
    source_sheet varchar,
    source_row bigint,
    problem varchar
);

create table if not exists compound_ranking (
    year integer,
    compound varchar,
    population_base bigint,
    count_alerts bigint,
    count_criminal_cases bigint,
    count_thefts bigint,
    count_property_crimes bigint,
    count_disputes bigint,
    rank_sum double,
    priority integer,              -- 1 = remediate first
    batch integer,                 -- 1, 2, 3: one third each
    batch_year integer,
    per_thousand boolean
);

-- who produced unmasked personal data, when, and what (zhian report --internal)
create table if not exists audit_log (
    happened_at timestamp,
    os_user varchar,
    host varchar,
    action varchar,
    detail varchar
);

-- The loaded records counted per source, file, unit, station and compound (the census, kept
-- by the ingest: pipeline/ingest/census.py); what the freshness table, the quality summaries
-- and the station maps read instead of the records.
create table if not exists record_counts (
    kind varchar,                  -- the source kind: alerts, cases, residents
    source varchar,                -- alerts, criminal, public_order, residents
    file_id integer,
    unit varchar,                  -- 管辖单位 as written
    station varchar,               -- station_name(unit)
    compound varchar,              -- null: unattributed
    records bigint,
    latest_record timestamp,
    latest_export timestamp
);

-- What each export with a stated export time (title row, file name) covers: per sheet,
-- source and station, the last complete day (pipeline/ingest/coverage.py). Exports that
-- state no time are covered by their last record (the source_coverage view).
create table if not exists export_coverage (
    file_id integer,
    sheet varchar,
    kind varchar,
    source varchar,                -- alerts, criminal, public_order, residents
    station varchar,               -- null: an export naming no unit (it covers every station)
    covered_to date,               -- the day before the export's date (its own date if exported at 23:59)
    basis varchar,                 -- 标题行, 文件名
    export_at timestamp
);

-- The station of each compound (registry, else most of its records), kept with record_counts.
create table if not exists compound_stations (
    compound varchar,
    station varchar,
    station_source varchar         -- registry, records
);
