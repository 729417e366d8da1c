"""Campaign targets (整治目标): one row per campaign × compound list × metric."""

from __future__ import annotations

import polars as pl

from zhian.pipeline.metrics import catalogue
from zhian.pipeline.metrics.target_syntax import TargetError, parse_target, split_compounds
from zhian.pipeline.sources.common import NOT_A_DATE, keep_raw, map_distinct
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
        "start_date": NOT_A_DATE,
        "end_date": NOT_A_DATE,
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
    Column("target_note", note="how the row was read: a target split from the 指标 cell, qualifiers (有责)"),
)


def _metric_and_target(metric_text: str | None, target_text: str | None) -> dict:
    """The metrics and targets of one (指标, 目标) pair: usually one; two when the 指标 cell
    holds a plan's sentence naming two metrics (`实有人口采集登记率、准确率达到98%以上`). The
    three lists have one entry per metric (one empty entry when there is none)."""
    out = _read_metric_and_target(metric_text, target_text)
    out["metric_codes"] = out["metric_codes"] or [None]
    for name in ("target_ops", "target_percents"):  # set together, for every metric, or not at all
        out[name] = out[name] or [None] * len(out["metric_codes"])
    return out


def _read_metric_and_target(metric_text: str | None, target_text: str | None) -> dict:
    out = {
        "metric_codes": None,
        "target_ops": None,
        "target_percents": None,
        "target_text": target_text,
        "target_note": None,
        PROBLEM + "metric": None,
        PROBLEM + "target": None,
    }
    if metric_text is None:
        return out
    metric = catalogue.find(metric_text)
    metrics = (metric,) if metric else ()
    phrase = catalogue.split_phrase(metric_text) if metric is None and target_text is None else None
    if phrase is not None:
        metrics, target_text = phrase.metrics, phrase.target
        notes = [f"目标由指标栏的原文拆出：“{target_text}”"]
        if len(metrics) > 1:
            notes.append(
                f"一句中有{len(metrics)}个指标（{'、'.join(m.name for m in metrics)}），已分为{len(metrics)}条目标"
            )
        if phrase.qualifiers:
            notes.append(f"限定语：{'、'.join(phrase.qualifiers)}")
        out["target_text"], out["target_note"] = target_text, "；".join(notes)
    if not metrics:
        near = catalogue.closest(metric_text)
        hint = f"，相近的指标：{'、'.join(near)}" if near else ""
        out[PROBLEM + "metric"] = f"指标“{metric_text}”不在指标目录中{hint}（见月报“口径说明”表）"
        if target_text is None:  # the sentence may hold its target: one reason is enough
            out["target_text"] = metric_text
        return out
    out["metric_codes"] = [m.code for m in metrics]
    if target_text is None:
        return out
    ops, values = [], []
    for one in metrics:
        try:
            target = parse_target(target_text, one)
        except TargetError as error:
            out[PROBLEM + "target"] = f"目标“{target_text}”无法解析：{error}"
            return out
        ops.append(target.op)
        values.append(str(target.value))
    out["target_ops"], out["target_percents"] = ops, values
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
            "metric_codes": pl.List(pl.String),
            "target_ops": pl.List(pl.String),
            "target_percents": pl.List(pl.String),
            "target_text": pl.String,
            "target_note": pl.String,
            PROBLEM + "metric": pl.String,
            PROBLEM + "target": pl.String,
        },
    )
    # one row per metric named (a sentence may name two)
    frame = frame.explode("metric_codes", "target_ops", "target_percents").rename(
        {"metric_codes": "metric_code", "target_ops": "target_op", "target_percents": "target_percent"}
    )
    frame = with_datetimes(
        frame, {"start_date": RAW + "start_date", "end_date": RAW + "end_date"}, dates=True, date1904=context.date1904
    )
    frame = frame.with_columns(
        pl.col("metric").alias("metric_raw"),
        pl.col("target_text").alias("target_raw"),
        # the 目标 cell may stay empty when the 指标 cell gave the target
        pl.coalesce("target", "target_text").alias("target"),
        pl.coalesce(RAW + "target", "target_text").alias(RAW + "target"),
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
