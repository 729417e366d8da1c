"""The monthly report (月报): an Excel workbook the analyst edits and forwards.

    摘要      title, as_of, per campaign a paragraph and one sentence per missed / at-risk target
    指标明细  campaign × compound × target, one meaning per column (本期值, 同期值, 变化, 分子,
              分母, 目标, 差距, 状态, 说明): numbers as numbers in their unit (58起, 97.89%, +5.0个
              百分点), status cells coloured, a link from each to its records
    指标溯源  per figure, the records it counts (IDs and dates; resident IDs masked)
    警情时段  per compound, the hours with most alerts in the campaign window, in words
    整治台账  (with a ledger) 摘牌 readiness, the units' progress, each compound's items
    月度趋势  per compound and counted metric, month by month, this year against last year
    排名      the seed-002 priority ranking and batches
    数据质量  per file: rows read, loaded, rejected, blank, 合计
    拒绝行    the rejected rows grouped by reason, then each of them (personal data masked)
    名册维护  registry upkeep: unattributed doorplates, registry files that disagree
    口径说明  the metric catalogue (metric codes in a hidden column)

Every sheet has its title in a merged row across its table, columns sized to their content,
row heights for wrapped text, the report's title in the page header and 第 N 页 共 M 页 in the
footer; no English is visible to the reader (file names and record IDs are the input's own).

Written with openpyxl; safe (no input text becomes a formula: a value starting with =, +, -,
@, tab or CR is written as a string with Excel's quote prefix), masked (names, phones and ID
numbers in rejected rows), printable (A4 landscape, fit to width, header rows repeated),
and its content is deterministic for the same database, month and as_of.
"""

from __future__ import annotations

import calendar
import datetime as dt
import getpass
import re
import socket
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from zhian.pipeline import db
from zhian.pipeline.masking import mask_text, masked_rejection
from zhian.pipeline.metrics import catalogue
from zhian.pipeline.metrics.evaluate import Evaluation
from zhian.pipeline.metrics.explain import all_parts
from zhian.pipeline.outputs import wording
from zhian.pipeline.permissions import atomic_file, shared_folder
from zhian.pipeline.sources import LABELS
from zhian.pipeline.values.text import split_code_name

FONT_NAME = "Microsoft YaHei"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
STATUS_FILLS = {
    "met": "C8E6C9",
    "missed": "FFCDD2",
    "on_track": "BBDEFB",
    "at_risk": "FFE0B2",
    "no_data": "E0E0E0",
}
THIN = Side(style="thin", color="BDBDBD")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="ECEFF1")


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """`2022-08` → (2022-08-01, 2022-08-31)."""
    try:
        year, number = (int(part) for part in month.split("-"))
        first = dt.date(year, number, 1)
    except (ValueError, TypeError) as error:
        raise ValueError(f"月份格式应为 YYYY-MM：{month}") from error
    return first, dt.date(year, number, calendar.monthrange(year, number)[1])


def month_as_of(month: str, today: dt.date | None = None) -> dt.date:
    """Figures as of the month's last day, or as of today for the current month."""
    today = today or dt.date.today()
    first, last = month_bounds(month)
    return today if first <= today <= last else last


def default_name(as_of: dt.date) -> str:
    return f"小区整治月报_{as_of.year}年{as_of.month:02d}月.xlsx"


def named_styles(workbook: Workbook) -> None:
    """Styles registered once and assigned by name: setting font, border and alignment on
    each cell made a 10,000-row sheet take seconds (openpyxl hashes every style object)."""
    font = Font(name=FONT_NAME, size=10)
    for name, wrap in (("zhian", False), ("zhian-wrap", True)):
        workbook.add_named_style(
            NamedStyle(name=name, font=font, border=BORDER, alignment=Alignment(vertical="top", wrap_text=wrap))
        )
    workbook.add_named_style(
        NamedStyle(
            name="zhian-header",
            font=Font(name=FONT_NAME, size=10, bold=True),
            border=BORDER,
            fill=HEADER_FILL,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        )
    )
    workbook.add_named_style(
        NamedStyle(name="zhian-text", font=font, alignment=Alignment(vertical="top", wrap_text=True))
    )


INTERNAL_MARK = "内部资料 注意保密"
MAX_CELL_TEXT = 32000  # Excel refuses cells over 32,767 characters


