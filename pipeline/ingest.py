"""The ingest: every workbook of an inbox into DuckDB, every row accounted for.

    files ──hash──▶ new? ──parse (child processes)──▶ sheets ──classify by header──▶
    extract rows ──normalise──▶ validate (Pandera) ──▶ one transaction per file ──▶
    attribution refresh

Nothing in the inbox is modified. A file whose content hash is already in the database
is skipped, so running twice changes nothing. Each file loads in one DuckDB transaction:
a crash or kill mid-file leaves none of it. For every sheet,
rows read = rows loaded + rows rejected + blank rows + totals rows.
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

from . import compounds, load
from .codes import load_table
from .dates import looks_like_twelve_hour_clock, parse_datetime
from .db import scalar, transaction
from .headers import Classification, Unclassified, classify, export_time_text
from .parse import ParsedFile, ParsedSheet, Parser
from .read import SUPPORTED_SUFFIXES
from .settings import Settings
from .sources.specs import ALL_SPECS
from .timing import mark, stage

# The sources and the validation (pandera, which imports pandas) are imported when the
# first sheet is prepared — a cold run imports them while the parse worker is busy.

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

KIND_LABELS = {spec.kind: spec.label for spec in ALL_SPECS}
TABLE_OF_KIND = {
    "alerts": "alerts",
    "cases": "cases",
    "penalties": "penalty_decisions",
    "residents": "residents",
    "registry": "registry_rows",
    "targets": "target_rows",
}


def _modules() -> dict:
    from .sources import alerts, cases, penalties, registry, residents, targets

    return {
        "alerts": alerts,
        "cases": cases,
        "penalties": penalties,
        "residents": residents,
        "registry": registry,
        "targets": targets,
    }


LOAD_ORDER = {"registry": 0, "targets": 1}  # files holding these load first


@dataclass
class SheetReport:
    sheet: str
    visibility: str = "visible"
    kind: str | None = None
    header_row: int | None = None  # 1-based
    export_at: dt.datetime | None = None
    export_time_source: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_blank: int = 0
    rows_total: int = 0
    outcome: str = "loaded"  # loaded, skipped
    reason: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind or "", "")


@dataclass
class FileReport:
    source_file: str
    content_hash: str | None = None
    format: str | None = None
    outcome: str = "loaded"  # loaded, partly_loaded, rejected, skipped, unchanged, duplicate
    reason: str | None = None
    sheets: list[SheetReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file_id: int | None = None
    rows_unattributed: int = 0

    @property
    def rows_loaded(self) -> int:
        return sum(s.rows_loaded for s in self.sheets)

    @property
    def rows_rejected(self) -> int:
        return sum(s.rows_rejected for s in self.sheets)

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sheets)

    @property
    def rows_ignored(self) -> int:
        return sum(s.rows_blank + s.rows_total for s in self.sheets)


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    ignored_files: int = 0  # Office lock files (~$…) and hidden files, skipped silently

    @property
    def new_files(self) -> list[FileReport]:
        return [f for f in self.files if f.outcome not in ("unchanged", "duplicate")]


@dataclass
class _Prepared:
    """One sheet, normalised and validated, waiting for its file's transaction."""

    report: SheetReport
    kind: str | None = None
    valid: pl.DataFrame | None = None
    rejected: pl.DataFrame | None = None


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _mtime(path: Path) -> dt.datetime:
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, LOCAL_TZ)
    return stamp.replace(tzinfo=None, microsecond=0)


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


def _classify_file(parsed: ParsedFile) -> list[tuple[ParsedSheet, Classification | Unclassified, pl.DataFrame]]:
    out = []
    for sheet in parsed.sheets:
        if sheet.error:
            out.append((sheet, Unclassified(sheet.error), pl.DataFrame()))
            continue
        head = sheet.grid(n_rows=20)
        rows = [list(r) for r in head.iter_rows()]
        out.append((sheet, classify(rows, ALL_SPECS), head))
    return out


