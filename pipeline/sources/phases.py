"""Campaign phases (阶段, seed 004: 问题排摸 / 宣传发动 / 集中整治): per campaign, each phase's
name and dates. A ledger deadline may be a phase's name (`第二阶段`, `宣传发动阶段`): that
phase's end. The dashboard draws them on the campaign's timeline.
"""

from __future__ import annotations

import polars as pl

from zhian.pipeline.sources.common import NOT_A_DATE, keep_raw
from zhian.pipeline.sources.kind import PROBLEM, RAW, Column, Rules, SheetContext, SourceKind, aliases
from zhian.pipeline.values.dates import with_datetimes

HEADERS = aliases(
    ("campaign", ("整治项目", "项目名称", "整治项目名称")),
    ("phase", ("阶段", "阶段名称", "工作阶段")),
    ("start_date", ("开始日期", "开始时间", "起始日期")),
    ("end_date", ("结束日期", "结束时间", "截止日期")),
    ("content", ("主要内容", "工作内容", "内容")),
)

RULES = Rules(
    required=("campaign", "phase", "start_date", "end_date"),
    parsed={
        "start_date": NOT_A_DATE,
        "end_date": NOT_A_DATE,
    },
    problems=("end_date",),
)

COLUMNS = (
    Column("phase_key", not_null=True, note="整治项目 | 阶段"),
    Column("campaign"),
    Column("phase"),
    Column("start_date", "date"),
    Column("end_date", "date"),
    Column("content"),
)


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    frame = keep_raw(frame, KIND.fields)
    frame = with_datetimes(
        frame, {"start_date": RAW + "start_date", "end_date": RAW + "end_date"}, dates=True, date1904=context.date1904
    )
    return frame.with_columns(
        pl.when(pl.col("end_date") < pl.col("start_date"))
        .then(pl.format("结束日期{}早于开始日期{}", pl.col("end_date"), pl.col("start_date")))
        .alias(PROBLEM + "end_date"),
        pl.concat_str([pl.col("campaign"), pl.col("phase")], separator="|").alias("phase_key"),
    )


KIND = SourceKind(
    kind="phases",
    label="整治阶段",
    table="campaign_phases",
    headers=HEADERS,
    required_headers=(("campaign",), ("phase",), ("start_date",), ("end_date",)),
    priority=2,
    columns=COLUMNS,
    normalise=normalise,
    rules=RULES,
    key="phase_key",
    load_rank=1,
)