def put(
    sheet: Worksheet, row: int, column: int, value: object, number_format: str | None = None, style: str | None = None
):
    """Write one cell; text never becomes a formula."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
        value = value[:MAX_CELL_TEXT] + "…（已截断）"
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"  # openpyxl would write "=…" as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    cell.style = style or ("zhian-wrap" if isinstance(value, str) and len(value) > 40 else "zhian")
    if number_format:
        cell.number_format = number_format
    return cell


def _lines(text: str, width: int) -> int:
    """The lines a wrapped cell of `width` characters needs for `text` (a row height)."""
    return max(1, -(-_width(text) // width))


def _shown(cell) -> object:
    """What a cell shows, roughly: a number with the text of its format (还需破案2起,
    97.89%), else its value."""
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        positive = cell.number_format.split(";")[0]
        words = "".join(re.findall(r'"([^"]*)"', positive))
        number = f"{value:.3f}" if "%" in positive or "." in positive else f"{value}"
        return words + number
    return value


def _width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def table(
    sheet: Worksheet,
    top: int,
    header: list[str],
    rows: list[list],
    formats: dict[int, str] | None = None,
    status_column: int | None = None,
    statuses: list[str] | None = None,
) -> int:
    """A bordered table with a grey header row; returns the next free row."""
    for column, name in enumerate(header, start=1):
        put(sheet, top, column, name, style="zhian-header")
    fills = {status: PatternFill("solid", fgColor=color) for status, color in STATUS_FILLS.items()}
    for index, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            put(sheet, top + index, column, value, (formats or {}).get(column))
        if status_column and statuses:
            sheet.cell(top + index, status_column).fill = fills[statuses[index - 1]]
    return top + len(rows) + 1


def fit_columns(sheet: Worksheet, minimum: int = 6, maximum: int = 60) -> None:
    """Column widths from their content (titles merged across the table do not count)."""
    titles = _titles(sheet)
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None and cell.row not in titles:
                widths[cell.column] = max(widths.get(cell.column, 0), _width(_shown(cell)))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(minimum, min(maximum, width + 2))


def print_setup(sheet: Worksheet, header_rows: str | None) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows:
        sheet.print_title_rows = header_rows


def title_row(sheet: Worksheet, row: int, text: str, last_column: int, size: int = 12) -> None:
    """A sheet's or a section's title, merged across its table (A to `last_column`), wrapped,
    with the height its lines need."""
    cell = put(sheet, row, 1, text, style="zhian-text")
    cell.font = Font(name=FONT_NAME, size=size, bold=True)
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    if last_column > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)


def _titles(sheet: Worksheet) -> dict[int, int]:
    """The rows merged across the table (titles), with their last column."""
    return {r.min_row: r.max_col for r in sheet.merged_cells.ranges if r.min_row == r.max_row and r.min_col == 1}


WRAPPED = {"zhian-wrap", "zhian-header", "zhian-text"}
LINE_HEIGHT = 13.5  # points per line of 10 pt text


def fit_rows(sheet: Worksheet, first: int = 1) -> None:
    """Row heights for wrapped text, from the column widths (openpyxl leaves them unset and
    LibreOffice then shows one line of a wrapped cell). A cell merged across columns wraps at
    their total width; a title merged from column A counts in its own font size."""
    widths = {
        column: sheet.column_dimensions[get_column_letter(column)].width or 8.43
        for column in range(1, sheet.max_column + 1)
    }
    merged = {(r.min_row, r.min_col): r.max_col for r in sheet.merged_cells.ranges if r.min_row == r.max_row}
    for row in sheet.iter_rows(min_row=first):
        height = 0.0
        for cell in row:
            if cell.value is None or cell.style not in WRAPPED or isinstance(cell.value, int | float):
                continue
            last = merged.get((cell.row, cell.column), cell.column)
            size = (cell.font.size or 10) if last > cell.column else 10
            width = sum(widths[c] for c in range(cell.column, last + 1)) * 10 / size
            lines = sum(_lines(part, max(int(width) - 1, 4)) for part in str(cell.value).split("\n"))
            height = max(height, lines * (LINE_HEIGHT if size == 10 else size * 1.45) + 2)
        if height > LINE_HEIGHT + 2:
            sheet.row_dimensions[row[0].row].height = min(height, 409)


def header_footer(sheet: Worksheet, title: str, internal: bool) -> None:
    """The report's title in the page header (内部资料 beside it when unmasked), the page
    number in the footer."""
    for part, text in ((sheet.oddHeader.center, title), (sheet.oddFooter.center, "第 &P 页 共 &N 页")):
        part.text = text
        part.font = FONT_NAME
        part.size = 9
    if internal:
        sheet.oddHeader.right.text = INTERNAL_MARK
        sheet.oddHeader.right.color = "C62828"
        sheet.oddFooter.left.text = INTERNAL_MARK


def _title(con: duckdb.DuckDBPyConnection, as_of: dt.date, station: str | None) -> str:
    stations = []
    for unit in db.query(con, "outputs/station_units.sql", {"station": station}).pl()["unit"].to_list():
        name = split_code_name(unit)[1] or unit
        if name not in stations:
            stations.append(name)
    who = "、".join(stations[:3]) + ("等" if len(stations) > 3 else "")
    return f"{who + ' ' if who else ''}{as_of.year}年{as_of.month}月 小区整治工作月报"


def _summary(
    sheet: Worksheet,
    title: str,
    as_of: dt.date,
    results: pl.DataFrame,
    problems: pl.DataFrame,
    rate_definition: str,
    coverage: list[dict],
    ready: dict[str, tuple[int, int]] | None = None,
) -> None:
    def line(row: int, text: str, size: int = 10, bold: bool = False, color: str | None = None) -> None:
        cell = put(sheet, row, 1, text, style="zhian-text")
        if size != 10 or bold or color:
            cell.font = Font(name=FONT_NAME, size=size, bold=bold, color=color)
        if size > 10:
            sheet.row_dimensions[row].height = size * 1.8

    line(1, title, 16, True)
    line(2, f"评估日期：{as_of.isoformat()}　比率口径：{wording.rate_definition_text(rate_definition)}")
    covered, warning = wording.coverage_lines(coverage, as_of)
    line(3, "；".join(covered))
    row = 4
    if warning:
        line(4, warning, bold=True, color="C62828")
        row = 5
    row += 1
    if results.height == 0:
        line(row, "没有可计算的整治目标（请检查整治目标表和小区名册）。")
    for campaign in results["campaign"].unique(maintain_order=True).to_list():
        rows = results.filter(pl.col("campaign") == campaign)
        first = rows.row(0, named=True)
        line(
            row,
            f"{campaign}（{first['window_start']}至{first['window_end']}，{wording.campaign_state(first)}）",
            12,
            True,
        )
        line(row + 1, f"{wording.verdict_sentence(rows.to_dicts())}。")
        row += 2
        if ready and campaign in ready:
            line(row, f"验收摘牌：{ready[campaign][0]} / {ready[campaign][1]} 个小区具备条件（见“整治台账”表）。")
            row += 1
        for target in rows.filter(pl.col("status").is_in(["missed", "at_risk"])).iter_rows(named=True):
            line(row, "　" + wording.target_sentence(target) + "。")
            row += 1
        row += 1
    for problem in problems.iter_rows(named=True):
        line(row, f"注意：{problem['problem']}（{problem['source_file']} 第{problem['source_row']}行）")
        row += 1
    sheet.column_dimensions["A"].width = 110
    print_setup(sheet, None)


DETAIL_HEADER = [
    "整治项目", "小区", "指标", "本期值", "同期值", "变化", "分子", "分母",
    "目标", "差距", "状态", "说明", "溯源", "指标代码",
]  # fmt: skip
DETAIL_TOP = 3  # the first row of figures (title, header above)


def _unit(row: dict) -> str:
    """What a rate's numerator and denominator count."""
    if row["metric"].startswith("population_"):
        return "人"
    return {"ledger_signoff_rate": "项", "five_haves_met": "项", "satisfaction_rate": "人", "cctv_coverage_rate": "个",
            "lighting_ok_rate": "处"}.get(row["metric"], "起")  # fmt: skip


