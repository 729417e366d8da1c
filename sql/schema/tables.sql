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
    reason varchar,
    kind varchar
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
