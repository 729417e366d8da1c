"""What the normalisers of every kind share: aliases used by several kinds, raw copies of the
text fields, mapping the distinct values of a column through a vocabulary function, and
yes/no columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from zhian.pipeline.sources.kind import RAW
from zhian.pipeline.values.vocab import BOOLEAN_WORDS

# header aliases several kinds share
UNIT = ("管辖单位", "处警单位", "所属派出所", "管辖派出所", "派出所", "派出所名称", "办案单位", "主办单位", "责任单位")
BUREAU = ("所属分局", "分局")
COMPOUND_HINT = ("所属小区", "小区", "小区名称")

# rejection templates shared by the source kinds (validate.py fills {header} and {value})
NOT_A_DATE = "“{header}”不是可识别的日期：“{value}”"
NOT_AN_INTEGER = "“{header}”应为整数：“{value}”"


def ensure_columns(frame: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """Add missing fields as null strings, so every source frame has the same shape."""
    missing = [f for f in fields if f not in frame.columns]
    return frame.with_columns(pl.lit(None, dtype=pl.String).alias(f) for f in missing)


def map_distinct(
    frame: pl.DataFrame,
    columns: list[str],
    function: Callable[..., dict[str, Any]],
    schema: dict[str, pl.DataType],
) -> pl.DataFrame:
    """Apply a Python function to each distinct combination of `columns` and join the
    results back (vocabularies have few distinct values; frames can have millions)."""
    distinct = frame.select(columns).unique()
    results = [function(*row) for row in distinct.iter_rows()]
    mapped = pl.DataFrame(results, schema=schema)
    lookup = pl.concat([distinct, mapped], how="horizontal")
    return frame.join(lookup, on=columns, how="left", nulls_equal=True)


def keep_raw(frame: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """Keep each field's cleaned text as `raw__<field>`, for typing and for messages."""
    frame = ensure_columns(frame, fields)
    return frame.with_columns(pl.col(f).alias(RAW + f) for f in fields)


def boolean_expr(column: str) -> pl.Expr:
    """是/否, Y/N, 1/0, √, TRUE/FALSE → Boolean; unknown words → null (the `parsed` rule
    then rejects the row, since its raw text is present)."""
    return (
        pl.col(column)
        .str.replace_all(" ", "")
        .str.to_lowercase()
        .replace_strict(BOOLEAN_WORDS, default=None, return_dtype=pl.Boolean)
        .alias(column)
    )