def _detail_row(r: dict) -> tuple[list, dict[int, str]]:
    """One figure as 指标明细 shows it, and the number formats of its cells. Each column holds
    one quantity: 本期值 and 同期值 the indicator's own value (a count in 起 or 人, or a rate
    with the precision its target needs), 变化 the change between them (a relative change of a
    count, the difference of two rates in 个百分点), 差距 how many records are still to go."""
    is_rate = r["kind"] in catalogue.RATE_KINDS
    unit = _unit(r) if is_rate else (r.get("unit") or "起")
    count_format = f'0"{unit}"'
    formats: dict[int, str] = {7: count_format, 8: count_format}
    if is_rate:
        places = wording.rate_places(r, 1) or 1
        rate_format = "0." + "0" * places + "%"
        actual, baseline = r["actual"], r["baseline"] if r["kind"] == catalogue.RATE else None
        change = None if actual is None or baseline is None else round((actual - baseline) * 100, 6)
        formats |= {4: rate_format, 5: "0.0%", 6: '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"'}
        numerator, denominator = r["numerator"], r["denominator"]
    else:
        actual = None if r["actual"] is None else int(r["actual"])
        baseline = None if r["baseline"] is None else int(r["baseline"])
        change = r["change"] if r["kind"] == catalogue.COUNT_CHANGE else None
        formats |= {4: count_format, 5: count_format, 6: "+0.0%;-0.0%;0.0%"}
        numerator = denominator = None
    found = wording.gap(r)
    if found is not None:
        formats[10] = f'"还{found[1]}"0"{found[2]}"'
    notes = [
        n
        for n in (
            r["note"],
            wording.gap_text(r),
            wording.significance_text(r),
            f"{wording.LOW_BASE_NOTE}，仅供参考" if r["low_base"] else None,
            wording.pace_sentence(r),
        )
        if n
    ]
    values = [
        r["campaign"],
        r["compound"],
        r["metric_name"],
        actual,
        baseline,
        change,
        numerator,
        denominator,
        wording.target_text(r["kind"], r["target_op"], r["target_percent"]),
        None if found is None else found[0],
        wording.STATUS_NAMES[r["status"]],
        "；".join(notes) or None,
        None,
        r["metric"],
    ]
    return values, formats


