"""Loading prepared files into DuckDB: every file whole or not at all, one record per id, the
newest export wins.

Files load in a fixed order — lower `load_rank` first (the registry, then targets), then by
name — whatever the number of workers, so the tables are the same for any `--workers`.
Consecutive files share one transaction (`batching.pack`: up to `load_batch_rows` valid
rows and `load_batch_files` files; a registry or targets file goes alone): a merge into a
5,000,000-row table costs ~0.1 s however small the file, and a crash or kill mid-batch
leaves none of the batch, never part of a file.

Within a transaction, per kind (in load-rank order): records are attributed to compounds
as they load; versioned kinds (`key`) keep the current version of each id in the table and
every earlier one in `<table>_history` with the file that superseded it — "newest" is the
export time (title rows, else the file's modification time), then the later file, then the
later row; other kinds are appended; the kind's `after_load` rebuilds what derives from its
table (compounds from the registry rows, targets from the target rows); then the census of
the batch's files (`census.py`), and `ingest_files` / `ingest_log`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from zhian.pipeline.db import scalar, transaction
from zhian.pipeline.ingest import attribution, census, coverage
from zhian.pipeline.ingest.batching import pack
from zhian.pipeline.ingest.file_reports import FileReport, IngestReport, SheetReport
from zhian.pipeline.ingest.inbox import LOCAL_TZ, Plan, file_mtime
from zhian.pipeline.ingest.prepare import RECORDS_RANK, PreparedFile, PreparedSheet, file_outcome
from zhian.pipeline.settings import Settings
from zhian.pipeline.sources import BY_KIND
from zhian.pipeline.sources.kind import SourceKind
from zhian.pipeline.timing import total


@dataclass
class _Pending:
    """A file ready for its transaction (its frames are read when its batch is written)."""

    path: Path
    report: FileReport
    prepared: PreparedFile | None
    size: int
    mtime: dt.datetime

    @property
    def rows(self) -> int:
        return self.report.rows_loaded

    @property
    def alone(self) -> bool:
        """A file of a kind everything after it depends on (registry, targets)."""
        return self.prepared is not None and self.prepared.load_rank < RECORDS_RANK

    def sheets(self) -> list[PreparedSheet]:
        if self.prepared is None or self.prepared.error:
            return []
        return self.prepared.sheets()


def load_files(
    con: duckdb.DuckDBPyConnection,
    work: Plan,
    prepared_by_path: dict[Path, PreparedFile],
    settings: Settings,
    on_file: Callable[[FileReport], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Write every new file, in load order, in batches of one transaction each (DuckDB has
    one writer)."""
    report = work.report

    def order(item: tuple[Path, FileReport]) -> tuple[int, str]:
        prepared = prepared_by_path.get(item[0])
        return (prepared.load_rank if prepared else RECORDS_RANK, item[1].source_file)

    pending: list[_Pending] = []
    for path, file_report in sorted(work.new, key=order):
        prepared = prepared_by_path.get(path)
        if prepared is not None:
            file_report.format = prepared.format
            file_report.notes.extend(prepared.notes)
            if prepared.error:
                file_report.outcome, file_report.reason = "rejected", prepared.error
            else:
                file_report.sheets = list(prepared.reports)
                if not file_report.sheets:
                    file_report.outcome, file_report.reason = "skipped", "工作簿中没有工作表"
                else:
                    file_report.outcome = file_outcome(file_report)
                    if file_report.outcome == "skipped":
                        file_report.reason = "没有可识别的工作表"
        report.files.append(file_report)
        if file_report.outcome != "duplicate":
            pending.append(_Pending(path, file_report, prepared, path.stat().st_size, file_mtime(path)))

    total_bytes = sum(item.size for item in pending) or 1
    loaded_bytes = 0
    batches = pack(
        pending,
        weight=lambda item: item.rows,
        limit=settings.load_batch_rows,
        max_items=settings.load_batch_files,
        alone=lambda item: item.alone,
    )
    for batch in batches:
        for item in batch:
            item.report.file_id = scalar(con, "select nextval('file_id_seq')")
        with total("load: batches (one transaction each)"):
            _write_batch(con, batch)
        for item in batch:
            loaded_bytes += item.size
            if on_file:
                on_file(item.report)
        if on_progress:
            on_progress("载入", loaded_bytes, total_bytes)
    ids = [f.file_id for f in report.new_files if f.file_id is not None]
    unattributed = census.unattributed_by_file(con, ids) if ids else {}
    for file_report in report.files:
        file_report.rows_unattributed = unattributed.get(file_report.file_id, 0)
    return report