def _prepare_sheet(
    source_file: str,
    sheet: ParsedSheet,
    classification: Classification | Unclassified,
    head: pl.DataFrame,
    file_id: int,
    mtime: dt.datetime,
    settings: Settings,
    date1904: bool = False,
) -> _Prepared:
    from .sources import registry
    from .sources.common import SheetContext, extract
    from .validate import REJECTED_SCHEMA, validate

    report = SheetReport(sheet=sheet.name, visibility=sheet.visibility)
    if sheet.visibility != "visible":
        report.notes.append("隐藏工作表，已照常读取")
    if isinstance(classification, Unclassified):
        report.outcome = "skipped"
        report.reason = classification.reason
        return _Prepared(report)
    spec = classification.spec
    report.kind = spec.kind
    report.header_row = classification.header_row + 1
    if classification.header_rows == 2:
        report.notes.append(f"两行表头（第{classification.header_row}—{classification.header_row + 1}行）")
    title_rows = [
        list(r) for r in head.slice(0, classification.header_row - classification.header_rows + 1).iter_rows()
    ]
    export_text = export_time_text(title_rows)
    export_at = parse_datetime(export_text) if export_text else None
    if export_at:
        report.export_at, report.export_time_source = export_at, "标题行"
    else:
        report.export_at, report.export_time_source = mtime, "文件修改时间"
    if classification.unused_headers:
        shown = "、".join(classification.unused_headers[:12])
        more = f"等{len(classification.unused_headers)}列" if len(classification.unused_headers) > 12 else ""
        report.notes.append(f"未使用的列：{shown}{more}")

    grid = sheet.grid()
    extracted = extract(grid, classification)
    report.rows_read, report.rows_blank, report.rows_total = (
        extracted.rows_read,
        extracted.rows_blank,
        extracted.rows_total,
    )
    headers: dict[str, str] = {}
    for column in classification.columns:
        headers.setdefault(column.field, column.header)
    context = SheetContext(
        source_file=source_file,
        sheet=sheet.name,
        file_id=file_id,
        export_at=report.export_at,
        headers=headers,
        fields=set(headers),
        settings=settings,
        notes=report.notes,
        date1904=date1904,
    )
    module = _modules()[spec.kind]
    if spec.kind == "alerts":
        frame = module.normalise(
            extracted.frame,
            context,
            load_table(str(settings.alert_codes)),
            settings.declared_for(source_file, sheet.name),
        )
    elif spec.kind == "cases":
        frame = module.normalise(extracted.frame, context, settings.economic_frauds)
    elif spec.kind == "residents":
        frame = module.normalise(extracted.frame, context, settings.verified_time_means_accurate)
    else:
        frame = module.normalise(extracted.frame, context)
    valid, rejected = validate(frame, spec.kind, module.RULES, context, extracted.conflicts)
    if spec.kind == "registry":
        extra = registry.conflicts(valid, context)
        if extra.height:
            valid = valid.filter(~pl.col("_row").is_in(extra["row_number"].unique().to_list()))
            rejected = pl.concat([rejected, extra.select(list(REJECTED_SCHEMA))])
    if sheet.formula_gaps:
        valid, rejected = _reject_formula_gaps(sheet, classification, frame, valid, rejected, context, spec.kind)
    if spec.kind == "alerts" and valid.height and looks_like_twelve_hour_clock(valid["alarm_at"].dt.hour()):
        report.notes.append("警告：报警时间的小时数都不超过12，可能是不带上午/下午的12小时制，请核对原系统导出设置")
    report.rows_loaded = valid.height
    report.rows_rejected = rejected["row_number"].n_unique() if rejected.height else 0
    accounted = report.rows_loaded + report.rows_rejected + report.rows_blank + report.rows_total
    if accounted != report.rows_read:  # a bug, never a data problem: stop before loading
        raise AssertionError(f"{source_file}/{sheet.name}: 行数对不上 {accounted} != {report.rows_read}")
    table_frame = valid.select(
        *module.TABLE_COLUMNS,
        pl.lit(source_file).alias("source_file"),
        pl.lit(sheet.name).alias("source_sheet"),
        pl.col("_row").cast(pl.Int64).alias("source_row"),
        pl.lit(report.export_at, dtype=pl.Datetime("us")).alias("export_at"),
        pl.lit(file_id, dtype=pl.Int32).alias("file_id"),
    )
    if report.rows_read == 0:
        report.notes.append("只有表头，没有数据行")
    return _Prepared(report, spec.kind, table_frame, rejected)


FORMULA_GAP_REASON = "单元格是公式，但文件中没有它的计算结果（请在Excel中重新计算并保存后再放入）"


