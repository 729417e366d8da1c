"""The database's schema: the fixed tables (`sql/schema/tables.sql`), the tables of the source
kinds (derived from the registry, `pipeline/sources/`), and the relations the pipeline and
the outputs read — views and table macros created in the database itself, so that each
runs alone in a DuckDB shell:

    duckdb zhian.duckdb "select * from metric_targets(date '2022-08-31')"
    duckdb zhian.duckdb "select * from count_change(3)"            -- evaluation 3
    duckdb zhian.duckdb "select * from quality_files(null)"         -- every station

Checked at every read-write connection and created, in one transaction, only when the
script differs from the one that made the database. A relation file holds one select
(a view named like the file) or one `create or replace macro … as table` statement.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import duckdb

from zhian.pipeline.db import sql_text, transaction
from zhian.pipeline.metrics import catalogue
from zhian.pipeline.sources import KINDS, RECORD_KINDS
from zhian.pipeline.sources.kind import Column, SourceKind

SCHEMA_VERSION = "2"

# in dependency order (a view is bound when it is created): files of `sql/`, or the name of a
# relation derived from the registry or the catalogue (`GENERATED`)
RELATIONS = (
    "schema/macros.sql",
    "loaded_records",
    "record_sources",
    "ingest/latest_registry_rows.sql",
    "staging/stg_alerts.sql",
    "staging/stg_cases.sql",
    "staging/stg_residents.sql",
    "staging/compound_names.sql",
    "staging/stg_target_compounds.sql",
    "staging/stg_target_problems.sql",
    "ledger/macros.sql",
    "ledger/ledger_items.sql",
    "stations/station_files.sql",
    "stations/unit_stations.sql",
    "stations/macros.sql",
    "metric_catalogue",
    "metric_records",
    "metrics/macros.sql",
    "metrics/source_coverage.sql",
    "metrics/metric_coverage.sql",
    "metrics/metric_targets.sql",
    "metrics/metric_daily_counts.sql",
    "metrics/target_counts.sql",
    "metrics/count_change.sql",
    "metrics/rate.sql",
    "metrics/zero_count.sql",
    "metrics/stock_rate.sql",
    "metrics/ledger_metrics.sql",
    "metrics/metric_evaluation.sql",
    "metrics/metric_results.sql",
    "metrics/explain_records.sql",
    "ledger/unit_progress.sql",
    "ledger/item_status.sql",
    "ledger/ledger_unit_progress.sql",
    "ledger/readiness.sql",
    "ledger/acceptance_readiness.sql",
)


def _ddl(name: str, columns: tuple[Column, ...]) -> str:
    width = max(len(c.name) for c in columns)
    lines = []
    for index, column in enumerate(columns):
        separator = "," if index < len(columns) - 1 else ""
        note = f"  -- {column.note}" if column.note else ""
        lines.append(
            f"    {column.name.ljust(width)} {column.type}{' not null' if column.not_null else ''}{separator}{note}"
        )
    return f"create table if not exists {name} (\n" + "\n".join(lines) + "\n)"


SUPERSEDED = Column("superseded_by_file_id", "integer", note="the file whose newer version replaced this one")


def kind_tables(kind: SourceKind) -> dict[str, tuple[Column, ...]]:
    """The tables of a kind: its table and, when rows are versioned, its history."""
    tables = {kind.table: kind.table_columns}
    if kind.history_table:  # earlier versions: the same columns, no constraint, and who replaced them
        columns = tuple(replace(c, not_null=False) for c in kind.table_columns)
        tables[kind.history_table] = (*columns, SUPERSEDED)
    return tables


KINDS_TABLES = {table: columns for kind in KINDS for table, columns in kind_tables(kind).items()}


def kinds_ddl() -> list[str]:
    """`create table if not exists` for every kind's tables."""
    return [_ddl(table, columns) for table, columns in KINDS_TABLES.items()]


def _add_missing_columns(con: duckdb.DuckDBPyConnection) -> None:
    """A database made before a column was declared gains it (history tables too)."""
    present = set(con.execute("select table_name, column_name from duckdb_columns() where not internal").fetchall())
    for table, columns in KINDS_TABLES.items():
        for column in columns:
            if (table, column.name) not in present:
                con.execute(f"alter table {table} add column {column.name} {column.type}")


def loaded_records_sql() -> str:
    """Every record placed in compounds, of every kind, in one relation: what the census,
    the station maps and the checks read (the only union over the record tables)."""
    parts = [
        f"select '{kind.kind}' as kind, {kind.records.source} as source, "
        f"{kind.records.record_id} as record_id, file_id, source_file, unit, compound, doorplate, suggestion, "
        f"{kind.records.time} as record_at, export_at from {kind.table}"
        for kind in RECORD_KINDS
    ]
    return "\nunion all\n".join(parts)


