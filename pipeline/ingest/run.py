"""The ingest: every workbook of an inbox into DuckDB, every row accounted for.

    files ──hash──▶ new? ──prepare (N worker processes: read, classify by header, extract,
    normalise, validate)──▶ Arrow frames ──▶ load (one writer, batches of files, one
    transaction each) ──▶ attribution

Nothing in the inbox is modified. A file whose content hash is already in the database
is skipped, so running twice changes nothing. Files load in a fixed order (registry, then
targets, then by name) whatever the number of workers, so the result is the same for any
`--workers`. Small files load together, several in one transaction (measured: a merge into
a 5,000,000-row table costs ~0.1 s however small the file): a crash or kill mid-batch leaves
none of the batch, and never part of a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from zhian.pipeline.db import scalar, transaction
from zhian.pipeline.ingest import attribution as compounds
from zhian.pipeline.ingest import load
from zhian.pipeline.ingest.prepare import FORMULA_GAP_REASON, PreparedFile, PreparedSheet, file_outcome
from zhian.pipeline.ingest.read import SUPPORTED_SUFFIXES
from zhian.pipeline.ingest.reports import KIND_LABELS, FileReport, IngestReport, SheetReport
from zhian.pipeline.ingest.workers import Job, Parser
from zhian.pipeline.settings import Settings
from zhian.pipeline.timing import add, mark, stage, total

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

TABLE_OF_KIND = {
    "alerts": "alerts",
    "cases": "cases",
    "penalties": "penalty_decisions",
    "residents": "residents",
    "registry": "registry_rows",
    "targets": "target_rows",
}

__all__ = [
    "FORMULA_GAP_REASON",
    "KIND_LABELS",
    "FileReport",
    "IngestReport",
    "Plan",
    "SheetReport",
    "ingest",
    "load_files",
    "open_parser",
    "plan_files",
    "prepare_files",
]


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def local_time(timestamp: float) -> dt.datetime:
    """A file time as the station's wall clock (Asia/Shanghai), to the second."""
    return dt.datetime.fromtimestamp(timestamp, LOCAL_TZ).replace(tzinfo=None, microsecond=0)


def _mtime(path: Path) -> dt.datetime:
    return local_time(path.stat().st_mtime)


def list_inbox(inbox: Path) -> tuple[list[Path], int]:
    """Candidate files (sorted, recursive) and the number of lock/hidden files ignored."""
    candidates: list[Path] = []
    ignored = 0
    for root, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("~$") or name.startswith("."):
                ignored += 1
                continue
            candidates.append(Path(root) / name)
    return candidates, ignored


@dataclass
class Plan:
    """What an ingest has to do: the inbox's files, each new one with its report."""

    inbox: Path
    report: IngestReport
    new: list[tuple[Path, FileReport]] = field(default_factory=list)

    @property
    def to_parse(self) -> list[Path]:
        return [path for path, file_report in self.new if file_report.outcome == "loaded"]

    @property
    def jobs(self) -> list[Job]:
        return [
            Job(path, file_report.source_file, _mtime(path))
            for path, file_report in self.new
            if file_report.outcome == "loaded"
        ]


def known_file_report(name: str, digest: str, loaded_as: str) -> FileReport:
    """A file whose content the database already has: unchanged, or a copy under another name."""
    if loaded_as == name:
        return FileReport(name, digest, outcome="unchanged")
    return FileReport(name, digest, outcome="duplicate", reason=f"与已载入的“{loaded_as}”内容完全相同")