def _reject_formula_gaps(sheet, classification, frame, valid, rejected, context, kind):
    """A formula cell saved without its value is read as empty by calamine: reject its row
    rather than take the cell as blank (only cells of the columns zhian uses)."""
    from .validate import REJECTED_SCHEMA

    headers = {column.index: column.header for column in classification.columns}
    present = set(frame["_row"].to_list())
    gaps = sorted(
        {(row, headers[column]) for row, column in sheet.formula_gaps if column in headers and row in present}
    )
    if not gaps:
        return valid, rejected
    extra = pl.DataFrame(
        {
            "source_file": [context.source_file] * len(gaps),
            "sheet": [context.sheet] * len(gaps),
            "row_number": [row for row, _ in gaps],
            "column_name": [header for _, header in gaps],
            "value": [None] * len(gaps),
            "reason": [FORMULA_GAP_REASON] * len(gaps),
            "kind": [kind] * len(gaps),
            "file_id": [context.file_id] * len(gaps),
            "rule": ["problem"] * len(gaps),
        },
        schema=REJECTED_SCHEMA,
    )
    valid = valid.filter(~pl.col("_row").is_in([row for row, _ in gaps]))
    # the formula reason replaces the generic one ("missing", "not a date") for the same cell
    explained = extra.select("row_number", "column_name")
    rejected = rejected.join(explained, on=["row_number", "column_name"], how="anti", nulls_equal=True)
    return valid, pl.concat([rejected, extra]).sort("row_number", "column_name")


