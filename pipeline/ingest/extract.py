"""Cutting the data rows out of a classified sheet: the rows below the header, renamed to
fields and cleaned; blank rows and totals rows (合计) counted, never loaded; a field named by
two columns with different values reported as a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from zhian.pipeline.ingest.classify import Classification
from zhian.pipeline.sources.kind import ROW
from zhian.pipeline.values.dates import combine_date_time
from zhian.pipeline.values.text import clean_frame, header_key


@dataclass
class Extracted:
    frame: pl.DataFrame  # fields as cleaned strings, plus _row
    rows_read: int  # data rows below the header
    rows_blank: int
    rows_total: int  # 合计 rows
    conflicts: pl.DataFrame  # _row, field, value: duplicated headers with differing values
    # a field read from a date column and a time column: the two headers, as the file spells them
    combined: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _date_and_time(headers: list[str], continued: list[bool]) -> tuple[int, int] | None:
    """A date column and a time column naming one field (报警日期 + 报警时间, or one header
    merged over two columns, the second continuing the first): their positions."""
    if len(headers) == 2 and continued == [False, True]:
        return 0, 1
    keys = [header_key(h) or "" for h in headers]
    dates = [i for i, k in enumerate(keys) if k.endswith("日期")]
    times = [i for i, k in enumerate(keys) if k.endswith(("时间", "时刻")) and not k.endswith("日期时间")]
    if len(dates) == 1 and len(times) == 1:
        return dates[0], times[0]
    return None


def extract(grid: pl.DataFrame, classification: Classification, date1904: bool = False) -> Extracted:
    """The data rows below the header, renamed to fields and cleaned. A date and time field
    named by a date column and a time column (报警日期 + 报警时间) is read from both."""
    start = classification.header_row + 1
    body = grid.slice(start).with_row_index(ROW, offset=start + 1)
    body = body.with_columns(pl.col(ROW).cast(pl.Int64))
    rows_read = body.height
    mapped = sorted({f"c{c.index}" for c in classification.columns})
    cleaned = clean_frame(body, mapped)

    def empty(column: str) -> pl.Expr:
        value = pl.col(column)
        if column in mapped:  # cleaned already: whitespace-only is null
            return value.is_null()
        return value.is_null() | (value.str.strip_chars().str.len_bytes() == 0)

    # blank rows (every cell empty, mapped or not) are not data
    blank = pl.all_horizontal(empty(c) for c in grid.columns) if grid.columns else pl.lit(True)
    # a totals row: 合计/总计 in one of the first cells, and no record id in it
    first_cells = grid.columns[:3]
    id_fields = [c for c in classification.columns if c.field == classification.kind.id_field]
    id_empty = (
        pl.all_horizontal(
            [empty(f"c{c.index}") | pl.col(f"c{c.index}").str.contains("合计|总计|小计") for c in id_fields]
        )
        if id_fields
        else pl.lit(True)
    )
    is_total = (
        pl.any_horizontal(
            [pl.col(c).str.contains(r"^\s*(合计|总计|小计|累计)\s*[:：]?\s*$") for c in first_cells]
        ).fill_null(False)
        & id_empty
        if first_cells
        else pl.lit(False)
    )
    flagged = cleaned.with_columns(blank.alias("_blank"), is_total.alias("_total"))
    rows_blank = int(flagged["_blank"].sum())
    rows_total = int((flagged["_total"] & ~flagged["_blank"]).sum())
    kept = flagged.filter(~pl.col("_blank") & ~pl.col("_total"))

    # rename to fields; a field named by several columns keeps the first non-empty value
    by_field: dict[str, list[str]] = {}
    header_of: dict[str, str] = {}
    for column in classification.columns:
        by_field.setdefault(column.field, []).append(f"c{column.index}")
        header_of[f"c{column.index}"] = column.header
    schema = classification.kind.polars_schema()
    selected = [pl.col(ROW)]
    conflict_frames = []
    combined: dict[str, str] = {}
    notes: list[str] = []
    key_fields = classification.kind.conflict_fields
    for field_name, columns in by_field.items():
        pair = None
        if schema.get(field_name) == pl.Datetime("us"):
            spanned = [int(c[1:]) in classification.continued for c in columns]
            pair = _date_and_time([header_of[c] for c in columns], spanned)
        if pair is not None:
            day, clock = columns[pair[0]], columns[pair[1]]
            first, second = header_of[day], header_of[clock]
            headers = f"{first}、{second}" if first != second else f"{first}（合并表头下的两列）"
            combined[field_name] = headers
            joined = combine_date_time(kept[day], kept[clock], date1904)
            selected.append(pl.lit(joined).alias(field_name))
            missing = int((kept[day].is_not_null() & kept[clock].is_null() & joined.str.ends_with(" 00:00:00")).sum())
            note = f"日期和时间分两列（{headers}）：已合并为一个时间"
            notes.append(note + (f"；{missing}行只有日期，时间未知，按00:00计" if missing else ""))
            continue
        if schema.get(field_name) == pl.Datetime("us") and all(
            (header_key(header_of[c]) or "").endswith("日期") for c in columns
        ):
            notes.append(f"“{header_of[columns[0]]}”只有日期：时间未知，按00:00计")
        selected.append(pl.coalesce([pl.col(c) for c in columns]).alias(field_name))
        if len(columns) > 1 and field_name in key_fields:
            first = pl.col(columns[0])
            differs = pl.any_horizontal(
                [(pl.col(c) != first) & pl.col(c).is_not_null() & first.is_not_null() for c in columns[1:]]
            )
            bad = kept.filter(differs).select(
                pl.col(ROW),
                pl.lit(field_name).alias("field"),
                pl.concat_str([pl.col(c).fill_null("") for c in columns], separator=" / ").alias("value"),
            )
            conflict_frames.append(bad)
    frame = kept.select(selected)
    conflicts = (
        pl.concat(conflict_frames)
        if conflict_frames
        else pl.DataFrame(schema={ROW: pl.Int64, "field": pl.String, "value": pl.String})
    )
    return Extracted(frame, rows_read, rows_blank, rows_total, conflicts, combined, notes)
