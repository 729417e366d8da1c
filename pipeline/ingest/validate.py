"""Row validation with Pandera: every failing row is quarantined with a reason.

Each source kind has one `pandera.polars.DataFrameModel` (`rows_model`), built from its
declaration: the table's columns with their types (a normaliser that produces another type
is a bug, and stops the run), and three named checks — the kind's `Rules`:

- `required`: the field's text is present (`raw__<field>` not empty);
- `parsed`:   when the text is present, its typed value is too (a date that parsed, a word
              that mapped); the rule's template says what was expected;
- `problem`:  the normaliser's `problem__<field>` column is empty; its text is the reason.

Validated with `lazy=True`, so one pass reports every failure of every row. Every rejected
row — failed checks, a duplicated header with two values, a registry conflict, a formula
without its value — is built by one function, `rejections.rejections`. Only the parse
workers import this module (pandera imports pandas: 1.1–1.4 s).
"""

from __future__ import annotations

from functools import cache

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from zhian.pipeline.ingest.rejections import rejections
from zhian.pipeline.sources.kind import PROBLEM, RAW, ROW, SheetContext, SourceKind


def _required(cls, data: PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(pl.col(data.key).is_not_null())


def _parsed(cls, data: PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(pl.col(data.key).is_not_null() | pl.col(RAW + data.key).is_null())


def _no_problem(cls, data: PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(pl.col(data.key).is_null())


@cache
def rows_model(kind: SourceKind) -> type[pa.DataFrameModel]:
    """The Pandera model of a kind's normalised rows (see the module docstring)."""
    rules = kind.rules
    annotations: dict[str, object] = {}
    namespace: dict[str, object] = {}
    for name, dtype in kind.polars_schema().items():
        annotations[name] = dtype
        namespace[name] = pa.Field(nullable=True)
    for name in [RAW + f for f in rules.required] + [PROBLEM + f for f in rules.problems]:
        annotations[name] = pl.String
        namespace[name] = pa.Field(nullable=True)
    checks = {
        "required": [RAW + f for f in rules.required],
        "parsed": list(rules.parsed),
        "problem": [PROBLEM + f for f in rules.problems],
    }
    functions = {"required": _required, "parsed": _parsed, "problem": _no_problem}
    for rule, columns in checks.items():
        if columns:
            namespace[f"check_{rule}"] = pa.check(*columns, name=rule)(classmethod(functions[rule]))

    class Config:
        name = kind.kind
        strict = False  # normalisers keep their raw__ and working columns
        coerce = False  # a wrong type is a bug, not data

    namespace["Config"] = Config
    namespace["__annotations__"] = annotations
    namespace["__module__"] = __name__
    return type(f"{kind.kind.title()}Rows", (pa.DataFrameModel,), namespace)


def _field_of(column: str) -> str:
    for prefix in (RAW, PROBLEM):
        if column.startswith(prefix):
            return column[len(prefix) :]
    return column


def validate(
    frame: pl.DataFrame,
    kind: SourceKind,
    context: SheetContext,
    conflicts: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split a normalised frame into (valid rows, rejected_rows entries). `conflicts` are
    the rows whose duplicated headers disagree (_row, field, value)."""
    rules = kind.rules
    parts: list[pl.DataFrame] = []
    bad_index: set[int] = set()
    try:
        rows_model(kind).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        broken = cases.filter(pl.col("index").is_null())
        if broken.height:  # the normaliser produced a wrong type or a column is missing: a bug
            raise AssertionError(f"{kind.kind}: 规范化结果不符合表结构：{broken.to_dicts()}") from errors
        for (check, column), group in cases.group_by("check", "column", maintain_order=True):
            field_name = _field_of(column)
            index = group["index"].cast(pl.Int64).unique().sort()
            bad_index.update(index.to_list())
            rows = frame[index]
            raw = rows[RAW + field_name] if RAW + field_name in rows.columns else None
            header = context.header(field_name)
            if check == "required":
                reason: pl.Series | str = f"缺少必填项“{header}”"
            elif check == "parsed":
                template = rules.parsed[field_name]
                reason = pl.Series([template.format(header=header, value=v) for v in raw.to_list()], dtype=pl.String)
            else:
                reason = rows[PROBLEM + field_name]
            parts.append(rejections(context, kind.kind, rows, column=header, value=raw, reason=reason, rule=check))
    bad_rows: set[int] = set()
    if conflicts is not None and conflicts.height:
        headers = conflicts["field"].map_elements(context.header, return_dtype=pl.String)
        parts.append(
            rejections(
                context,
                kind.kind,
                conflicts,
                column=headers,
                value=conflicts["value"],
                reason="同名（或同义）列出现了两次且取值不同：" + conflicts["value"] + "，无法判断以哪列为准",
                rule="conflict",
            )
        )
        bad_rows = set(conflicts[ROW].to_list())
    valid = (
        frame.with_row_index("_index")
        .filter(~pl.col("_index").is_in(list(bad_index)) & ~pl.col(ROW).is_in(list(bad_rows)))
        .drop("_index")
    )
    rejected = (
        pl.concat(parts).sort("row_number", "column_name") if parts else rejections(context, kind.kind, frame.clear())
    )
    return valid, rejected
