"""Campaign targets (整治目标): one row per campaign × compound list × metric."""

from __future__ import annotations

import polars as pl

from zhian.pipeline.metrics import catalogue
from zhian.pipeline.metrics.target_syntax import TargetError, parse_target, split_compounds
from zhian.pipeline.sources.common import keep_raw, map_distinct
from zhian.pipeline.sources.kind import PROBLEM, RAW, Column, Rules, SheetContext, SourceKind, aliases
from zhian.pipeline.values.dates import with_datetimes

HEADERS = aliases(
    ("campaign", ("整治项目", "项目名称", "整治项目名称")),
    ("compounds", ("小区", "小区名称", "整治小区")),
    ("start_date", ("开始日期", "开始时间", "起始日期")),
    ("end_date", ("结束日期", "结束时间", "截止日期")),
    ("metric", ("指标", "指标名称", "考核指标")),
    ("target", ("目标", "目标值", "考核目标")),
)

RULES = Rules(
    required=("campaign", "compounds", "start_date", "end_date", "metric", "target"),
    parsed={
        "start_date": "“{header}”不是可识别的日期：“{value}”",
        "end_date": "“{header}”不是可识别的日期：“{value}”",
    },
    problems=("metric", "target", "end_date"),
)

COLUMNS = (
    Column("campaign"),
    Column("compounds", note="as written: 全部, or names separated by 、"),
    Column("compound_list", "varchar[]"),
    Column("start_date", "date"),
    Column("end_date", "date"),
    Column("metric_code"),
    Column("metric_raw"),
    Column("target_raw"),
    Column("target_op", note=">=, >, <=, <, ="),
    Column(
        "target_percent",
        "decimal(18, 4)",
        note="as written: percent for rates and changes (-20 = down 20 %), count for zero counts",
    ),
)


def _metric_and_target(metric_text: str | None, target_text: str | None) -> dict:
    out = {
        "metric_code": None,
        "target_op": None,
        "target_percent": None,
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
    out["target_op"], out["target_percent"] = target.op, str(target.value)
    return out


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    """Cleaned strings → target rows: the metric found in the catalogue, the target parsed
    exactly, the compounds listed, the dates checked."""
    frame = keep_raw(frame, KIND.fields)
    frame = map_distinct(
        frame,
        ["metric", "target"],
        _metric_and_target,
        {
            "metric_code": pl.String,
            "target_op": pl.String,
            "target_percent": pl.String,
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
        pl.col("target_percent").cast(pl.Decimal(18, 4)),
    )
    return frame.with_columns(
        pl.when(pl.col("end_date") < pl.col("start_date"))
        .then(pl.format("结束日期{}早于开始日期{}", pl.col("end_date"), pl.col("start_date")))
        .alias(PROBLEM + "end_date"),
    )


def rebuild(con) -> None:
    """After target rows load: `targets` from the newest export listing each campaign."""
    from zhian.pipeline.db import run_script

    run_script(con, "ingest/rebuild_targets.sql")


KIND = SourceKind(
    kind="targets",
    label="整治目标",
    table="target_rows",
    headers=HEADERS,
    required_headers=(("campaign",), ("compounds",), ("start_date",), ("end_date",), ("metric",), ("target",)),
    priority=1,
    columns=COLUMNS,
    normalise=normalise,
    rules=RULES,
    load_rank=1,
    conflict_fields=frozenset({"campaign", "compounds", "start_date", "end_date", "metric", "target"}),
    after_load=rebuild,
)