def _details(
    sheet: Worksheet, results: pl.DataFrame, links: dict[tuple, tuple[int, int]], as_of: dt.date, definition: str
) -> None:
    """`links`: per (campaign, compound, metric), the row of its records in 指标溯源 and how many."""
    title_row(
        sheet,
        1,
        f"指标明细（评估日期 {as_of.isoformat()}，比率口径：{wording.rate_definition_text(definition)}）",
        len(DETAIL_HEADER) - 1,
    )
    for column, name in enumerate(DETAIL_HEADER, start=1):
        put(sheet, 2, column, name, style="zhian-header")
    fills = {status: PatternFill("solid", fgColor=color) for status, color in STATUS_FILLS.items()}
    for index, r in enumerate(results.iter_rows(named=True), start=DETAIL_TOP):
        values, formats = _detail_row(r)
        for column, value in enumerate(values, start=1):
            put(sheet, index, column, value, formats.get(column), style="zhian-wrap" if column == 12 else None)
        sheet.cell(index, 11).fill = fills[r["status"]]
        link = links.get((r["campaign"], r["compound"], r["metric"]))
        if link:
            cell = put(sheet, index, 13, f"{link[1]}条记录")
            cell.hyperlink = f"#'{EXPLAIN_SHEET}'!A{link[0]}"
            cell.font = Font(name=FONT_NAME, size=10, color="1565C0", underline="single")
    last = get_column_letter(len(DETAIL_HEADER))
    sheet.freeze_panes = f"D{DETAIL_TOP}"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(DETAIL_HEADER) - 1)}{max(sheet.max_row, DETAIL_TOP)}"
    fit_columns(sheet, maximum=40)
    sheet.column_dimensions["L"].width = 48
    sheet.column_dimensions[last].hidden = True  # the code, for tools that filter by it
    print_setup(sheet, "2:2")


EXPLAIN_SHEET = "指标溯源"


# records listed per figure and part in the report's cell (the rest counted; zhian explain
# lists them all): one cell per part keeps a bureau's report small (per record, 74,000 rows of
# a 30-compound benchmark took 8 s to write) and each row readable on paper (10 lines)
REPORT_LIST_LIMIT = 30


