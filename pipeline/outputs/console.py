"""What the analyst reads in the terminal (Chinese). Counts and file names only: no row
values, so nothing personal reaches a terminal log; every reason and note passes through
`mask_text` in case it quotes a cell."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from zhian.pipeline.db import query, scalar
from zhian.pipeline.ingest.file_reports import FileReport, IngestReport, SheetReport
from zhian.pipeline.masking import mask_text, masked_rejection
from zhian.pipeline.outputs import wording
from zhian.pipeline.sources import LABELS

SYMBOLS = {"loaded": "✓", "partly_loaded": "!", "rejected": "✗", "skipped": "-", "unchanged": "=", "duplicate": "="}

# a pipe or a log file gets wide lines rather than tables folded at 80 columns
console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def sheet_line(sheet: SheetReport) -> str:
    if sheet.outcome == "skipped":
        return f"    · 工作表「{sheet.sheet}」已跳过：{mask_text(sheet.reason)}"
    parts = [
        f"    · 工作表「{sheet.sheet}」：{sheet.label}，表头在第{sheet.header_row}行",
        f"导出时间{sheet.export_at:%Y-%m-%d %H:%M}（{sheet.export_time_source}）" if sheet.export_at else None,
        f"读取{sheet.rows_read}行，载入{sheet.rows_loaded}行，拒绝{sheet.rows_rejected}行",
    ]
    ignored = []
    if sheet.rows_blank:
        ignored.append(f"空行{sheet.rows_blank}")
    if sheet.rows_total:
        ignored.append(f"合计行{sheet.rows_total}")
    if ignored:
        parts.append("忽略" + "、".join(ignored))
    line = "，".join(p for p in parts if p)
    for note in sheet.notes:
        line += f"\n        {mask_text(note)}"
    return line


def file_lines(report: FileReport) -> list[str]:
    head = f"{SYMBOLS[report.outcome]} {report.source_file}：{wording.OUTCOME_NAMES[report.outcome]}"
    if report.outcome in ("loaded", "partly_loaded"):
        head += f"（载入{report.rows_loaded}行，拒绝{report.rows_rejected}行，未归属小区{report.rows_unattributed}行）"
    if report.reason:
        head += f" —— {mask_text(report.reason)}"
    lines = [head]
    for note in report.notes:
        lines.append(f"    {mask_text(note)}")
    if report.outcome not in ("unchanged", "duplicate"):
        lines.extend(sheet_line(s) for s in report.sheets)
    return lines


def print_ingest(report: IngestReport, db_path: str) -> None:
    new = report.new_files
    unchanged = len(report.files) - len(new)
    if not report.files:
        console.print("收件箱是空的：没有找到任何文件，本次没有载入数据。")
    elif not new:
        console.print(f"收件箱中没有新文件（{unchanged}个文件内容未变，已跳过）。")
    for file_report in new:
        for line in file_lines(file_report):
            console.print(line)
    if unchanged and new:
        console.print(f"另有{unchanged}个文件内容未变或重复，已跳过。")
    if report.ignored_files:
        console.print(f"忽略了{report.ignored_files}个Office临时锁文件或隐藏文件（~$… / .…）。")
    rejected = sum(f.rows_rejected for f in new)
    loaded = sum(f.rows_loaded for f in new)
    bad_files = sum(1 for f in new if f.outcome == "rejected")
    summary = f"合计：新文件{len(new)}个，载入{loaded}行，拒绝{rejected}行"
    if bad_files:
        summary += f"，{bad_files}个文件整体被拒绝"
    console.print(summary + "。")
    if rejected or bad_files:
        console.print(f"被拒绝的行已逐行记录（文件、工作表、行号、列、原因），查看：zhian quality --db {db_path}")


@contextmanager
def progress_bar(enabled: bool) -> Iterator:
    """A byte-based progress bar on the terminal (parse, then load), for large inboxes."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done)

        yield update