def new_file_report(path: Path, name: str, digest: str) -> FileReport:
    """A new file: to be loaded, or skipped for its type."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return FileReport(name, digest, outcome="skipped", reason="不支持的文件类型（只读取.xlsx、.xls、.csv）")
    return FileReport(name, digest)


def plan_files(inbox: Path, con: duckdb.DuckDBPyConnection, on_new_file: Callable[[], None] | None = None) -> Plan:
    """List the inbox and hash every file; files whose content is already in the database
    are reported as unchanged (or duplicate) and will not be parsed. Writes nothing."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"收件箱文件夹不存在：{inbox}")
    candidates, ignored = list_inbox(inbox)
    result = Plan(inbox, IngestReport(ignored_files=ignored))
    known = dict(
        con.execute("select content_hash, min(source_file) from ingest_files group by content_hash").fetchall()
    )
    seen_now: dict[str, str] = {}
    for path in candidates:
        name = path.relative_to(inbox).as_posix()
        digest = file_hash(path)
        if digest in known:
            result.report.files.append(known_file_report(name, digest, known[digest]))
            continue
        if not seen_now and on_new_file:
            on_new_file()  # the CLI starts the workers now: they import while we hash the rest
        if digest in seen_now:
            file_report = FileReport(name, digest, outcome="duplicate", reason=f"与“{seen_now[digest]}”内容完全相同")
        else:
            seen_now[digest] = name
            file_report = new_file_report(path, name, digest)
        result.new.append((path, file_report))
    return result


def prepare_files(
    jobs: list[Job], parser: Parser, on_progress: Callable[[str, int, int], None] | None = None
) -> dict[Path, PreparedFile]:
    """Prepare files on the parser's worker processes (largest first, so the workers finish
    together); their frames land as Arrow IPC files."""
    jobs = sorted(jobs, key=lambda job: job.path.stat().st_size, reverse=True)
    futures = parser.start(jobs)
    mark("prepare jobs submitted")
    total_bytes = sum(job.path.stat().st_size for job in jobs) or 1
    done_bytes = 0
    prepared: dict[Path, PreparedFile] = {}
    for result in parser.results(futures):
        for step, seconds in result.seconds.items():
            add(f"prepare: {step} (summed over workers)", seconds)
        prepared[result.path] = result
        done_bytes += result.path.stat().st_size
        if on_progress:
            on_progress("解析", done_bytes, total_bytes)
    return prepared


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
        return self.prepared is not None and self.prepared.load_rank < 2

    def sheets(self) -> list[PreparedSheet]:
        if self.prepared is None or self.prepared.error:
            return []
        return self.prepared.sheets()


def _batches(items: list[_Pending], settings: Settings) -> Iterator[list[_Pending]]:
    """Consecutive files into one transaction, up to `load_batch_rows` rows and
    `load_batch_files` files; a file holding the registry or targets goes alone."""
    batch: list[_Pending] = []
    rows = 0
    for item in items:
        alone = item.alone
        if batch and (alone or rows + item.rows > settings.load_batch_rows or len(batch) >= settings.load_batch_files):
            yield batch
            batch, rows = [], 0
        batch.append(item)
        rows += item.rows
        if alone:
            yield batch
            batch, rows = [], 0
    if batch:
        yield batch