def _explained(sheet: Worksheet, results: pl.DataFrame, parts: pl.DataFrame) -> dict[tuple, tuple[int, int]]:
    """Per figure of 指标明细, the records it counts: one row per part with its count (equal to
    the figure) and its records as "日期 编号" (resident IDs masked; no names or phones), the
    first REPORT_LIST_LIMIT of them. Returns where each figure's rows start and how many
    records it counts, for the links."""
    from zhian.pipeline.metrics.explain import parts_by_figure

    title_row(sheet, 1, "指标溯源：每项指标计入的记录（日期与编号；身份证号已脱敏）", 6)
    put(sheet, 2, 1, f"每项每部分列出前{REPORT_LIST_LIMIT}条；完整清单（含类别、状态、地址）可由分析员用溯源命令导出。")
    sheet.merge_cells("A2:F2")
    header = ["整治项目", "小区", "指标", "部分", "条数", "记录（日期 编号）"]
    for column, name in enumerate(header, start=1):
        put(sheet, 4, column, name, style="zhian-header")
    row, links = 5, {}
    figures = parts_by_figure(parts)
    for r in results.iter_rows(named=True):
        key = (r["campaign"], r["compound"], r["metric"])
        if key not in figures:
            continue
        links[key] = (row, pl.concat([listed for _, listed in figures[key]])["record_id"].n_unique())
        for name, listed in figures[key]:
            shown = "；".join(f"{day} {record}" for record, day in listed.head(REPORT_LIST_LIMIT).select(
                "record_id", "event_date").iter_rows())  # fmt: skip
            if listed.height > REPORT_LIST_LIMIT:
                shown += f"……另有{listed.height - REPORT_LIST_LIMIT}条未列出"
            for column, value in enumerate([r["campaign"], r["compound"], r["metric_name"], name], start=1):
                put(sheet, row, column, value)
            put(sheet, row, 5, listed.height, "0")
            put(sheet, row, 6, shown, style="zhian-wrap")
            sheet.row_dimensions[row].height = min(15 * _lines(shown, 96), 409)
            row += 1
    for column, width in zip("ABCDEF", (18, 14, 20, 9, 7, 100), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A5"
    sheet.auto_filter.ref = f"A4:F{max(row - 1, 4)}"
    print_setup(sheet, "4:4")
    return links


def readiness_table(sheet: Worksheet, top: int, ready: pl.DataFrame, width: int, number: str) -> int:
    """摘牌 readiness per compound (sql/ledger/readiness.sql) under its titled count, what
    blocks a compound merged across the rest of the table's width; returns the next free row.
    The report's 整治台账 and the 督导通报 both show it."""
    done = ready.filter(pl.col("ready")).height
    title_row(sheet, top, f"{number}、验收摘牌条件（{done} / {ready.height} 个小区已具备）", width)
    rows = [
        [r["campaign"], r["compound"], "具备" if r["ready"] else "不具备", r["blockers"]]
        for r in ready.iter_rows(named=True)
    ]
    last = table(sheet, top + 1, ["整治项目", "小区", "摘牌条件", "尚未完成"], rows or [[wording.NONE]])
    for line in range(top + 1, last):
        sheet.merge_cells(start_row=line, start_column=4, end_row=line, end_column=width)
        sheet.cell(line, 4).style = "zhian-header" if line == top + 1 else "zhian-wrap"
    return last


def _ledger(sheet: Worksheet, ready: pl.DataFrame, units: pl.DataFrame, status: pl.DataFrame) -> None:
    """The campaign ledgers: 摘牌 readiness per compound, the units' progress, the items of
    each compound by progress."""
    width = 9
    row = readiness_table(sheet, 1, ready, width, "一") + 1
    title_row(sheet, row, "二、各单位推进情况（逾期事项少、销号比例高的在前；“靠后”的单位在督导通报中点名）", width)
    rows = [
        [r["campaign"], r["rank"], r["unit"], r["items"], r["due"], r["signed_off"], r["overdue"],
         r["signed_off_share"], "靠后" if r["lagging"] else None]
        for r in units.iter_rows(named=True)
    ]  # fmt: skip
    header = ["整治项目", "排名", "单位", "事项", "已到期", "已销号", "逾期", "销号比例", "标注"]
    row = table(sheet, row + 1, header, rows or [[wording.NONE]], {8: "0.0%"}) + 1
    title_row(sheet, row, "三、各小区事项进度（截至评估日）", width)
    rows = [
        [r["campaign"], r["compound"], r["items"], r["signed_off"], r["done"], r["in_progress"], r["not_started"],
         r["overdue"], r["not_due"]]
        for r in status.iter_rows(named=True)
    ]  # fmt: skip
    header = ["整治项目", "小区", "事项", "已销号", "已完成待销号", "推进中", "未启动", "逾期未销号", "未到期"]
    table(sheet, row + 1, header, rows or [[wording.NONE]])
    fit_columns(sheet, maximum=30)
    print_setup(sheet, None)


def _trend(sheet: Worksheet, trend: pl.DataFrame) -> None:
    header = ["小区", "指标", "月份", "本年", "去年同月", "同比变化"]
    title_row(sheet, 1, "月度趋势：各小区各项计数指标逐月与去年同月对比", len(header))
    rows = [
        [r["compound"], r["metric_name"], r["month"], r["this_year"], r["last_year"], r["change"]]
        for r in trend.iter_rows(named=True)
    ]
    table(sheet, 2, header, rows, {4: '0"起"', 5: '0"起"', 6: "+0.0%;-0.0%;0.0%"})
    sheet.freeze_panes = "A3"
    fit_columns(sheet)
    print_setup(sheet, "2:2")


RANKING_HEADER = ["优先", "小区", "110警情", "刑事案件", "盗窃", "侵财案件", "纠纷", "名次和", "批次", "整治年度"]


def _ranking(sheet: Worksheet, ranking: pl.DataFrame) -> None:
    if ranking.height == 0:
        title_row(sheet, 1, "还没有小区整治优先顺序（需先按一年的警情和案件排名）。", len(RANKING_HEADER))
        return
    year = ranking["year"][0]
    title_row(
        sheet,
        1,
        f"{year}年小区整治优先顺序：五项指标各自排名，名次相加越小越优先；依次分三批、每批三分之一",
        len(RANKING_HEADER),
    )
    rows = [
        [
            r["priority"],
            r["compound"],
            r["count_alerts"],
            r["count_criminal_cases"],
            r["count_thefts"],
            r["count_property_crimes"],
            r["count_disputes"],
            r["rank_sum"],
            f"第{r['batch']}批",
            r["batch_year"],
        ]
        for r in ranking.iter_rows(named=True)
    ]
    table(sheet, 2, RANKING_HEADER, rows, {1: "0", 3: "0", 4: "0", 5: "0", 6: "0", 7: "0", 8: "0.0", 10: "0"})
    sheet.freeze_panes = "A3"
    fit_columns(sheet)
    sheet.column_dimensions["A"].width = 8
    print_setup(sheet, "2:2")


def _hours(sheet: Worksheet, hours: pl.DataFrame) -> None:
    """Per compound, the hours with most alerts in the campaign window, in words, beside the
    same weeks last year (where and when patrols help: 巡逻守护, seeds 002 and 004)."""
    header = ["整治项目", "小区", "本期警情", "本期最多的时段", "去年同期警情", "去年同期最多的时段", "无具体时间"]
    title_row(sheet, 1, "警情时段：整治期内警情最集中的三个小时，与去年同期对比（巡逻守护参考）", len(header))
    rows = []
    for (campaign, compound), mine in hours.group_by("campaign", "compound", maintain_order=True):
        row = [campaign, compound]
        for period in ("本期", "同期"):
            part = mine.filter(pl.col("period") == period)
            by_hour = dict(part.group_by("hour").agg(pl.col("alerts").sum()).iter_rows())
            row += [int(part["alerts"].sum()), wording.top_hours_text(wording.top_hours(by_hour))]
        rows.append([*row, int(mine["without_time"].sum())])
    table(sheet, 2, header, rows or [[wording.NONE]], {3: '0"起"', 5: '0"起"', 7: '0"起"'})
    sheet.freeze_panes = "C3"
    fit_columns(sheet)
    print_setup(sheet, "2:2")


def _quality(sheet: Worksheet, files: pl.DataFrame) -> None:
    """Per file what became of its rows (读取 = 载入 + 拒绝 + 空行 + 合计行)."""
    header = ["文件", "结果", "识别为", "读取行", "载入行", "拒绝行", "空行", "合计行", "未归属小区", "说明"]
    title_row(sheet, 1, f"各文件载入情况（{wording.READ_SUM_NOTE}）", len(header))
    rows = [
        [
            r["source_file"],
            wording.OUTCOME_NAMES.get(r["outcome"], r["outcome"]),
            "、".join(LABELS.get(k, k) for k in (r["kinds"] or "").split("、") if k) or None,
            r["rows_read"],
            r["rows_loaded"],
            r["rows_rejected"],
            r["rows_blank"],
            r["rows_total"],
            r["rows_unattributed"],
            mask_text(r["reason"]),
        ]
        for r in files.iter_rows(named=True)
    ]
    table(sheet, 2, header, rows, {column: "0" for column in range(4, 10)})
    sheet.freeze_panes = "B3"
    fit_columns(sheet, maximum=40)
    print_setup(sheet, "2:2")


REJECTED_HEADER = ["文件", "工作表", "行号", "列", "值", "原因"]


def _rejected(sheet: Worksheet, groups: pl.DataFrame, rejected: pl.DataFrame, internal: bool = False) -> None:
    """The rejected rows grouped by file and reason (one example value each), then every
    rejected row — two tables in the same columns."""
    word = "未脱敏" if internal else "已脱敏"
    title_row(sheet, 1, f"一、被拒绝的行按原因归类（个人信息{word}）", len(REJECTED_HEADER))
    rows = []
    for r in groups.iter_rows(named=True):
        value, reason = (
            (r["value"], r["reason"])
            if internal
            else masked_rejection(r["kind"], r["column_name"], r["value"], r["reason"])
        )
        rows.append([r["source_file"], LABELS.get(r["kind"], r["kind"]), r["rows"], r["column_name"], value, reason])
    header = ["文件", "数据", "行数", "列", "示例值", "原因"]
    row = table(sheet, 2, header, rows or [[wording.NONE]], {3: "0"}) + 1
    title_row(sheet, row, f"二、被拒绝的每一行（行号与表格中显示的一致；个人信息{word}）", len(REJECTED_HEADER))
    rows = [
        [
            r["source_file"],
            r["sheet"],
            r["row_number"],
            r["column_name"],
            *(
                (r["value"], r["reason"])
                if internal
                else masked_rejection(r["kind"], r["column_name"], r["value"], r["reason"])
            ),
        ]
        for r in rejected.iter_rows(named=True)
    ]
    last = table(sheet, row + 1, REJECTED_HEADER, rows or [[wording.NONE]], {3: "0"})
    sheet.auto_filter.ref = f"A{row + 1}:F{max(last - 1, row + 2)}"
    fit_columns(sheet, maximum=50)
    print_setup(sheet, None)


def _upkeep(sheet: Worksheet, doorplates: list[tuple], disagreements: list[tuple]) -> None:
    """Registry upkeep: the doorplates of unattributed records, registry files that disagree."""
    title_row(sheet, 1, f"一、{wording.DOORPLATES_TITLE}", len(wording.DISAGREEMENT_HEADERS))
    put(sheet, 2, 1, wording.DOORPLATES_NOTE, style="zhian-text")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(wording.DISAGREEMENT_HEADERS))
    rows = [[plate, records, by_source, suggestion] for plate, records, by_source, suggestion in doorplates]
    row = table(sheet, 3, list(wording.DOORPLATE_HEADERS), rows or [[wording.NONE]], {2: "0"}) + 1
    title_row(sheet, row, f"二、{wording.DISAGREEMENTS_TITLE}", len(wording.DISAGREEMENT_HEADERS))
    rows = [[c, label, value, source, wording.in_use_word(used)] for c, label, value, source, _, used in disagreements]
    table(sheet, row + 1, list(wording.DISAGREEMENT_HEADERS), rows or [[wording.NONE]])
    fit_columns(sheet, maximum=50)
    print_setup(sheet, None)