def record_sources_sql() -> str:
    """The sources records are counted under, with their labels, in display order."""
    rows = [
        f"({position}, '{kind.kind}', '{source}', '{label}')"
        for position, (kind, source, label) in enumerate(
            ((kind, source, label) for kind in RECORD_KINDS for source, label in kind.records.sources), start=1
        )
    ]
    return f"select * from (values {', '.join(rows)}) as sources(position, kind, source, label)"


def metric_catalogue_sql() -> str:
    """The catalogue as a relation: code, name, kind, unit, whether the denominator is the
    registry's 实有人口底数, the source its records come from (its coverage)."""
    rows = [
        f"('{m.code}', '{m.name}', '{m.kind}', '{m.unit}', {str(m.denominator_is_population_base).lower()},"
        f" '{m.records}')"
        for m in catalogue.CATALOGUE
    ]
    return (
        f"select * from (values {', '.join(rows)}) "
        "as catalogue(code, metric_name, kind, unit, denominator_is_population_base, source)"
    )


def metric_records_sql() -> str:
    """The records of every metric (`sql/metrics/records/<code>.sql`), each branch tagged with
    its metric and kind: a filter on either keeps only the branches it names. The ledger
    metrics read their own tables (sql/metrics/ledger_metrics.sql)."""
    parts = [
        f"select '{m.code}' as metric, '{m.kind}' as kind, records.* from ({sql_text(m.records_sql)}) as records"
        for m in catalogue.CATALOGUE
        if m.kind not in catalogue.LEDGER_KINDS
    ]
    return "\nunion all\n".join(parts)


def _relation_statements(relation: str) -> list[str]:
    if relation in GENERATED:
        return [f"create or replace view {relation} as {GENERATED[relation]()}"]
    text = sql_text(relation)
    statements = split_statements(text)
    if _is_ddl(statements[0]):
        return statements
    name = relation.rsplit("/", 1)[-1].removesuffix(".sql")
    return [f"create or replace view {name} as {text}"]


def _is_ddl(statement: str) -> bool:
    code = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
    return code.lstrip().lower().startswith("create")


def split_statements(text: str) -> list[str]:
    """The statements of a script (separated by `;` at the end of a line that is not a
    comment)."""
    statements, current = [], []
    for line in text.splitlines():
        current.append(line)
        if line.rstrip().endswith(";") and not line.lstrip().startswith("--"):
            statements.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    rest = "\n".join(current).strip()
    if rest and any(not line.lstrip().startswith("--") for line in rest.splitlines() if line.strip()):
        statements.append(rest)
    return statements


GENERATED = {
    "loaded_records": loaded_records_sql,
    "record_sources": record_sources_sql,
    "metric_catalogue": metric_catalogue_sql,
    "metric_records": metric_records_sql,
}


def _migrate_before(con: duckdb.DuckDBPyConnection) -> None:
    """Changes an older zhian's database needs before the tables are created."""
    views = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
    if "compound_stations" in views:  # a view before the census kept it as a table
        con.execute("drop view compound_stations")
    columns = set(con.execute("select table_name, column_name from duckdb_columns()").fetchall())
    for table in ("target_rows", "targets"):
        if (table, "target_value") in columns and (table, "target_percent") not in columns:
            con.execute(f"alter table {table} rename column target_value to target_percent")


def _scripts() -> tuple[list[str], list[str]]:
    """The statements that create the schema, in order: the tables, then the migrations and
    the relations (a database's missing columns are added between the two)."""
    tables = [sql_text("schema/tables.sql"), *kinds_ddl()]
    rest = [sql_text("schema/migrations.sql")]
    for relation in RELATIONS:
        rest.extend(_relation_statements(relation))
    return tables, rest


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create or migrate everything (idempotent). The script runs only when it differs from
    the one that made this database (its fingerprint is kept in zhian_meta): an unchanged
    schema costs one query per connection instead of ~50 statements (0.3 s)."""
    tables, rest = _scripts()
    fingerprint = hashlib.sha256("\n;\n".join([*tables, *rest]).encode("utf-8")).hexdigest()
    if _fingerprint(con) == fingerprint:
        return
    with transaction(con):  # all or nothing, and one commit instead of ~50
        _migrate_before(con)
        for statement in tables:
            con.execute(statement)
        _add_missing_columns(con)
        for statement in rest:
            con.execute(statement)
        for key, value in (("schema_version", SCHEMA_VERSION), ("schema_fingerprint", fingerprint)):
            con.execute(
                "insert into zhian_meta values ($k, $v) on conflict (key) do update set value = excluded.value",
                {"k": key, "v": value},
            )


def _fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        rows = con.execute("select value from zhian_meta where key = 'schema_fingerprint'").fetchall()
    except duckdb.CatalogException:  # a new database
        return None
    return rows[0][0] if rows else None
