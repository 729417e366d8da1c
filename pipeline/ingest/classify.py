"""Finding a sheet's header row and deciding what kind of export the sheet is.

A sheet is classified by its header row, never by its file name: the first row within
the first 20 whose cells, mapped through a source's alias table, contain that source's
required columns. Rows above it are titles (their export time is picked up); a group
row directly above it (a two-row header) lends its names to columns whose cell in the
header row is empty (vertically merged names).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from zhian.pipeline.sources.kind import SourceKind
from zhian.pipeline.values.text import header_label

HEADER_SEARCH_ROWS = 20


@dataclass
class HeaderColumn:
    index: int  # 0-based column in the grid
    header: str  # the header text as the file spells it
    field: str


@dataclass
class Classification:
    kind: SourceKind
    header_row: int  # 0-based grid row of the (last) header row
    header_rows: int  # 1, or 2 for a group row + name row
    columns: list[HeaderColumn]
    unused_headers: list[str] = field(default_factory=list)
    # columns whose header cell continues the merged header cell to its left (one header
    # typed over two columns: 报警时间 over a date column and a time column)
    continued: frozenset[int] = frozenset()


@dataclass
class Unclassified:
    reason: str  # Chinese, names the nearest kind and what it lacks


_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def _cells(row: list[str | None]) -> list[str | None]:
    return [c if c is None else str(c) for c in row]


def _with_group_names(row: list[str | None], above: list[str | None]) -> list[str | None]:
    """A two-row header's names: a cell empty in the name row takes the group row's name."""
    return [
        row[i] if i < len(row) and row[i] else (above[i] if i < len(above) else None)
        for i in range(max(len(row), len(above)))
    ]


def header_names(rows: list[list[str | None]], classification: Classification) -> list[str | None]:
    """The header row's names as classification read them."""
    row = _cells(rows[classification.header_row])
    if classification.header_rows == 1:
        return row
    return _with_group_names(row, _cells(rows[classification.header_row - 1]))


def carried(rows: list[list[str | None]], classification: Classification, kind: SourceKind) -> Classification | None:
    """The columns of a kind carried by a classified sheet (the cases of an alert overview),
    if the header row has what that kind requires; fields the carried kind lacks are lent
    by the carrier's columns (`SourceKind.lends`)."""
    mapped = _map_row(kind, header_names(rows, classification))
    own = {c.field for c in mapped}
    for column in classification.columns:
        if column.field in classification.kind.lends and column.field not in own and column.field in kind.fields:
            mapped.append(HeaderColumn(column.index, column.header, column.field))
    if not _satisfied(kind, mapped) or not own:
        return None
    return Classification(kind, classification.header_row, classification.header_rows, mapped)


def _map_row(kind: SourceKind, names: list[str | None]) -> list[HeaderColumn]:
    mapped = []
    for index, name in enumerate(names):
        field_name = kind.lookup(name)
        if field_name:
            mapped.append(HeaderColumn(index, header_label(name) or "", field_name))
    return mapped


def _satisfied(kind: SourceKind, mapped: list[HeaderColumn]) -> bool:
    fields = {c.field for c in mapped}
    return not kind.missing(fields)


def classify(rows: list[list[str | None]], kinds: tuple[SourceKind, ...]) -> Classification | Unclassified:
    """Find the header row among the first rows of a sheet and the kind it belongs to."""
    best_partial: tuple[int, SourceKind, list[str]] | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(rows))):
        row = _cells(rows[r])
        if not any(row):
            continue
        above = _cells(rows[r - 1]) if r > 0 else None
        candidates: list[tuple[int, int, Classification]] = []
        for kind in kinds:
            single = _map_row(kind, row)
            options = [(single, 1)]
            if above is not None and any(above):
                combined = _map_row(kind, _with_group_names(row, above))
                if len({c.field for c in combined}) > len({c.field for c in single}):
                    options.append((combined, 2))
            for mapped, depth in options:
                if _satisfied(kind, mapped):
                    used = {c.index for c in mapped}
                    unused = [header_label(v) for i, v in enumerate(row) if header_label(v) and i not in used]
                    candidates.append(
                        (
                            len({c.field for c in mapped}),
                            -kind.priority,
                            Classification(kind, r, depth, mapped, unused),
                        )
                    )
                else:
                    fields = {c.field for c in mapped}
                    hits = len(fields)
                    if hits >= 2 and (best_partial is None or hits > best_partial[0]):
                        best_partial = (hits, kind, kind.missing(fields))
        if candidates:
            candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
            chosen = candidates[0][2]
            # a sheet that is a kind carrying another (an alert overview with its cases) is the
            # carrier, however many of the carried kind's columns it has
            carriers = [c[2] for c in candidates if chosen.kind.kind in c[2].kind.carries]
            return carriers[0] if carriers else chosen
    return Unclassified(_unclassified_reason(rows, best_partial))


def _unclassified_reason(rows, best_partial) -> str:
    head = [c for row in rows[:HEADER_SEARCH_ROWS] for c in _cells(row) if c]
    if not head:
        return "空工作表（没有任何内容）"
    if sum(1 for c in head if _SNAKE.match(str(c).strip())) >= 3:
        return "表头是英文字段名（疑似系统汇总表），不是可识别的导出表，已跳过"
    if best_partial:
        _, kind, missing = best_partial
        return f"前{HEADER_SEARCH_ROWS}行内没有完整的表头：像{kind.label}，但缺少列：{'、'.join(missing)}"
    return f"前{HEADER_SEARCH_ROWS}行内没有可识别的表头（不是警情、案件、人口、小区名册或整治目标表）"


_EXPORT_TIME = re.compile(
    r"(导出|打印|统计|制表|生成)(时间|日期)\s*[:：]?\s*(?P<value>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(\s*\d{1,2}[:时点]\d{1,2}([:分]\d{1,2}秒?)?分?)?)"
)


_EXPORT_NAME = re.compile(
    r"导出(时间|日期)?[_\-\s]*(?P<a>(19|20)\d{2}[-_.年]?\d{2}[-_.月]?\d{2})(?!\d)"
    r"|(?<!\d)(?P<b>(19|20)\d{2}[-_.年]?\d{2}[-_.月]?\d{2})日?[_\-\s]*导出"
)


def export_date_in_name(name: str) -> dt.datetime | None:
    """`警情导出20220905.xlsx`, `20220905导出.xls`, `导出_2022-09-05.csv`: the export date a file
    name states (at 00:00), or None."""
    match = _EXPORT_NAME.search(name)
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group("a") or match.group("b"))
    try:
        return dt.datetime.strptime(digits, "%Y%m%d")
    except ValueError:
        return None


def export_time_text(title_rows: list[list[str | None]]) -> str | None:
    """`导出时间：2022-08-01 09:00:00` in the rows above the header, as text."""
    for row in title_rows:
        for cell in row:
            if cell:
                match = _EXPORT_TIME.search(str(cell))
                if match:
                    return match.group("value")
    return None