def _definitions(sheet: Worksheet) -> None:
    title_row(sheet, 1, "口径说明：每项指标的计算口径", 3)
    rows = [[m.name, catalogue.KIND_NAMES[m.kind], m.definition, m.code] for m in catalogue.CATALOGUE]
    row = table(sheet, 2, ["指标", "类型", "口径", "指标代码"], rows) + 1
    notes = [
        "同比：与去年同一日期区间相比（2月29日对应2月28日）；整治进行中时，只比较已经过去的日期。",
        "比率（当期口径）：本期立案（受理）的案件中，截至评估日已破案（结案、处罚）的比例；撤销、并案的案件不计入分子和分母。",
        "达标判断用整数比较（如 7/10 ≥ 70% 为达标，69/100 < 70% 为未达标），不四舍五入；"
        "比率显示的小数位数足以看出是否达到目标。",
        f"{wording.LOW_BASE_NOTE}时，变化率和比率波动较大，仅供参考。未归属到小区的记录不计入任何小区。",
        "变化是否明显：假设本期与同期的真实水平相同，按二项分布计算出现这样大差异的概率；"
        "小于5%为“变化明显”，只作参考，不改变达标判断。",
    ]
    for note in notes:
        put(sheet, row, 1, note, style="zhian-text")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        row += 1
    fit_columns(sheet, maximum=80)
    sheet.column_dimensions["D"].hidden = True  # the codes, for tools
    print_setup(sheet, "2:2")


