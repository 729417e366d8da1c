-- The tables zhian loads into. Idempotent: run at every connection.
-- Every record table carries its provenance (source_file, source_sheet, source_row as
-- Excel shows it, export_at, file_id) and, where records are placed in compounds, the
-- attribution (compound, attribution = how, attribution_note = why not).

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

create table if not exists alerts (
    alert_id varchar not null,     -- one row per id: kept by the loader, checked by sql/checks
    alarm_at timestamp not null,
    nature varchar,
    category varchar,
    alert_type varchar,
    offence varchar,
    nature_code varchar,
    nature_raw varchar,
    category_raw varchar,
    type_raw varchar,
    classified_by varchar,         -- columns, declared, none
    address varchar,
    compound_hint varchar,
    unit varchar,
    bureau varchar,
    summary varchar,
    handling varchar,
    caller_name varchar,
    caller_phone varchar,
    is_major boolean,
    source_file varchar,
    source_sheet varchar,
    source_row bigint,
    export_at timestamp,
    file_id integer,
    compound varchar,
    attribution varchar,
    attribution_note varchar
);

create table if not exists cases (
    case_id varchar not null,
    case_kind varchar not null,    -- criminal, public_order
    kind_source varchar,
    cause varchar,
    offence varchar,
    cause_code varchar,
    is_economic_fraud boolean,
    event_at timestamp not null,   -- 立案时间 (criminal) or 受理时间 (public order)
    filed_at timestamp,
    accepted_at timestamp,
    occurred_at timestamp,
    solved_at timestamp,
    closed_at timestamp,
    punished_at timestamp,
    status varchar,                -- filed, solved, withdrawn, merged / accepted, closed, withdrawn, merged
    status_raw varchar,
    is_solved_flag boolean,
    has_penalty boolean,
    result varchar,
    is_completed boolean,
    is_victim_accountant boolean,
    loss_amount double,
    address varchar,
    compound_hint varchar,
    unit varchar,
    summary varchar,
    source_file varchar,
    source_sheet varchar,
    source_row bigint,
    export_at timestamp,
    file_id integer,
    compound varchar,
    attribution varchar,
    attribution_note varchar
);

create table if not exists penalty_decisions (
    decision_key varchar not null,
    decision_id varchar,
    case_id varchar,
    penalty_type varchar,
    is_penalty boolean,
    approved_at timestamp,
    doc_status varchar,
    is_void boolean,
    person_name varchar,
    source_file varchar,
    source_sheet varchar,
    source_row bigint,
    export_at timestamp,
    file_id integer
);

create table if not exists residents (
    person_id varchar not null,
    id_kind varchar,
    doc_id varchar,
    name varchar,
    population_type varchar,
    type_source varchar,
    address varchar,
    household_address varchar,
    compound_hint varchar,
    registered_at date,
    verification varchar,
    verified_at timestamp,
    phone varchar,
    unit varchar,
    source_file varchar,
    source_sheet varchar,
    source_row bigint,
    export_at timestamp,
    file_id integer,
    compound varchar,
    attribution varchar,
    attribution_note varchar
);

-- every registry row ever loaded; `compounds` and `compound_addresses` are derived from it
create table if not exists registry_rows (
    compound_name varchar,
    address varchar,
    community varchar,
    street varchar,
    unit varchar,
    compound_group varchar,
    population_base bigint,
    aliases varchar,
    buildings bigint,
    units bigint,
    remark varchar,
    plan_period varchar,
    source_file varchar,
    source_sheet varchar,
    source_row bigint,
    export_at timestamp,
    file_id integer
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

-- every target row ever loaded; `targets` is derived from it
create table if not exists target_rows (
    campaign varchar,
    compounds varchar,
    compound_list varchar[],
    start_date date,
    end_date date,
    metric_code varchar,
    metric_raw varchar,
    target_raw varchar,
    target_op varchar,
    target_value decimal(18, 4),
    source_file varchar,
    source_sheet varchar,
    source_row bigint,
    export_at timestamp,
    file_id integer
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
    target_value decimal(18, 4),   -- percent for rates and changes (-20 = down 20 %), count for zero counts
    source_file varchar,
    source_sheet varchar,
    source_row bigint,
    export_at timestamp
);

-- attribution of each distinct (compound_hint, address), for the registry version it used
create table if not exists attribution_lookup (
    compound_hint varchar,
    address varchar,
    compound varchar,
    attribution varchar,
    attribution_note varchar
);

-- earlier versions of a record (an older export of the same id), with the file that
-- superseded them; the current version is in the table itself
create table if not exists alerts_history as
    select *, null::integer as superseded_by_file_id from alerts limit 0;
create table if not exists cases_history as
    select *, null::integer as superseded_by_file_id from cases limit 0;
create table if not exists residents_history as
    select *, null::integer as superseded_by_file_id from residents limit 0;
create table if not exists penalty_decisions_history as
    select *, null::integer as superseded_by_file_id from penalty_decisions limit 0;

-- metric evaluations: every run of the metric engine is kept, so a figure reported last
-- month can be reproduced exactly; metric_results shows the latest evaluation
create sequence if not exists evaluation_id_seq start 1;

create table if not exists metric_evaluations (
    evaluation_id integer primary key,
    run_at timestamp,
    as_of date,
    rate_definition varchar,       -- cohort (default) or period
    targets integer,
    fingerprint varchar            -- of the results: an identical re-evaluation is not stored twice
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
    window_state varchar,          -- not_started, running, over
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
    low_base boolean,              -- baseline count or denominator under 30
    note varchar,
    rate_definition varchar,
    source_file varchar,
    source_row bigint
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

create or replace view metric_results as
    select
        history.*,
        evaluations.run_at
    from metric_history as history
    join metric_evaluations as evaluations using (evaluation_id)
    where history.evaluation_id = (select max(evaluation_id) from metric_evaluations);

-- who produced unmasked personal data, when, and what (zhian report --internal)
create table if not exists audit_log (
    happened_at timestamp,
    os_user varchar,
    host varchar,
    action varchar,
    detail varchar
);

-- The station (管辖单位) of each compound: the registry's, else the one most of its
-- attributed records name (ties: the first name in sort order). A unit spelled
-- `510102 沙河派出所` counts as 沙河派出所. Outputs per station (`--station`, `--by-station`)
-- use this; a compound whose station is unknown appears only in the bureau-wide outputs.
create or replace macro station_name(unit) as
    nullif(trim(regexp_replace(unit, '^[A-Za-z]?[0-9]{2,12}\s*[-－—_:：\s]\s*', '')), '');

create or replace view compound_stations as
with

named as (
    select compound, station_name(unit) as station from alerts where compound is not null
    union all
    select compound, station_name(unit) from cases where compound is not null
    union all
    select compound, station_name(unit) from residents where compound is not null
),

counted as (
    select compound, station, count(*) as records,
           row_number() over (partition by compound order by count(*) desc, station) as rank
    from named
    where station is not null
    group by compound, station
)

select
    compounds.compound,
    coalesce(station_name(compounds.unit), counted.station) as station,
    case
        when station_name(compounds.unit) is not null then 'registry'
        when counted.station is not null then 'records'
    end as station_source
from compounds
left join counted on counted.compound = compounds.compound and counted.rank = 1;
