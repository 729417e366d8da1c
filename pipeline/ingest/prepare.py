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

from zhian.pipeline.ingest.classify import (
    Classification,
    Unclassified,
    classify,
    export_date_in_name,
    export_time_text,
)
from zhian.pipeline.ingest.coverage import STATED
from zhian.pipeline.ingest.file_reports import FileReport, SheetReport
from zhian.pipeline.ingest.read import Sheet, Unreadable, Workbook, read_workbook
from zhian.pipeline.settings import Settings
from zhian.pipeline.sources import BY_KIND, KINDS
from zhian.pipeline.sources.kind import ROW
from zhian.pipeline.values.dates import looks_like_twelve_hour_clock, parse_datetime

PENDING_FILE_ID = 0  # replaced by the file's id when it is loaded
RECORDS_RANK = max(kind.load_rank for kind in KINDS)


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

    def to_json(self) -> dict:
        return {
            "path": str(self.path),
            "format": self.format,
            "notes": self.notes,
            "error": self.error,
            "reports": [report.to_json() for report in self.reports],
            "kinds": self.kinds,
            "valid_paths": self.valid_paths,
            "rejected_paths": self.rejected_paths,
            "seconds": self.seconds,
        }

    @classmethod
    def from_json(cls, data: dict) -> PreparedFile:
        """Read back what a worker staged (JSON): only known kinds, texts and counts."""
        kinds = data["kinds"]
        if any(kind is not None and kind not in BY_KIND for kind in kinds):
            raise ValueError("unknown source kind in a staged batch")
        reports = [SheetReport.from_json(item) for item in data["reports"]]
        if not (len(reports) == len(kinds) == len(data["valid_paths"]) == len(data["rejected_paths"])):
            raise ValueError("a staged batch's sheets do not line up")
        return cls(
            path=Path(data["path"]),
            format=data["format"],
            notes=[str(note) for note in data["notes"]],
            error=data["error"],
            reports=reports,
            kinds=kinds,
            valid_paths=data["valid_paths"],
            rejected_paths=data["rejected_paths"],
            seconds={str(k): float(v) for k, v in data["seconds"].items()},
        )

    @property
    def load_rank(self) -> int:
        """Files holding the registry load first, then targets, then the records (each
        kind's `load_rank`)."""
        return min((BY_KIND[k].load_rank for k in self.kinds if k), default=RECORDS_RANK)


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
        carried = []
        if isinstance(classification, Classification) and classification.kind.carries:
            classification, carried = split_carried(classification, head)
        items = [prepare_sheet(source_file, sheet, classification, head, mtime, settings, workbook.date1904, seconds)]
        if carried:
            items += prepare_carried(source_file, sheet, carried, items[0].report, settings, workbook)
        for item in items:
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
    """Import what preparing needs in a fresh worker: pandera (it imports pandas) takes
    1.1–1.4 s (measured 2026-12 with the pinned versions), so the worker imports it while
    the main process hashes the inbox and opens the database."""
    from zhian.pipeline.ingest import validate  # noqa: F401


def classify_sheets(workbook: Workbook) -> list[tuple[Sheet, Classification | Unclassified, pl.DataFrame]]:
    """Each sheet with what its header says it is (its first 20 rows are searched)."""
    out = []
    for sheet in workbook.sheets:
        if sheet.error:
            out.append((sheet, Unclassified(sheet.error), pl.DataFrame()))
            continue
        head = sheet.grid.head(20)
        rows = [list(r) for r in head.iter_rows()]
        out.append((sheet, classify(rows, KINDS), head))
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
    from zhian.pipeline.ingest.extract import extract

    report = SheetReport(sheet=sheet.name, visibility=sheet.visibility)
    if sheet.visibility != "visible":
        report.notes.append("隐藏工作表，已照常读取")
    if isinstance(classification, Unclassified):
        report.outcome = "skipped"
        report.reason = classification.reason
        return PreparedSheet(report)
    kind = classification.kind
    report.kind = kind.kind
    report.header_row = classification.header_row + 1
    if classification.header_rows == 2:
        report.notes.append(f"两行表头（第{classification.header_row}—{classification.header_row + 1}行）")
    title_rows = [
        list(r) for r in head.slice(0, classification.header_row - classification.header_rows + 1).iter_rows()
    ]
    export_text = export_time_text(title_rows)
    export_at = parse_datetime(export_text) if export_text else None
    named = export_date_in_name(Path(source_file).name)
    if export_at:
        report.export_at, report.export_time_source = export_at, "标题行"
    elif named:
        report.export_at, report.export_time_source = named, "文件名"
    else:
        report.export_at, report.export_time_source = mtime, "文件修改时间"
    if classification.unused_headers:
        shown = "、".join(classification.unused_headers[:12])
        more = f"等{len(classification.unused_headers)}列" if len(classification.unused_headers) > 12 else ""
        report.notes.append(f"未使用的列：{shown}{more}")

    in_data = [b for b in sheet.merged if b[2] > classification.header_row]
    if in_data:
        report.notes.append(f"合并单元格{len(in_data)}处：其值已填入所覆盖的每一行")
    classification = _with_continued_headers(classification, sheet.merged)
    extracted = extract(sheet.grid, classification, date1904)
    report.notes.extend(extracted.notes)
    report.rows_read, report.rows_blank, report.rows_total = (
        extracted.rows_read,
        extracted.rows_blank,
        extracted.rows_total,
    )
    return _prepare_rows(source_file, sheet, classification, extracted, report, settings, date1904, seconds, began)


