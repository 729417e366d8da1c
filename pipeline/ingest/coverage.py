"""What each export covers (data coverage): the last day its records are complete.

An export that states its export time — in a title row (`导出时间：2022-09-05 17:00`) or in
its file name (`警情导出20220905.xlsx`) — covers every day before that date (and that day
too when it was exported at 23:59 or later). Its coverage is kept per sheet, source and
station in `export_coverage` in the transaction that loads the file; a sheet of no rows
still covers its days (an export listing nothing says nothing happened). An export that
states no time is covered by its last record instead, which the `source_coverage` view
reads from the census: a file's modification time is no evidence (copying a file into the
inbox changes it).
"""

from __future__ import annotations

import duckdb
import polars as pl

from zhian.pipeline.sources import BY_KIND

# the export time sources (SheetReport.export_time_source) that say what an export covers
STATED = ("标题行", "文件名")


def sheet_coverage(file_id: int, sheet, kind_name: str) -> pl.DataFrame | None:
    """The coverage rows of one prepared sheet (file_id, sheet, kind, source, unit,
    export_at, basis), or None when the sheet states no export time."""
    kind = BY_KIND.get(kind_name)
    report = sheet.report
    if kind is None or not kind.records or report.export_time_source not in STATED or not report.export_at:
        return None
    source = kind.records.source
    source_expr = pl.lit(source.strip("'")) if source.startswith("'") else pl.col(source)
    if sheet.valid is not None and sheet.valid.height:
        pairs = sheet.valid.select(source_expr.cast(pl.String).alias("source"), pl.col("unit").cast(pl.String)).unique()
    else:  # nothing exported: every source of the kind, every station
        pairs = pl.DataFrame(
            {"source": [name for name, _ in kind.records.sources], "unit": [None] * len(kind.records.sources)},
            schema={"source": pl.String, "unit": pl.String},
        )
    return pairs.select(
        pl.lit(file_id, dtype=pl.Int32).alias("file_id"),
        pl.lit(report.sheet, dtype=pl.String).alias("sheet"),
        pl.lit(kind.kind, dtype=pl.String).alias("kind"),
        "source",
        "unit",
        pl.lit(report.export_at, dtype=pl.Datetime("us")).alias("export_at"),
        pl.lit(report.export_time_source, dtype=pl.String).alias("basis"),
    )


def keep(con: duckdb.DuckDBPyConnection, rows: list[pl.DataFrame]) -> None:
    """Insert the coverage rows of a batch (inside its transaction)."""
    if not rows:
        return
    con.register("coverage_rows", pl.concat(rows, how="vertical_relaxed").to_arrow())
    try:
        con.execute("""
            insert into export_coverage
            select distinct
                file_id, sheet, kind, source, station_name(unit) as station,
                case when export_at::time >= time '23:59:00' then export_at::date
                     else (export_at::date - interval 1 day)::date end as covered_to,
                basis, export_at
            from coverage_rows
        """)
    finally:
        con.unregister("coverage_rows")
