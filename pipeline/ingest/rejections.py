"""The one builder of rejected rows: file, sheet, the row number as Excel shows it, the
header as the file spells it, the raw value, a Chinese reason, the rule. Every rejection —
a failed check (validate.py), a duplicated header with two values, a registry conflict, a
formula without its value — is made here. Pure polars: the main process imports it without
pandera.
"""

from __future__ import annotations

import polars as pl

from zhian.pipeline.sources.kind import ROW, SheetContext


def rejections(
    context: SheetContext,
    kind: str,
    rows: pl.DataFrame,
    *,
    column: str | pl.Series | None = None,
    value: pl.Series | pl.Expr | str | None = None,
    reason: pl.Series | pl.Expr | str | None = None,
    rule: str = "problem",
) -> pl.DataFrame:
    """The `rejected_rows` entries of `rows` (a frame with the Excel row number `_row`): each
    with its column, value and reason — a constant, a Series aligned with `rows`, or an
    expression over `rows`."""

    def as_expr(item) -> pl.Expr:
        if isinstance(item, pl.Expr):
            return item
        if isinstance(item, pl.Series):
            return pl.lit(item.cast(pl.String))
        return pl.lit(item, dtype=pl.String)

    return rows.select(
        pl.lit(context.source_file, dtype=pl.String).alias("source_file"),
        pl.lit(context.sheet, dtype=pl.String).alias("sheet"),
        pl.col(ROW).cast(pl.Int64).alias("row_number"),
        as_expr(column).cast(pl.String).alias("column_name"),
        as_expr(value).cast(pl.String).alias("value"),
        as_expr(reason).cast(pl.String).alias("reason"),
        pl.lit(kind, dtype=pl.String).alias("kind"),
        pl.lit(context.file_id, dtype=pl.Int64).alias("file_id"),
        pl.lit(rule, dtype=pl.String).alias("rule"),
    )
