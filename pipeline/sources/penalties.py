"""Penalty decisions (处罚决定书): a separate sheet in real exports, linked by 案件编号.

A case counts as punished when it has a decision whose 处罚种类 names a penalty and whose
文书状态 is not void (作废/撤销/退回), approved on or before the evaluation date.
"""

from __future__ import annotations

import polars as pl

from zhian.pipeline.sources.common import keep_raw
from zhian.pipeline.sources.kind import PROBLEM, RAW, Column, Rules, SheetContext, SourceKind, aliases
from zhian.pipeline.values.dates import with_datetimes
from zhian.pipeline.values.idnumbers import mangled_reason_expr
from zhian.pipeline.values.vocab import is_penalty

HEADERS = aliases(
    ("case_id", ("案件编号", "案件号", "案件ID")),
    ("decision_id", ("决定书ID", "处罚决定书ID", "决定书编号", "决定书文号", "处罚决定书文号")),
    ("penalty_type", ("处罚种类", "处罚类型", "处理种类")),
    ("approved_at", ("审批时间", "批准时间", "决定时间", "处罚时间")),
    ("doc_status", ("文书状态",)),
    ("person_name", ("被处罚人", "被处罚人姓名", "违法行为人")),
)

RULES = Rules(
    required=("case_id",),
    parsed={"approved_at": "“{header}”不是可识别的日期时间：“{value}”"},
    problems=("case_id",),
)

COLUMNS = (
    Column("decision_key", not_null=True, note="决定书ID, else case id | penalty type | approval time"),
    Column("decision_id"),
    Column("case_id"),
    Column("penalty_type"),
    Column("is_penalty", "boolean"),
    Column("approved_at", "timestamp"),
    Column("doc_status"),
    Column("is_void", "boolean"),
    Column("person_name"),
)

VOID_WORDS = r"作废|撤销|退回|无效|注销|删除"


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    """Cleaned strings → typed decisions: whether each names a penalty, whether it is void."""
    frame = keep_raw(frame, KIND.fields)
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


KIND = SourceKind(
    kind="penalties",
    label="处罚决定",
    table="penalty_decisions",
    headers=HEADERS,
    required_headers=(("case_id",), ("decision_id", "penalty_type")),
    priority=2,
    columns=COLUMNS,
    normalise=normalise,
    rules=RULES,
    key="decision_key",
    id_field="decision_id",
    conflict_fields=frozenset({"case_id", "decision_id", "penalty_type", "approved_at", "doc_status"}),
)