def print_quality(con: duckdb.DuckDBPyConnection, examples: int = 3) -> None:
    """Rejected rows grouped by file and reason, with the first examples; skipped sheets and
    files; unattributed records per source (the relations of sql/quality, as the report)."""
    params = {"station": None, "examples": examples}
    files = query(con, "quality/quality_files.sql", params).pl()
    if files.height == 0:
        console.print("数据库中还没有载入任何文件。")
        return
    table = Table(title="各文件载入情况", caption=wording.READ_SUM_NOTE, show_lines=False)
    for column in ("文件", "结果", "读取", "载入", "拒绝", "空行", "合计行", "未归属小区", "说明"):
        table.add_column(column, overflow="fold")
    for row in files.iter_rows(named=True):
        table.add_row(
            row["source_file"],
            wording.OUTCOME_NAMES.get(row["outcome"], row["outcome"]),
            str(row["rows_read"] or 0),
            str(row["rows_loaded"] or 0),
            str(row["rows_rejected"] or 0),
            str(row["rows_blank"]),
            str(row["rows_total"]),
            str(row["rows_unattributed"]),
            mask_text(row["reason"]) or "",
        )
    console.print(table)

    skipped = query(con, "quality/skipped_sheets.sql", params).fetchall()
    if skipped:
        console.print("\n跳过的工作表：")
        for name, sheet, notes in skipped:
            console.print(f"  {name} / {sheet}：{mask_text(notes)}")

    groups = query(con, "quality/rejection_groups.sql", params).pl()
    if groups.height:
        console.print("\n被拒绝的行（按文件和原因归类）：")
        current = None
        for group in groups.iter_rows(named=True):
            if group["source_file"] != current:
                console.print(f"  {group['source_file']}")
                current = group["source_file"]
            listed = "、".join(f"第{r}行" for r in group["first_rows"])
            reason = masked_rejection(group["kind"], group["column_name"], group["value"], group["reason"])[1]
            console.print(
                f"    {reason}：{group['rows']}行（工作表「{group['sheet']}」，列“{group['column_name']}”，如{listed}）"
            )
    else:
        console.print("\n没有被拒绝的行。")
    console.print("\n未归属到小区的记录（保留在数据库中，不计入任何小区的指标）：")
    for kind, missing, records in query(con, "quality/unattributed_records.sql", params).fetchall():
        console.print(f"  {LABELS[kind]}：{missing} / {records}")
    unknown = scalar(con, "select count(*) from alerts where classified_by = 'none'")
    if unknown:
        console.print(f"  另有{unknown}条警情来自没有性质/类别列的导出表，类别未知，不计入分类指标。")
    print_registry_upkeep(con, params["station"])


def print_registry_upkeep(con: duckdb.DuckDBPyConnection, station: str | None = None) -> None:
    """The doorplates the 小区名册 lacks (with suggestions) and what registry files disagree on."""
    plates = query(con, "quality/unattributed_doorplates.sql", {"station": station, "limit": wording.DOORPLATE_LIMIT})
    plates = plates.fetchall()
    if plates:
        table = Table(title=wording.DOORPLATES_TITLE, caption=wording.DOORPLATES_NOTE)
        for column in wording.DOORPLATE_HEADERS:
            table.add_column(column, overflow="fold")
        for doorplate, records, by_source, suggestion in plates:
            table.add_row(doorplate, str(records), by_source, suggestion or "")
        console.print(table)
    disagreements = query(con, "quality/registry_disagreements.sql", {"station": station}).fetchall()
    if disagreements:
        table = Table(title=wording.DISAGREEMENTS_TITLE)
        for column in wording.DISAGREEMENT_HEADERS:
            table.add_column(column, overflow="fold")
        for compound, label, value, source_file, _, in_use in disagreements:
            table.add_row(compound, label, value, source_file, wording.in_use_word(in_use))
        console.print(table)


