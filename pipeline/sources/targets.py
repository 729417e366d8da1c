"""Campaign targets (整治目标): one row per campaign × compound list × metric."""

from __future__ import annotations

import polars as pl

from zhian.pipeline.ingest.validate import Rules
from zhian.pipeline.metrics import catalogue
from zhian.pipeline.metrics.target_syntax import TargetError, parse_target, split_compounds
from zhian.pipeline.sources.common import PROBLEM, RAW, SheetContext, keep_raw, map_distinct
from zhian.pipeline.values.dates import with_datetimes

FIELDS = ["campaign", "compounds", "start_date", "end_date", "metric", "target"]

RULES = Rules(
    required=("campaign", "compounds", "start_date", "end_date", "metric", "target"),
    parsed={
        "start_date": "“{header}”不是可识别的日期：“{value}”",
        "end_date": "“{header}”不是可识别的日期：“{value}”",
    },
    problems=("metric", "target", "end_date"),
)

TABLE_COLUMNS = [
    "campaign",
    "compounds",
    "compound_list",
    "start_date",
    "end_date",
    "metric_code",
    "metric_raw",
    "target_raw",
    "target_op",
    "target_value",
]


def _metric_and_target(metric_text: str | None, target_text: str | None) -> dict:
    out = {
        "metric_code": None,
        "target_op": None,
        "target_value": None,
        PROBLEM + "metric": None,
        PROBLEM + "target": None,
    }
    if metric_text is None:
        return out
    metric = catalogue.find(metric_text)
    if metric is None:
        out[PROBLEM + "metric"] = f"指标“{metric_text}”不在指标目录中（见“口径说明”或 docs/metrics.md）"
        return out
    out["metric_code"] = metric.code
    if target_text is None:
        return out
    try:
        target = parse_target(target_text, metric)
    except TargetError as error:
        out[PROBLEM + "target"] = f"目标“{target_text}”无法解析：{error}"
        return out
    out["target_op"], out["target_value"] = target.op, str(target.value)
    return out


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    frame = keep_raw(frame, FIELDS)
    frame = map_distinct(
        frame,
        ["metric", "target"],
        _metric_and_target,
        {
            "metric_code": pl.String,
            "target_op": pl.String,
            "target_value": pl.String,
            PROBLEM + "metric": pl.String,
            PROBLEM + "target": pl.String,
        },
    )
    frame = with_datetimes(
        frame, {"start_date": RAW + "start_date", "end_date": RAW + "end_date"}, dates=True, date1904=context.date1904
    )
    frame = frame.with_columns(
        pl.col("metric").alias("metric_raw"),
        pl.col("target").alias("target_raw"),
        pl.col("compounds")
        .map_elements(split_compounds, return_dtype=pl.List(pl.String), skip_nulls=True)
        .alias("compound_list"),
        pl.col("target_value").cast(pl.Decimal(18, 4)),
    )
    return frame.with_columns(
        pl.when(pl.col("end_date") < pl.col("start_date"))
        .then(pl.format("结束日期{}早于开始日期{}", pl.col("end_date"), pl.col("start_date")))
        .alias(PROBLEM + "end_date"),
    )


__all__ = ["FIELDS", "RULES", "TABLE_COLUMNS", "TargetError", "normalise"]
