"""Satisfaction surveys (满意度调查, seed 004 群众满意度): per compound and survey, the answers
counted — 样本数/有效样本, 满意, 基本满意, 不满意, 不了解 — or one row per answer (评价:
满意/基本满意/不满意/不了解), each then a survey of one. 不了解 is not a valid answer: it counts
in neither part of the rate.
"""

from __future__ import annotations

import polars as pl

from zhian.pipeline.sources.common import NOT_A_DATE, NOT_AN_INTEGER, keep_raw
from zhian.pipeline.sources.kind import PROBLEM, RAW, Column, Rules, SheetContext, SourceKind, aliases
from zhian.pipeline.values.dates import with_datetimes
from zhian.pipeline.values.text import compact

HEADERS = aliases(
    ("compound", ("小区", "小区名称", "调查小区")),
    ("survey_date", ("调查日期", "调查时间", "日期", "走访日期")),
    ("survey_no", ("问卷编号", "编号", "序号")),
    ("samples", ("样本数", "有效样本", "有效样本数", "调查户数", "调查人数", "问卷数")),
    ("satisfied", ("满意数", "满意")),
    ("fairly", ("基本满意数", "基本满意")),
    ("unsatisfied", ("不满意数", "不满意")),
    ("unknown", ("不了解数", "不了解", "说不清")),
    ("answer", ("评价", "满意度", "满意程度", "回答", "调查结果")),
)

RULES = Rules(
    required=("compound",),
    parsed={
        "survey_date": NOT_A_DATE,
        "answer_word": "“{header}”不是可识别的回答：“{value}”（应为满意、基本满意、不满意或不了解）",
        "satisfied": NOT_AN_INTEGER,
        "fairly": NOT_AN_INTEGER,
        "unsatisfied": NOT_AN_INTEGER,
        "unknown": NOT_AN_INTEGER,
        "samples": NOT_AN_INTEGER,
    },
    problems=("samples",),
)

COLUMNS = (
    Column("survey_key", not_null=True, note="小区 | 调查日期 | 编号 (one answer: its row)"),
    Column("compound"),
    Column("survey_date", "date", note="none: the export's date"),
    Column("samples", "bigint"),
    Column("satisfied", "bigint"),
    Column("fairly", "bigint", note="基本满意"),
    Column("unsatisfied", "bigint"),
    Column("unknown", "bigint", note="不了解: excluded from the rate"),
    Column("answer_word", note="one answer per row: satisfied, fairly, unsatisfied, unknown"),
)

ANSWERS = {
    "满意": "satisfied",
    "非常满意": "satisfied",
    "比较满意": "satisfied",
    "基本满意": "fairly",
    "一般": "fairly",
    "不满意": "unsatisfied",
    "很不满意": "unsatisfied",
    "非常不满意": "unsatisfied",
    "不了解": "unknown",
    "不清楚": "unknown",
    "说不清": "unknown",
}


def _count(column: str) -> pl.Expr:
    return pl.col(column).str.replace_all(r"[,，\s人户份个]", "").cast(pl.Int64, strict=False).alias(column)


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    frame = keep_raw(frame, KIND.fields)
    answers = {v: ANSWERS.get(compact(v) or "") for v in frame["answer"].unique().to_list() if v is not None}
    frame = with_datetimes(frame, {"survey_date": RAW + "survey_date"}, dates=True, date1904=context.date1904)
    frame = frame.with_columns(
        pl.when(pl.col(RAW + "survey_date").is_null())
        .then(pl.lit(context.export_at.date()))
        .otherwise(pl.col("survey_date"))
        .alias("survey_date"),
        pl.col("answer").replace_strict(answers, default=None, return_dtype=pl.String).alias("answer_word"),
        pl.col("answer").alias(RAW + "answer_word"),
        *(_count(c) for c in ("samples", "satisfied", "fairly", "unsatisfied", "unknown")),
    )
    one = pl.col("answer_word").is_not_null()  # a row per answer: a survey of one
    frame = frame.with_columns(
        *(
            pl.when(one).then((pl.col("answer_word") == word).cast(pl.Int64)).otherwise(pl.col(column)).alias(column)
            for word, column in (
                ("satisfied", "satisfied"),
                ("fairly", "fairly"),
                ("unsatisfied", "unsatisfied"),
                ("unknown", "unknown"),
            )
        ),
        pl.when(one).then(pl.lit(1, dtype=pl.Int64)).otherwise(pl.col("samples")).alias("samples"),
    )
    parts = pl.sum_horizontal(
        pl.col("satisfied").fill_null(0),
        pl.col("fairly").fill_null(0),
        pl.col("unsatisfied").fill_null(0),
        pl.col("unknown").fill_null(0),
    )
    row_key = pl.coalesce(pl.col("survey_no"), pl.lit(context.source_file + "#") + pl.col("_row").cast(pl.String))
    return frame.with_columns(
        pl.when(pl.col("samples").is_not_null() & (parts > pl.col("samples")))
        .then(pl.format("各项回答之和{}多于样本数{}", parts, pl.col("samples")))
        .when(pl.col("satisfied").is_null() & pl.col("answer_word").is_null() & pl.col(RAW + "answer_word").is_null())
        .then(pl.lit("没有满意数，也没有逐条的回答"))
        .alias(PROBLEM + "samples"),
        pl.concat_str(
            [
                pl.col("compound"),
                pl.col("survey_date").cast(pl.String),
                pl.when(one).then(row_key).otherwise(pl.col("survey_no")).fill_null(""),
            ],
            separator="|",
        ).alias("survey_key"),
    )


KIND = SourceKind(
    kind="surveys",
    label="满意度调查",
    table="surveys",
    headers=HEADERS,
    required_headers=(("compound",), ("satisfied", "answer"), ("survey_date", "samples", "answer")),
    priority=2,
    columns=COLUMNS,
    normalise=normalise,
    rules=RULES,
    key="survey_key",
    labels={"answer_word": "评价"},
)
