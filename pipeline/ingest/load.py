"""Loading validated rows into DuckDB: one record per id, newest export wins.

Records (alerts, cases, residents, penalty decisions) are versioned by their id: the
current version is in the table, every earlier version in `<table>_history` with the
file that superseded it. "Newest" is decided by export time (title rows, else the file's
modification time), then, for equal times, the later file (load order), then the later
row of the same sheet. Registry and target rows are appended to `registry_rows` /
`target_rows`, and `compounds`, `compound_addresses` and `targets` are rebuilt from them:
for each compound (campaign), the newest export that lists it defines it entirely.

Every function here runs inside the caller's transaction.
"""

from __future__ import annotations

import duckdb
import polars as pl

PROVENANCE = ["source_file", "source_sheet", "source_row", "export_at", "file_id"]

VERSIONED = {
    "alerts": "alert_id",
    "cases": "case_id",
    "residents": "person_id",
    "penalty_decisions": "decision_key",
}


def _register(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    con.register(name, frame.to_arrow())


def load_versioned(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Merge valid rows — of one file or of a batch of files, in load order, each row with
    its file's id — into `table` and `<table>_history`."""
    if frame.height == 0:
        return
    key = VERSIONED[table]
    columns = [c for c in con.table(table).columns if c in frame.columns]
    column_list = ", ".join(columns)
    history = f"{table}_history"
    history_names = con.table(history).columns
    history_columns = ", ".join(history_names)

    def as_history(source: str, superseded_by: str) -> str:
        """The select list that turns an incoming row into a history row."""
        return ", ".join(
            f"{source}.{c}" if c in columns else (superseded_by if c == "superseded_by_file_id" else "null")
            for c in history_names
        )

    frame = frame.select(columns)
    # several versions of one id among the incoming rows: the newest export wins, then the
    # later file, sheet and row (the frame is in load order)
    latest = frame
    if frame[key].is_duplicated().any():  # checked first: ranking copies every column
        ranked = frame.with_row_index("_seq").sort(key, "export_at", "_seq")
        winner = ranked[key].is_last_distinct()
        latest = ranked.filter(winner).sort("_seq").drop("_seq")
        earlier = ranked.filter(~winner).join(
            latest.select(key, pl.col("file_id").alias("_winner_file_id")), on=key, how="left"
        )
        _register(con, "earlier", earlier)
        con.execute(f"""
            insert into {history} ({history_columns})
            select {as_history("earlier", "earlier._winner_file_id")} from earlier
        """)
        con.unregister("earlier")
    _register(con, "incoming", latest)
    # the current version, if older than the incoming one, moves to history
    newer = """
        (incoming.export_at > current.export_at
         or (incoming.export_at = current.export_at and incoming.file_id > current.file_id))
    """
    con.execute(f"""
        insert into {history} ({history_columns})
        select current.*, incoming.file_id
        from {table} as current
        join incoming on incoming.{key} = current.{key}
        where {newer}
    """)
    con.execute(f"""
        delete from {table} as current
        using incoming
        where incoming.{key} = current.{key} and {newer}
    """)
    # an incoming version older than the current one goes straight to history
    con.execute(f"""
        insert into {history} ({history_columns})
        select {as_history("incoming", "current.file_id")}
        from incoming
        join {table} as current on incoming.{key} = current.{key}
    """)
    con.execute(f"""
        insert into {table} ({column_list})
        select {column_list} from incoming
        where not exists (select 1 from {table} as current where current.{key} = incoming.{key})
    """)
    con.unregister("incoming")


def append(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    columns = con.table(table).columns
    _register(con, "incoming", frame.select(columns))
    con.execute(f"insert into {table} ({', '.join(columns)}) select {', '.join(columns)} from incoming")
    con.unregister("incoming")


def rebuild_registry(con: duckdb.DuckDBPyConnection) -> None:
    """`compounds` and `compound_addresses` from the newest export listing each compound."""
    con.execute("delete from compound_addresses")
    con.execute("delete from compounds")
    con.execute("""
        create or replace temp table latest_registry as
        with versions as (
            select distinct compound_name, file_id, export_at from registry_rows
        ),
        ranked as (
            select *, row_number() over (
                partition by compound_name order by export_at desc, file_id desc) as _rank
            from versions
        )
        select rows.*
        from registry_rows as rows
        join ranked on ranked.compound_name = rows.compound_name
            and ranked.file_id = rows.file_id and ranked._rank = 1
    """)
    con.execute("""
        insert into compound_addresses
        select compound_name, address, buildings, units, source_file, source_row
        from latest_registry
        order by compound_name, source_row
    """)
    con.execute("""
        insert into compounds
        select
            compound_name as compound,
            max(community), max(street), max(unit), max(compound_group),
            max(population_base), max(aliases),
            sum(buildings), sum(units), count(distinct address),
            min(source_file), max(export_at)
        from latest_registry
        group by compound_name
        order by compound_name
    """)
    con.execute("drop table latest_registry")


def rebuild_targets(con: duckdb.DuckDBPyConnection) -> None:
    """`targets` from the newest export listing each campaign."""
    con.execute("delete from targets")
    con.execute("""
        insert into targets
        with versions as (
            select distinct campaign, file_id, export_at from target_rows
        ),
        ranked as (
            select *, row_number() over (
                partition by campaign order by export_at desc, file_id desc) as _rank
            from versions
        )
        select rows.campaign, rows.compounds, rows.compound_list, rows.start_date, rows.end_date,
               rows.metric_code, rows.metric_raw, rows.target_raw, rows.target_op,
               rows.target_value, rows.source_file, rows.source_sheet, rows.source_row,
               rows.export_at
        from target_rows as rows
        join ranked on ranked.campaign = rows.campaign
            and ranked.file_id = rows.file_id and ranked._rank = 1
        order by rows.campaign, rows.source_row
    """)