def _prepare_rows(source_file, sheet, classification, extracted, report, settings, date1904, seconds, began):
    """Normalise and validate extracted rows into the kind's table frame and rejected cells."""
    from zhian.pipeline.ingest.validate import validate
    from zhian.pipeline.sources.kind import SheetContext

    kind = classification.kind
    headers: dict[str, str] = {}
    for column in classification.columns:
        headers.setdefault(column.field, column.header)
    headers.update(extracted.combined)
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
        carried=report.carried,
        labels=kind.field_labels(),
    )
    frame = kind.normalise(extracted.frame, context)
    seconds["normalise"] = seconds.get("normalise", 0.0) + time.perf_counter() - began
    began = time.perf_counter()
    valid, rejected = validate(frame, kind, context, extracted.conflicts)
    seconds["validate"] = seconds.get("validate", 0.0) + time.perf_counter() - began
    if kind.cross_row_checks:
        extra = kind.cross_row_checks(valid, context)
        if extra.height:
            valid = valid.filter(~pl.col(ROW).is_in(extra["row_number"].unique().to_list()))
            rejected = pl.concat([rejected, extra])
    if kind.records and report.export_time_source in STATED and valid.height:
        valid, rejected = _reject_after_export(valid, rejected, context, kind, report.export_at)
    if sheet.formula_gaps:
        valid, rejected = _reject_formula_gaps(sheet, classification, frame, valid, rejected, context, kind.kind)
    if kind.kind == "alerts" and valid.height and looks_like_twelve_hour_clock(valid["alarm_at"].dt.hour()):
        report.notes.append("警告：报警时间的小时数都不超过12，可能是不带上午/下午的12小时制，请核对原系统导出设置")
    # rows of the sheet (a target sentence naming two metrics loads as two targets)
    report.rows_loaded = valid[ROW].n_unique() if valid.height else 0
    report.rows_rejected = rejected["row_number"].n_unique() if rejected.height else 0
    accounted = report.rows_loaded + report.rows_rejected + report.rows_blank + report.rows_total
    if accounted != report.rows_read:  # a bug, never a data problem: stop before loading
        raise AssertionError(f"{source_file}/{sheet.name}: 行数对不上 {accounted} != {report.rows_read}")
    table_frame = valid.select(
        *(column.name for column in kind.columns),
        pl.lit(source_file).alias("source_file"),
        pl.lit(sheet.name).alias("source_sheet"),
        pl.col(ROW).cast(pl.Int64).alias("source_row"),
        pl.lit(report.export_at, dtype=pl.Datetime("us")).alias("export_at"),
        pl.lit(PENDING_FILE_ID, dtype=pl.Int32).alias("file_id"),
    )
    if report.rows_read == 0:
        report.notes.append("只有表头，没有数据行")
    return PreparedSheet(report, kind.kind, table_frame, rejected)


def _with_continued_headers(classification: Classification, merged) -> Classification:
    """Mark the columns whose header cell is the continuation of a header merged across
    columns on the header row (`Classification.continued`)."""
    from dataclasses import replace

    row = classification.header_row
    continued = {c for r1, c1, r2, c2 in merged if r1 <= row <= r2 and c2 > c1 for c in range(c1 + 1, c2 + 1)}
    return replace(classification, continued=frozenset(continued)) if continued else classification


def split_carried(classification: Classification, head: pl.DataFrame) -> tuple[Classification, list[Classification]]:
    """The columns of the records of other kinds a sheet carries (`SourceKind.carries`: the
    case opened from each alert of an overview), and the carrier's own columns without them
    (in an overview, 案件类型 is the case's kind, not the alert's type); lent columns (the
    address) serve both."""
    from dataclasses import replace

    from zhian.pipeline.ingest.classify import carried

    rows = [list(r) for r in head.iter_rows()]
    found = [c for c in (carried(rows, classification, BY_KIND[k]) for k in classification.kind.carries) if c]
    taken = {
        column.index for other in found for column in other.columns if column.field not in classification.kind.lends
    }
    own = [column for column in classification.columns if column.index not in taken]
    used = {column.header for other in found for column in other.columns}
    unused = [header for header in classification.unused_headers if header not in used]
    return replace(classification, columns=own, unused_headers=unused), found