def _mark_internal(workbook: Workbook) -> None:
    """Every sheet of an unmasked report says so: a red banner row above everything, the mark
    in the print header and footer, a red tab."""
    for sheet in workbook.worksheets:
        merged = [str(r) for r in sheet.merged_cells.ranges]
        heights = {row: d.height for row, d in sheet.row_dimensions.items() if d.height}
        for ref in merged:
            sheet.unmerge_cells(ref)
        sheet.insert_rows(1)  # openpyxl moves cells, not merges or row heights
        for ref in merged:
            first_col, first_row, last_col, last_row = range_boundaries(ref)
            sheet.merge_cells(
                start_row=first_row + 1, start_column=first_col, end_row=last_row + 1, end_column=last_col
            )
        for row in sorted(heights, reverse=True):
            sheet.row_dimensions[row + 1].height = heights[row]
            sheet.row_dimensions[row].height = None
        banner = put(
            sheet, 1, 1, f"【{INTERNAL_MARK}】本表含未脱敏的个人信息，仅供内部办案使用，不得外传", style="zhian-text"
        )
        banner.font = Font(name=FONT_NAME, size=12, bold=True, color="C62828")
        sheet.row_dimensions[1].height = 22
        sheet.sheet_properties.tabColor = "C62828"
        if sheet.freeze_panes:
            column, row = coordinate_from_string(sheet.freeze_panes)
            sheet.freeze_panes = f"{column}{row + 1}"
        if sheet.print_title_rows:
            _, first, _, last = range_boundaries(sheet.print_title_rows)
            sheet.print_title_rows = f"{first + 1}:{last + 1}"
        if sheet.auto_filter.ref:
            first_col, first_row, last_col, last_row = range_boundaries(sheet.auto_filter.ref)
            sheet.auto_filter.ref = None
            sheet.auto_filter.ref = (
                f"{get_column_letter(first_col)}{first_row + 1}:{get_column_letter(last_col)}{last_row + 1}"
            )
    # the links into 指标溯源 point one row lower too
    prefix = f"#'{EXPLAIN_SHEET}'!A"
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.hyperlink is not None and (cell.hyperlink.location or cell.hyperlink.target or "").startswith(
                    prefix
                ):
                    target = cell.hyperlink.location or cell.hyperlink.target
                    cell.hyperlink = f"{prefix}{int(target[len(prefix) :]) + 1}"


