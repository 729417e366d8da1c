"""Row validation with Pandera: every failing row is quarantined with a reason.

Each source declares its rules; `schema_for` turns them into a `pandera.polars`
DataFrameSchema whose checks are named `<rule>:<field>`, validated with `lazy=True` so
that one pass reports every failure. The failure cases become `rejected_rows` entries
(row number as Excel shows it, the header as the file spells it, the raw value, a
Chinese reason). Rules:

- required: the field's text must be present;
- parsed:   when the text is present, its typed value must be too (a date that parsed,
            a vocabulary word that mapped); the message template says what was expected;
- problem:  a `problem__<field>` column computed by the source (ID checksums, Excel-mangled
            numbers, unknown kind) must be empty — its text is the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandera.polars as pa
import polars as pl

from zhian.pipeline.sources.common import PROBLEM, RAW, ROW, SheetContext

REJECTED_SCHEMA = {
    "source_file": pl.String,
    "sheet": pl.String,
    "row_number": pl.Int64,
    "column_name": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "kind": pl.String,
    "file_id": pl.Int64,
    "rule": pl.String,
}
RULE_NAMES = {
    "required": "缺少必填项",
    "parsed": "格式或取值无法识别",
    "problem": "取值不合规",
    "conflict": "前后取值冲突",
}


@dataclass(frozen=True)
class Rules:
    required: tuple[str, ...] = ()
    parsed: dict[str, str] = field(default_factory=dict)  # field → message ({header}, {value})
    problems: tuple[str, ...] = ()


def _check(expr: pl.Expr, name: str) -> pa.Check:
    return pa.Check(lambda data, e=expr: data.lazyframe.select(e), name=name)


def schema_for(kind: str, rules: Rules) -> pa.DataFrameSchema:
    checks = []
    for f in rules.required:
        checks.append(_check(pl.col(RAW + f).is_not_null(), f"required:{f}"))
    for f in rules.parsed:
        checks.append(_check(pl.col(f).is_not_null() | pl.col(RAW + f).is_null(), f"parsed:{f}"))
    for f in rules.problems:
        checks.append(_check(pl.col(PROBLEM + f).is_null(), f"problem:{f}"))
    return pa.DataFrameSchema(name=kind, checks=checks, strict=False, coerce=False)


def validate(
    frame: pl.DataFrame,
    kind: str,
    rules: Rules,
    context: SheetContext,
    conflicts: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split a normalised frame into (valid rows, rejected_rows entries)."""
    rejected_parts: list[pl.DataFrame] = []
    bad_index: set[int] = set()
    try:
        schema_for(kind, rules).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases.select("check", "index").drop_nulls()
        for check, group in cases.group_by("check", maintain_order=True):
            rule, field_name = str(check[0]).split(":", 1)
            index = group["index"].cast(pl.Int64).unique().sort()
            bad_index.update(index.to_list())
            rows = frame[index]
            raw = (
                rows[RAW + field_name]
                if RAW + field_name in rows.columns
                else pl.repeat(None, rows.height, dtype=pl.String, eager=True)
            )
            if rule == "required":
                reasons = pl.repeat(f"缺少必填项“{context.header(field_name)}”", rows.height, eager=True)
            elif rule == "parsed":
                template = rules.parsed[field_name]
                reasons = pl.Series(
                    [template.format(header=context.header(field_name), value=v) for v in raw.to_list()],
                    dtype=pl.String,
                )
            else:
                reasons = rows[PROBLEM + field_name]
            rejected_parts.append(
                pl.DataFrame(
                    {
                        "row_number": rows[ROW],
                        "column_name": pl.repeat(context.header(field_name), rows.height, eager=True, dtype=pl.String),
                        "value": raw.cast(pl.String),
                        "reason": reasons.cast(pl.String),
                        "rule": pl.repeat(rule, rows.height, eager=True, dtype=pl.String),
                    }
                )
            )
    if conflicts is not None and conflicts.height:
        rejected_parts.append(
            conflicts.select(
                pl.col(ROW).alias("row_number"),
                pl.col("field").map_elements(context.header, return_dtype=pl.String).alias("column_name"),
                pl.col("value"),
                pl.concat_str(
                    [pl.lit("同名（或同义）列出现了两次且取值不同："), pl.col("value"), pl.lit("，无法判断以哪列为准")]
                ).alias("reason"),
                pl.lit("conflict").alias("rule"),
            )
        )
        bad_rows = set(conflicts[ROW].to_list())
    else:
        bad_rows = set()
    valid = (
        frame.with_row_index("_index")
        .filter(~pl.col("_index").is_in(list(bad_index)) & ~pl.col(ROW).is_in(list(bad_rows)))
        .drop("_index")
    )
    if rejected_parts:
        rejected = (
            pl.concat(rejected_parts, how="vertical_relaxed")
            .with_columns(
                pl.lit(context.source_file).alias("source_file"),
                pl.lit(context.sheet).alias("sheet"),
                pl.lit(kind).alias("kind"),
                pl.lit(context.file_id, dtype=pl.Int64).alias("file_id"),
            )
            .select(list(REJECTED_SCHEMA))
            .sort("row_number", "column_name")
        )
    else:
        rejected = pl.DataFrame(schema=REJECTED_SCHEMA)
    return valid, rejected


def rejection(
    context: SheetContext,
    kind: str,
    rows: pl.DataFrame,
    column: str,
    value: pl.Expr | str | None,
    reason: pl.Expr | str,
) -> pl.DataFrame:
    """Rejected-row entries built directly (for checks across rows, such as registry
    conflicts, that a row-wise schema cannot express)."""
    as_expr = lambda v: v if isinstance(v, pl.Expr) else pl.lit(v, dtype=pl.String)  # noqa: E731
    return rows.select(
        pl.lit(context.source_file).alias("source_file"),
        pl.lit(context.sheet).alias("sheet"),
        pl.col(ROW).cast(pl.Int64).alias("row_number"),
        pl.lit(column).alias("column_name"),
        as_expr(value).cast(pl.String).alias("value"),
        as_expr(reason).cast(pl.String).alias("reason"),
        pl.lit(kind).alias("kind"),
        pl.lit(context.file_id, dtype=pl.Int64).alias("file_id"),
        pl.lit("conflict").alias("rule"),
    )