def prepare_carried(
    source_file: str,
    sheet: Sheet,
    carried: list[Classification],
    carrier: SheetReport,
    settings: Settings,
    workbook: Workbook,
) -> list[PreparedSheet]:
    """The carried records (see `split_carried`) as sheets of their own kind: only the rows
    that name such a record (its id) are its rows; the others are the carrier's alone."""
    from zhian.pipeline.ingest.extract import extract

    out = []
    for columns in carried:
        kind = columns.kind
        began = time.perf_counter()
        extracted = extract(sheet.grid, columns, workbook.date1904)
        named = extracted.frame.filter(pl.col(kind.id_field).is_not_null())
        extracted.frame = named
        extracted.conflicts = extracted.conflicts.filter(pl.col(ROW).is_in(named[ROW].implode()))
        report = SheetReport(
            sheet=sheet.name,
            visibility=sheet.visibility,
            kind=kind.kind,
            header_row=carrier.header_row,
            export_at=carrier.export_at,
            export_time_source=carrier.export_time_source,
            rows_read=named.height,
            carried=True,
            notes=[
                f"{carrier.label}表中关联的{kind.label}（{named.height}行），随{carrier.label}一并载入",
                *extracted.notes,
            ],
        )
        out.append(
            _prepare_rows(source_file, sheet, columns, extracted, report, settings, workbook.date1904, {}, began)
        )
    return out


FORMULA_GAP_REASON = "单元格是公式，但文件中没有它的计算结果（请在表格软件中重新计算并保存后再放入）"


def _reject_after_export(valid, rejected, context, kind, export_at: dt.datetime):
    """A record dated after the export time its own file states (a 登记日期 in the future, a
    typo of the year) cannot be true: reject its row, quoting the date and the export time."""
    from zhian.pipeline.ingest.rejections import rejections

    extra = []
    for column in kind.columns:
        if column.type not in ("date", "timestamp") or column.name not in context.headers:
            continue  # a column of the sheet (not one derived from another)
        limit = export_at.date() if column.type == "date" else export_at
        rows = valid.filter(pl.col(column.name) > limit)
        if not rows.height:
            continue
        shown = "%Y-%m-%d" if column.type == "date" else "%Y-%m-%d %H:%M"
        extra.append(
            rejections(
                context,
                kind.kind,
                rows,
                column=context.headers.get(column.name) or context.labels.get(column.name, column.name),
                value=rows[column.name].dt.strftime(shown),
                reason=f"日期晚于本表的导出时间（{export_at:%Y-%m-%d %H:%M}），不可能已经发生，请核对",
                rule="after_export",
            )
        )
    if not extra:
        return valid, rejected
    late = pl.concat(extra)
    valid = valid.filter(~pl.col(ROW).is_in(late["row_number"].unique().to_list()))
    return valid, pl.concat([rejected, late]).sort("row_number", "column_name")


def _reject_formula_gaps(sheet, classification, frame, valid, rejected, context, kind):
    """A formula cell saved without its value is read as empty by calamine: reject its row
    rather than take the cell as blank (only cells of the columns zhian uses)."""
    from zhian.pipeline.ingest.rejections import rejections

    headers = {column.index: column.header for column in classification.columns}
    present = set(frame[ROW].to_list())
    gaps = sorted(
        {(row, headers[column]) for row, column in sheet.formula_gaps if column in headers and row in present}
    )
    if not gaps:
        return valid, rejected
    cells = pl.DataFrame({ROW: [row for row, _ in gaps], "header": [header for _, header in gaps]})
    extra = rejections(context, kind, cells, column=cells["header"], reason=FORMULA_GAP_REASON, rule="problem")
    valid = valid.filter(~pl.col(ROW).is_in([row for row, _ in gaps]))
    # the formula reason replaces the generic one ("missing", "not a date") for the same cell
    explained = extra.select("row_number", "column_name")
    rejected = rejected.join(explained, on=["row_number", "column_name"], how="anti", nulls_equal=True)
    return valid, pl.concat([rejected, extra]).sort("row_number", "column_name")


def file_outcome(report: FileReport) -> str:
    """loaded, partly_loaded (rows were rejected — a skipped sheet alone does not make a file
    partly loaded: it is reported as a skipped sheet), or skipped (no sheet loaded)."""
    loaded = [s for s in report.sheets if s.outcome == "loaded"]
    if not loaded:
        return "skipped"
    if any(s.rows_rejected for s in report.sheets):
        return "partly_loaded"
    return "loaded"