def _frames_by_kind(
    batch: list[_Pending], covered: list[pl.DataFrame]
) -> list[tuple[SourceKind, pl.DataFrame, pl.DataFrame]]:
    """Per kind, the valid rows and the rejected cells of every file of the batch, in load
    order, with each file's id; kinds in load-rank order. What each sheet covers goes to
    `covered` (coverage.py)."""
    valid: dict[str, list[pl.DataFrame]] = {}
    rejected: dict[str, list[pl.DataFrame]] = {}
    for item in batch:
        file_id = pl.lit(item.report.file_id, dtype=pl.Int32).alias("file_id")
        for sheet in item.sheets():
            if not sheet.kind:
                continue
            rows = coverage.sheet_coverage(item.report.file_id, sheet, sheet.kind)
            if rows is not None:
                covered.append(rows)
            if sheet.valid is not None and sheet.valid.height:
                valid.setdefault(sheet.kind, []).append(sheet.valid.with_columns(file_id))
            if sheet.rejected is not None and sheet.rejected.height:
                rejected.setdefault(sheet.kind, []).append(sheet.rejected.with_columns(file_id))
    seen = list(dict.fromkeys([*valid, *rejected]))
    kinds = sorted(seen, key=lambda k: BY_KIND[k].load_rank)  # stable: first seen first
    return [
        (
            BY_KIND[k],
            pl.concat(valid[k], how="vertical_relaxed") if k in valid else pl.DataFrame(),
            pl.concat(rejected[k], how="vertical_relaxed") if k in rejected else pl.DataFrame(),
        )
        for k in kinds
    ]


def _write_batch(con: duckdb.DuckDBPyConnection, batch: list[_Pending]) -> None:
    """Everything of a batch of files in one transaction."""
    file_ids = [item.report.file_id for item in batch]
    covered: list[pl.DataFrame] = []
    with transaction(con):
        for kind, valid, rejected in _frames_by_kind(batch, covered):
            if valid.height:
                if kind.records:
                    with total("load: attribute"):
                        valid = attribution.attribute_frame(con, valid)
                with total("load: write rows"):
                    if kind.key:
                        load_versioned(con, kind, valid)
                    else:
                        append(con, kind.table, valid)
            if rejected.height:
                append(con, "rejected_rows", rejected)
            if kind.after_load:
                kind.after_load(con)
        with total("load: count records"):
            census.refresh(con, sorted({*file_ids, *census.superseded_files(con, file_ids)}))
        coverage.keep(con, covered)
        for item in batch:
            _log_file(con, item)


def _log_file(con: duckdb.DuckDBPyConnection, item: _Pending) -> None:
    report = item.report
    for sheet in report.sheets or [SheetReport(sheet=None, outcome="rejected", reason=report.reason)]:
        con.execute(
            "insert into ingest_log values ($file_id, $file, $hash, $sheet, $vis, $kind, $header, $export_at,"
            " $export_source, $read, $loaded, $rejected, $blank, $total, $outcome, $file_outcome, $notes)",
            {
                "file_id": report.file_id,
                "file": report.source_file,
                "hash": report.content_hash,
                "sheet": sheet.sheet,
                "vis": sheet.visibility if sheet.sheet else None,
                "kind": sheet.kind,
                "header": sheet.header_row,
                "export_at": sheet.export_at,
                "export_source": sheet.export_time_source,
                "read": sheet.rows_read,
                "loaded": sheet.rows_loaded,
                "rejected": sheet.rows_rejected,
                "blank": sheet.rows_blank,
                "total": sheet.rows_total,
                "outcome": sheet.outcome,
                "file_outcome": report.outcome,
                "notes": "；".join([*([sheet.reason] if sheet.reason and sheet.sheet else []), *sheet.notes]) or None,
            },
        )
    con.execute(
        "insert into ingest_files values ($file_id, $file, $hash, $size, $mtime, $format, $outcome,"
        " $reason, $sheets, $read, $loaded, $rejected, $ignored, $at)",
        {
            "file_id": report.file_id,
            "file": report.source_file,
            "hash": report.content_hash,
            "size": item.size,
            "mtime": item.mtime,
            "format": report.format,
            "outcome": report.outcome,
            "reason": report.reason,
            "sheets": len(report.sheets),
            "read": report.rows_read,
            "loaded": report.rows_loaded,
            "rejected": report.rows_rejected,
            "ignored": report.rows_ignored,
            "at": dt.datetime.now(LOCAL_TZ).replace(tzinfo=None, microsecond=0),
        },
    )


def _register(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    con.register(name, frame.to_arrow())


def load_versioned(con: duckdb.DuckDBPyConnection, kind: SourceKind, frame: pl.DataFrame) -> None:
    """Merge valid rows — of one file or of a batch of files, in load order, each row with
    its file's id — into the kind's table and its history table (one row per `kind.key`)."""
    if frame.height == 0:
        return
    table, key, history = kind.table, kind.key, kind.history_table
    columns = [c for c in con.table(table).columns if c in frame.columns]
    column_list = ", ".join(columns)
    history_names = con.table(history).columns
    history_columns = ", ".join(history_names)

    def as_history(source: str, superseded_by: str) -> str:
        """The select list that turns an incoming row into a history row."""
        return ", ".join(
            f"{source}.{c}" if c in columns else (superseded_by if c == "superseded_by_file_id" else "null")
            for c in history_names
        )

    frame = frame.select(columns)
    rank = kind.rank_column
    order = [rank, "export_at"] if rank else ["export_at"]
    # several versions of one id among the incoming rows: the higher rank (`rank_column`)
    # wins, then the newest export, then the later file, sheet and row (the frame is in load
    # order)
    latest = frame
    if frame[key].is_duplicated().any():  # checked first: ranking copies every column
        ranked = frame.with_row_index("_seq").sort(key, *order, "_seq")
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
    if rank:
        newer = f"""
        (coalesce(incoming.{rank}, 2) > coalesce(current.{rank}, 2)
         or (coalesce(incoming.{rank}, 2) = coalesce(current.{rank}, 2) and {newer}))
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