def build_workbook(
    con: duckdb.DuckDBPyConnection,
    evaluation: Evaluation,
    internal: bool = False,
    *,
    station: str | None = None,
) -> Workbook:
    """The report's workbook of an evaluation; for one station when `station` is given."""
    as_of = evaluation.as_of
    params = {"evaluation": evaluation.evaluation_id, "station": station, "examples": 1}
    results = db.query(con, "outputs/evaluation_results.sql", params).pl()
    workbook = Workbook()
    created = dt.datetime.combine(as_of, dt.time(0, 0))
    workbook.properties.creator = "zhian"
    workbook.properties.created = created
    workbook.properties.modified = created
    workbook.properties.lastModifiedBy = "zhian"
    named_styles(workbook)
    summary = workbook.active
    summary.title = "摘要"
    problems = evaluation.problems if station is None else evaluation.problems.clear()  # listed bureau-wide
    coverage = db.query(con, "quality/data_coverage.sql", params).pl().to_dicts()
    title = _title(con, as_of, station)
    readiness = None  # with a ledger: 摘牌 per compound, for 摘要 and 整治台账
    if db.scalar(con, "select count(*) from ledger_rows"):
        readiness = con.sql(
            "select * from readiness($evaluation) where compound_in_station(compound, $station) order by all",
            params={"evaluation": evaluation.evaluation_id, "station": station},
        ).pl()
    ready = {
        campaign: (rows.filter(pl.col("ready")).height, rows.height)
        for (campaign,), rows in (readiness.group_by("campaign") if readiness is not None else [])
    }
    _summary(summary, title, as_of, results, problems, evaluation.rate_definition, coverage, ready)
    details = workbook.create_sheet("指标明细")
    parts = all_parts(con, evaluation)
    if station is not None:
        parts = parts.filter(pl.col("compound").is_in(results["compound"].unique().to_list()))
    links = _explained(workbook.create_sheet(EXPLAIN_SHEET), results, parts)
    _details(details, results, links, as_of, evaluation.rate_definition)
    hours = db.query(con, "outputs/alert_hours.sql", {**params, "alert_metrics": catalogue.ALERT_METRICS}).pl()
    _hours(workbook.create_sheet("警情时段"), hours)
    if readiness is not None:
        _ledger(
            workbook.create_sheet("整治台账"),
            readiness,
            con.sql(
                "select * from unit_progress($as_of, station := $station) order by campaign, rank",
                params={"as_of": as_of, "station": station},
            ).pl(),
            con.sql(
                "select * from item_status($as_of) where compound_in_station(compound, $station)",
                params={"as_of": as_of, "station": station},
            ).pl(),
        )
    _trend(workbook.create_sheet("月度趋势"), db.query(con, "outputs/target_trend.sql", params).pl())
    _ranking(workbook.create_sheet("排名"), db.query(con, "outputs/ranking.sql", params).pl())
    _quality(workbook.create_sheet("数据质量"), db.query(con, "quality/quality_files.sql", params).pl())
    _rejected(
        workbook.create_sheet("拒绝行"),
        db.query(con, "quality/rejection_groups.sql", params).pl(),
        db.query(con, "quality/rejected_rows.sql", params).pl(),
        internal,
    )
    _upkeep(
        workbook.create_sheet("名册维护"),
        db.query(con, "quality/unattributed_doorplates.sql", {**params, "limit": wording.DOORPLATE_LIMIT}).fetchall(),
        db.query(con, "quality/registry_disagreements.sql", params).fetchall(),
    )
    _definitions(workbook.create_sheet("口径说明"))
    for sheet in workbook.worksheets:
        if sheet.title != EXPLAIN_SHEET:  # its rows have their heights
            fit_rows(sheet)
        header_footer(sheet, title, internal)
    if internal:
        _mark_internal(workbook)
    return workbook


def write_report(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    evaluation: Evaluation,
    internal: bool = False,
    *,
    station: str | None = None,
) -> Path:
    """Write the report of an evaluation (masked). `internal=True` is the one way to get
    unmasked personal data: every sheet is marked, the file is readable by its owner only,
    and the audit log records who made it, when and where."""
    path = Path(path)
    shared_folder(path.parent)
    workbook = build_workbook(con, evaluation, internal, station=station)
    with atomic_file(path, shared=not internal) as temporary:
        workbook.save(temporary)
    if internal:
        audit(con, "internal_report", f"{path.resolve()}（数据截至 {evaluation.as_of.isoformat()}）")
    return path


def audit(con: duckdb.DuckDBPyConnection, action: str, detail: str) -> None:
    con.execute(
        "insert into audit_log values ($at, $user, $host, $action, $detail)",
        {
            "at": dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0),
            "user": getpass.getuser(),
            "host": socket.gethostname(),
            "action": action,
            "detail": detail,
        },
    )
