"""Preparing one inbox file: read it, recognise each sheet by its header, normalise and
validate its rows (Pandera). Runs in a parse worker (parse.py), so the expensive part of an
ingest runs on as many processes as `--workers` says, and a file that crashes its reader
crashes only its worker.

The worker hands the result over as Arrow IPC files in the ingest's private temporary
folder — per sheet, the valid rows as the table takes them and the rejected cells — and
returns the reports. The loader (ingest.py) gives each file its id and writes it; until
then the frames carry `PENDING_FILE_ID`. For every sheet,
rows read = rows loaded + rows rejected + blank rows + totals rows.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from zhian.pipeline.ingest.classify import Classification, Unclassified, classify, export_time_text
from zhian.pipeline.ingest.read import Sheet, Unreadable, Workbook, read_workbook
from zhian.pipeline.ingest.reports import FileReport, SheetReport
from zhian.pipeline.settings import Settings
from zhian.pipeline.sources.specs import ALL_SPECS
from zhian.pipeline.values.codes import load_table
from zhian.pipeline.values.dates import looks_like_twelve_hour_clock, parse_datetime

PENDING_FILE_ID = 0  # replaced by the file's id when it is loaded
LOAD_ORDER = {"registry": 0, "targets": 1}  # files holding these load first


@dataclass
class PreparedSheet:
    """One sheet, normalised and validated, waiting for its file's transaction."""

    report: SheetReport
    kind: str | None = None
    valid: pl.DataFrame | None = None
    rejected: pl.DataFrame | None = None


@dataclass
class PreparedFile:
    """What a worker hands over for one file: the reports, and per sheet the frames as IPC
    paths (read back with `sheets()`)."""

    path: Path
    format: str | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # set when the whole file is rejected
    reports: list[SheetReport] = field(default_factory=list)
    kinds: list[str | None] = field(default_factory=list)
    valid_paths: list[str | None] = field(default_factory=list)
    rejected_paths: list[str | None] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # read, normalise, validate, hand over

    def sheets(self) -> list[PreparedSheet]:
        return [
            PreparedSheet(report, kind, _read_frame(valid), _read_frame(rejected))
            for report, kind, valid, rejected in zip(
                self.reports, self.kinds, self.valid_paths, self.rejected_paths, strict=True
            )
        ]

    @property
    def rows(self) -> int:
        return sum(r.rows_loaded + r.rows_rejected for r in self.reports)

    @property
    def load_rank(self) -> int:
        """Files holding the registry load first, then targets, then the records."""
        return min((LOAD_ORDER.get(k, 2) for k in self.kinds if k), default=2)


def _read_frame(path: str | None) -> pl.DataFrame | None:
    if not path:
        return None
    return pl.read_parquet(path) if path.endswith(".parquet") else pl.read_ipc(path)


def prepare_file(
    path: Path,
    source_file: str,
    mtime: dt.datetime,
    settings: Settings,
    out_dir: Path,
    frame_format: str = "arrow",
) -> PreparedFile:
    """Read, classify, normalise and validate one file; write its frames into `out_dir` as
    Arrow IPC (a local hand-over: fastest) or Parquet (`frame_format="parquet"`: compressed,
    for a shared folder between machines)."""
    began = time.perf_counter()
    try:
        workbook = read_workbook(Path(path), settings.limits)
    except Unreadable as error:
        return PreparedFile(Path(path), error=str(error))
    except MemoryError:
        return PreparedFile(Path(path), error="文件展开后超出内存上限，疑似恶意构造或过大，已拒绝")
    prepared = PreparedFile(Path(path), format=workbook.format, notes=list(workbook.notes))
    seconds = prepared.seconds
    seconds["read"] = time.perf_counter() - began
    for sheet, classification, head in classify_sheets(workbook):
        item = prepare_sheet(source_file, sheet, classification, head, mtime, settings, workbook.date1904, seconds)
        prepared.reports.append(item.report)
        prepared.kinds.append(item.kind)
        began = time.perf_counter()
        prepared.valid_paths.append(_write_frame(item.valid, out_dir, frame_format))
        prepared.rejected_paths.append(_write_frame(item.rejected, out_dir, frame_format))
        seconds["hand over"] = seconds.get("hand over", 0.0) + time.perf_counter() - began
    return prepared