def load_files(
    con: duckdb.DuckDBPyConnection,
    work: Plan,
    prepared_by_path: dict[Path, PreparedFile],
    settings: Settings,
    on_file: Callable[[FileReport], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Write every new file, in a fixed order (registry first, then targets, then by name),
    in batches of one transaction each: DuckDB has one writer."""
    report = work.report

    def order(item: tuple[Path, FileReport]) -> tuple[int, str]:
        prepared = prepared_by_path.get(item[0])
        return (prepared.load_rank if prepared else 2, item[1].source_file)

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
            pending.append(_Pending(path, file_report, prepared, path.stat().st_size, _mtime(path)))

    total_bytes = sum(item.size for item in pending) or 1
    loaded_bytes = 0
    for batch in _batches(pending, settings):
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
    _count_unattributed(con, report)
    return report


def _frames_by_table(batch: list[_Pending]) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """Per table, the valid rows and the rejected cells of every file of the batch, in load
    order, with each file's id."""
    valid: dict[str, list[pl.DataFrame]] = {}
    rejected: dict[str, list[pl.DataFrame]] = {}
    for item in batch:
        file_id = pl.lit(item.report.file_id, dtype=pl.Int32).alias("file_id")
        for sheet in item.sheets():
            if not sheet.kind:
                continue
            table = TABLE_OF_KIND[sheet.kind]
            if sheet.valid is not None and sheet.valid.height:
                valid.setdefault(table, []).append(sheet.valid.with_columns(file_id))
            if sheet.rejected is not None and sheet.rejected.height:
                rejected.setdefault(table, []).append(sheet.rejected.with_columns(file_id))
    tables = sorted(set(valid) | set(rejected), key=lambda t: t != "registry_rows")  # the registry first
    return {
        table: (
            pl.concat(valid[table], how="vertical_relaxed") if table in valid else pl.DataFrame(),
            pl.concat(rejected[table], how="vertical_relaxed") if table in rejected else pl.DataFrame(),
        )
        for table in tables
    }


def _write_batch(con: duckdb.DuckDBPyConnection, batch: list[_Pending]) -> None:
    """Everything of a batch of files in one transaction."""
    with transaction(con):
        for table, (valid, rejected) in _frames_by_table(batch).items():
            if valid.height:
                if table in compounds.RECORD_TABLES:
                    with total("load: attribute"):
                        valid = compounds.attribute_frame(con, valid)
                with total("load: write rows"):
                    if table in load.VERSIONED:
                        load.load_versioned(con, table, valid)
                    else:
                        load.append(con, table, valid)
            if rejected.height:
                load.append(con, "rejected_rows", rejected)
            if table == "registry_rows":
                load.rebuild_registry(con)
                compounds.refresh_all(con)
            if table == "target_rows":
                load.rebuild_targets(con)
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


def _count_unattributed(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
    ids = [f.file_id for f in report.new_files if f.file_id is not None]
    if not ids:
        return
    con.register("new_file_ids", pl.DataFrame({"file_id": ids}, schema={"file_id": pl.Int32}).to_arrow())
    counts = dict(
        con.execute("""
            select file_id, count(*) from (
                select file_id from alerts where compound is null
                union all select file_id from cases where compound is null
                union all select file_id from residents where compound is null)
            where file_id in (select file_id from new_file_ids)
            group by file_id
        """).fetchall()
    )
    con.unregister("new_file_ids")
    for file_report in report.files:
        file_report.rows_unattributed = counts.get(file_report.file_id, 0)


def ingest(
    inbox: Path,
    con: duckdb.DuckDBPyConnection,
    settings: Settings | None = None,
    on_file: Callable[[FileReport], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    parser: Parser | None = None,
) -> IngestReport:
    """Load every new file of `inbox` into the database behind `con`: plan, prepare, load.
    A caller that can start the workers early (the CLI) passes `parser`."""
    settings = settings or Settings()
    with contextlib.ExitStack() as stack:
        if parser is None:
            parser = stack.enter_context(open_parser(settings))

        def warm() -> None:
            if not parser.started:
                parser.warm()
                mark("workers started")

        with stage("plan: list and hash the inbox"):
            work = plan_files(inbox, con, on_new_file=warm)
        jobs = work.jobs
        with stage(f"prepare {len(jobs)} file(s) on {parser.workers} worker(s)"):
            prepared = prepare_files(jobs, parser, on_progress) if jobs else {}
        with stage("load"):
            return load_files(con, work, prepared, settings, on_file, on_progress)


@contextlib.contextmanager
def open_parser(settings: Settings, *, warm: bool = False, workers: int | None = None) -> Iterator[Parser]:
    """Workers writing into a private temporary folder, removed afterwards."""
    with (
        tempfile.TemporaryDirectory(prefix="zhian-") as tmp,
        Parser(Path(tmp), settings, workers or settings.workers) as parser,
    ):
        if warm:
            parser.warm()
        yield parser