def print_metrics(
    evaluation,
    campaign: str | None = None,
    *,
    compounds: set[str] | None = None,
    detail: bool = True,
    coverage: list[dict] | None = None,
) -> None:
    """Statuses per campaign, in Chinese (达标 / 未达标 / 进度正常 / 有风险 / 无数据):
    for `compounds` only when given (one station); counts only when not `detail` (a
    bureau's thousands of rows belong in the overview page, not the terminal)."""
    results = evaluation.results
    if campaign:
        results = results.filter(results["campaign"] == campaign)
    if compounds is not None:
        results = results.filter(results["compound"].is_in(sorted(compounds)))
    if results.height == 0:
        console.print(
            "没有可计算的整治目标（请检查整治目标表和小区名册）。"
            if not campaign
            else f"没有整治项目“{campaign}”的目标。"
        )
    definition = wording.rate_definition_text(evaluation.rate_definition)
    console.print(f"评估日期：{evaluation.as_of.isoformat()}，比率口径：{definition}")
    if coverage:
        lines, warning = wording.coverage_lines(coverage, evaluation.as_of)
        console.print("；".join(lines))
        if warning:
            console.print(warning)
    for name in results["campaign"].unique(maintain_order=True).to_list():
        rows = results.filter(results["campaign"] == name)
        first = rows.row(0, named=True)
        state = wording.campaign_state(first)
        counts = {s: rows.filter(rows["status"] == s).height for s in wording.STATUS_NAMES}
        verdict = "，".join(f"{wording.STATUS_NAMES[s]} {n}" for s, n in counts.items() if n)
        console.print(
            f"\n{name}（{first['window_start']} 至 {first['window_end']}，{state}）：{rows.height} 项指标：{verdict}"
        )
        if not detail:
            continue
        table = Table(show_lines=False)
        for column in ("小区", "指标", "目标", "本期", "同期", "变化", "状态", "说明"):
            table.add_column(column, overflow="fold")
        for row in rows.iter_rows(named=True):
            notes = [
                n
                for n in (
                    row["note"],
                    wording.gap_text(row),
                    wording.significance_text(row),
                    wording.LOW_BASE_NOTE if row["low_base"] else None,
                    wording.pace_sentence(row),
                )
                if n
            ]
            table.add_row(
                row["compound"],
                row["metric_name"],
                wording.target_text(row["kind"], row["target_op"], row["target_percent"]),
                wording.actual_text(row),
                wording.baseline_text(row),
                wording.change_text(row),
                wording.STATUS_NAMES[row["status"]],
                "；".join(notes),
            )
        console.print(table)
    for problem in evaluation.problems.iter_rows(named=True):
        console.print(
            f"注意：{problem['problem']}（{problem['source_file']} 第{problem['source_row']}行，该小区不计算）"
        )


def coverage_of(con: duckdb.DuckDBPyConnection, station: str | None = None) -> list[dict]:
    """Per source, the day its data covers (sql/quality/data_coverage.sql), for print_metrics."""
    return query(con, "quality/data_coverage.sql", {"station": station}).pl().to_dicts()


def print_explanation(explanation, *, baseline: bool = False, limit: int = 200) -> None:
    """The records behind a figure (masked): the current parts, or with `baseline` the
    baseline's; the first `limit` of them, all of them in the workbook (--out)."""
    from zhian.pipeline.metrics.explain import PARTS
    from zhian.pipeline.outputs.explain_book import header_lines

    for line in header_lines(explanation):
        console.print(mask_text(line))
    wanted = [PARTS[p] for p in PARTS if p.startswith("baseline") == baseline]
    records = explanation.records.filter(explanation.records["部分"].is_in(wanted))
    if records.height == 0:
        console.print("（没有记录）")
        return
    table = Table()
    for column in records.columns:
        table.add_column(column, overflow="fold")
    for row in records.head(limit).iter_rows():
        table.add_row(*("" if v is None else mask_text(str(v)) for v in row))
    console.print(table)
    if records.height > limit:
        console.print(f"……共{records.height}条，只列出前{limit}条；全部记录请用 --out 文件.xlsx")


def print_ranking(frame, year: int, per_thousand: bool) -> None:
    basis = "每千名实有人口" if per_thousand else "总数"
    console.print(f"{year}年小区整治优先顺序（按{basis}排名，五项指标名次相加，越小越优先）：")
    table = Table()
    for column in ("优先", "小区", "110警情", "刑事案件", "盗窃", "侵财", "纠纷", "名次和", "批次"):
        table.add_column(column)
    for row in frame.iter_rows(named=True):
        table.add_row(
            str(row["priority"]),
            row["compound"],
            str(row["count_alerts"]),
            str(row["count_criminal_cases"]),
            str(row["count_thefts"]),
            str(row["count_property_crimes"]),
            str(row["count_disputes"]),
            f"{row['rank_sum']:g}",
            f"第{row['batch']}批（{row['batch_year']}年）",
        )
    console.print(table)