def _write_frame(frame: pl.DataFrame | None, out_dir: Path, frame_format: str = "arrow") -> str | None:
    if frame is None:
        return None
    target = Path(out_dir) / f"{uuid.uuid4().hex}.{frame_format}"
    if frame_format == "parquet":
        frame.write_parquet(target, compression="zstd")
    else:
        frame.write_ipc(target)
    return str(target)


def warm_imports() -> None:
    """Import what preparing needs (pandera imports pandas: ~0.4 s) in a fresh worker."""
    _modules()
    from zhian.pipeline import validate  # noqa: F401


def _modules() -> dict:
    from zhian.pipeline.sources import alerts, cases, penalties, residents, targets
    from zhian.pipeline.sources import compound_registry as registry

    return {
        "alerts": alerts,
        "cases": cases,
        "penalties": penalties,
        "residents": residents,
        "registry": registry,
        "targets": targets,
    }


def classify_sheets(workbook: Workbook) -> list[tuple[Sheet, Classification | Unclassified, pl.DataFrame]]:
    """Each sheet with what its header says it is (its first 20 rows are searched)."""
    out = []
    for sheet in workbook.sheets:
        if sheet.error:
            out.append((sheet, Unclassified(sheet.error), pl.DataFrame()))
            continue
        head = sheet.grid.head(20)
        rows = [list(r) for r in head.iter_rows()]
        out.append((sheet, classify(rows, ALL_SPECS), head))
    return out


def prepare_sheet(
    source_file: str,
    sheet: Sheet,
    classification: Classification | Unclassified,
    head: pl.DataFrame,
    mtime: dt.datetime,
    settings: Settings,
    date1904: bool = False,
    seconds: dict[str, float] | None = None,
) -> PreparedSheet:
    """One sheet: extract and normalise its rows, validate them. `seconds` (when given)
    collects the time of each step, for the stage timings."""
    seconds = {} if seconds is None else seconds
    began = time.perf_counter()
    from zhian.pipeline.ingest.validate import REJECTED_SCHEMA, validate
    from zhian.pipeline.sources import compound_registry as registry
    from zhian.pipeline.sources.common import SheetContext, extract

    report = SheetReport(sheet=sheet.name, visibility=sheet.visibility)
    if sheet.visibility != "visible":
        report.notes.append("隐藏工作表，已照常读取")
    if isinstance(classification, Unclassified):
        report.outcome = "skipped"
        report.reason = classification.reason
        return PreparedSheet(report)
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

    extracted = extract(sheet.grid, classification)
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
        file_id=PENDING_FILE_ID,
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
    seconds["normalise"] = seconds.get("normalise", 0.0) + time.perf_counter() - began
    began = time.perf_counter()
    valid, rejected = validate(frame, spec.kind, module.RULES, context, extracted.conflicts)
    seconds["validate"] = seconds.get("validate", 0.0) + time.perf_counter() - began
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
        pl.lit(PENDING_FILE_ID, dtype=pl.Int32).alias("file_id"),
    )
    if report.rows_read == 0:
        report.notes.append("只有表头，没有数据行")
    return PreparedSheet(report, spec.kind, table_frame, rejected)


FORMULA_GAP_REASON = "单元格是公式，但文件中没有它的计算结果（请在Excel中重新计算并保存后再放入）"


def _reject_formula_gaps(sheet, classification, frame, valid, rejected, context, kind):
    """A formula cell saved without its value is read as empty by calamine: reject its row
    rather than take the cell as blank (only cells of the columns zhian uses)."""
    from zhian.pipeline.ingest.validate import REJECTED_SCHEMA

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


def file_outcome(report: FileReport) -> str:
    loaded = [s for s in report.sheets if s.outcome == "loaded"]
    if not loaded:
        return "skipped"
    if report.rows_rejected or any(s.outcome != "loaded" for s in report.sheets):
        return "partly_loaded"
    return "loaded"
