"""Penalty decisions (处罚决定书): a separate sheet in real exports, linked by 案件编号.

A case counts as punished when it has a decision whose 处罚种类 names a penalty and whose
文书状态 is not void (作废/撤销/退回), approved on or before the evaluation date.
"""

from __future__ import annotations

import polars as pl

from zhian.pipeline.ingest.validate import Rules
from zhian.pipeline.sources.common import PROBLEM, RAW, SheetContext, keep_raw
from zhian.pipeline.values.dates import with_datetimes
from zhian.pipeline.values.idnumbers import mangled_reason_expr
from zhian.pipeline.values.vocab import is_penalty

FIELDS = ["case_id", "decision_id", "penalty_type", "approved_at", "doc_status", "person_name"]

RULES = Rules(
    required=("case_id",),
    parsed={"approved_at": "“{header}”不是可识别的日期时间：“{value}”"},
    problems=("case_id",),
)

TABLE_COLUMNS = [
    "decision_key",
    "decision_id",
    "case_id",
    "penalty_type",
    "is_penalty",
    "approved_at",
    "doc_status",
    "is_void",
    "person_name",
]

VOID_WORDS = r"作废|撤销|退回|无效|注销|删除"


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    frame = keep_raw(frame, FIELDS)
    penalties = {v: bool(is_penalty(v)) for v in frame["penalty_type"].unique().to_list() if v is not None}
    frame = with_datetimes(frame, {"approved_at": RAW + "approved_at"}, date1904=context.date1904)
    frame = frame.with_columns(
        pl.col("case_id").str.replace_all(" ", "").str.to_uppercase(),
        pl.col("penalty_type").replace_strict(penalties, default=None, return_dtype=pl.Boolean).alias("is_penalty"),
        pl.col("doc_status").str.contains(VOID_WORDS).fill_null(False).alias("is_void"),
    )
    return frame.with_columns(
        pl.coalesce(
            pl.col("decision_id"),
            pl.concat_str(
                [pl.col("case_id"), pl.col("penalty_type").fill_null(""), pl.col(RAW + "approved_at").fill_null("")],
                separator="|",
            ),
        ).alias("decision_key"),
        mangled_reason_expr("case_id").alias(PROBLEM + "case_id"),
    )