def _write_file(
    con: duckdb.DuckDBPyConnection, report: FileReport, prepared: list[_Prepared], size: int, mtime: dt.datetime
) -> None:
    """Everything of one file in one transaction."""
    with transaction(con):
        kinds = {item.kind for item in prepared if item.kind}
        # the registry first: records of this very file are placed with it
        for item in sorted((p for p in prepared if p.kind), key=lambda p: p.kind != "registry"):
            table = TABLE_OF_KIND[item.kind]
            if table in compounds.RECORD_TABLES:
                item.valid = compounds.attribute_frame(con, item.valid)
            if table in load.VERSIONED:
                load.load_versioned(con, table, item.valid, report.file_id)
            else:
                load.append(con, table, item.valid)
            if item.rejected is not None and item.rejected.height:
                load.append(con, "rejected_rows", item.rejected)
            if item.kind == "registry":
                load.rebuild_registry(con)
                compounds.refresh_all(con)
        if "targets" in kinds:
            load.rebuild_targets(con)
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
                    "notes": "；".join([*([sheet.reason] if sheet.reason and sheet.sheet else []), *sheet.notes])
                    or None,
                },
            )
        con.execute(
            "insert into ingest_files values ($file_id, $file, $hash, $size, $mtime, $format, $outcome,"
            " $reason, $sheets, $read, $loaded, $rejected, $ignored, $at)",
            {
                "file_id": report.file_id,
                "file": report.source_file,
                "hash": report.content_hash,
                "size": size,
                "mtime": mtime,
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


def _file_outcome(report: FileReport) -> str:
    loaded = [s for s in report.sheets if s.outcome == "loaded"]
    if not loaded:
        return "skipped"
    if report.rows_rejected or any(s.outcome != "loaded" for s in report.sheets):
        return "partly_loaded"
    return "loaded"


@dataclass
class Plan:
    """What an ingest has to do: the inbox's files, each new one with its report."""

    inbox: Path
    report: IngestReport
    new: list[tuple[Path, FileReport]] = field(default_factory=list)

    @property
    def to_parse(self) -> list[Path]:
        return [path for path, file_report in self.new if file_report.outcome == "loaded"]


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
            same = known[digest]
            result.report.files.append(
                FileReport(
                    name,
                    digest,
                    outcome="unchanged" if same == name else "duplicate",
                    reason=None if same == name else f"与已载入的“{same}”内容完全相同",
                )
            )
            continue
        if not seen_now and on_new_file:
            on_new_file()  # the CLI starts the parse worker now: it imports while we hash the rest
        if digest in seen_now:
            file_report = FileReport(name, digest, outcome="duplicate", reason=f"与“{seen_now[digest]}”内容完全相同")
        else:
            seen_now[digest] = name
            file_report = FileReport(name, digest)
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                file_report.outcome, file_report.reason = "skipped", "不支持的文件类型（只读取.xlsx、.xls、.csv）"
        result.new.append((path, file_report))
    return result


def parse_files(
    paths: list[Path], parser: Parser, on_progress: Callable[[str, int, int], None] | None = None
) -> dict[Path, ParsedFile]:
    """Parse files in the worker processes (see parse.py); sheets land as Arrow IPC files."""
    jobs = parser.start(paths)
    mark("parse jobs submitted")
    with stage("import sources and pandera"):
        _modules()  # import the sources and pandera while the worker parses
    total_bytes = sum(p.stat().st_size for p in paths) or 1
    done_bytes = 0
    parsed_by_path: dict[Path, ParsedFile] = {}
    for parsed in parser.results(jobs):
        mark(f"parsed {parsed.path.name}")
        parsed_by_path[parsed.path] = parsed
        done_bytes += parsed.path.stat().st_size
        if on_progress:
            on_progress("解析", done_bytes, total_bytes)
    return parsed_by_path


def load_files(
    con: duckdb.DuckDBPyConnection,
    work: Plan,
    parsed_by_path: dict[Path, ParsedFile],
    settings: Settings,
    on_file: Callable[[FileReport], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Classify, prepare and write every new file, one transaction each, in a fixed order
    (registry first, then targets, then by name): DuckDB has one writer."""
    report = work.report
    classified = {path: _classify_file(p) for path, p in parsed_by_path.items() if p.error is None}

    def order(item: tuple[Path, FileReport]) -> tuple[int, str]:
        sheets = classified.get(item[0], [])
        kinds = [c.spec.kind for _, c, _ in sheets if isinstance(c, Classification)]
        return (min((LOAD_ORDER.get(k, 2) for k in kinds), default=2), item[1].source_file)

    total_bytes = sum(p.stat().st_size for p in work.to_parse) or 1
    loaded_bytes = 0
    for path, file_report in sorted(work.new, key=order):
        size, mtime = path.stat().st_size, _mtime(path)
        file_report.file_id = scalar(con, "select nextval('file_id_seq')")
        prepared: list[_Prepared] = []
        parsed = parsed_by_path.get(path)
        if parsed is not None:
            file_report.format = parsed.format
            file_report.notes.extend(parsed.notes)
            if parsed.error:
                file_report.outcome, file_report.reason = "rejected", parsed.error
            else:
                for sheet, classification, head in classified[path]:
                    with stage(f"prepare {file_report.source_file}/{sheet.name}"):
                        prepared.append(
                            _prepare_sheet(
                                file_report.source_file,
                                sheet,
                                classification,
                                head,
                                file_report.file_id,
                                mtime,
                                settings,
                                parsed.date1904,
                            )
                        )
                file_report.sheets = [p.report for p in prepared]
                if not file_report.sheets:
                    file_report.outcome, file_report.reason = "skipped", "工作簿中没有工作表"
                else:
                    file_report.outcome = _file_outcome(file_report)
                    if file_report.outcome == "skipped":
                        file_report.reason = "没有可识别的工作表"
        if file_report.outcome != "duplicate":
            with stage(f"load {file_report.source_file}"):
                _write_file(con, file_report, prepared, size, mtime)
        report.files.append(file_report)
        loaded_bytes += size if parsed is not None else 0
        if on_progress and parsed is not None:
            on_progress("载入", loaded_bytes, total_bytes)
        if on_file:
            on_file(file_report)
    _count_unattributed(con, report)
    return report


def _count_unattributed(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
    if not report.new_files:
        return
    counts = dict(
        con.execute("""
            select file_id, count(*) from (
                select file_id from alerts where compound is null
                union all select file_id from cases where compound is null
                union all select file_id from residents where compound is null)
            group by file_id
        """).fetchall()
    )
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
    """Load every new file of `inbox` into the database behind `con`: plan, parse, load.
    A caller that can start the parse workers early (the CLI) passes `parser`."""
    settings = settings or Settings()
    with contextlib.ExitStack() as stack:
        if parser is None:
            parser = stack.enter_context(open_parser(settings))

        def warm() -> None:
            if not parser.started:
                parser.warm()
                mark("worker started")

        work = plan_files(inbox, con, on_new_file=warm)
        parsed = parse_files(work.to_parse, parser, on_progress) if work.to_parse else {}
        return load_files(con, work, parsed, settings, on_file, on_progress)


@contextlib.contextmanager
def open_parser(settings: Settings, *, warm: bool = False, workers: int | None = None) -> Iterator[Parser]:
    """Parse workers writing into a private temporary folder, removed afterwards."""
    with (
        tempfile.TemporaryDirectory(prefix="zhian-") as tmp,
        Parser(Path(tmp), workers or settings.workers, settings.limits) as parser,
    ):
        if warm:
            parser.warm()
        yield parser
