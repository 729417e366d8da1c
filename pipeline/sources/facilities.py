"""Technical and physical facilities (技防设施): per compound and facility type, how many
points it should have (应装/应有), has (已装/建成) and has working (完好/在线), counted on a date.
The latest count on or before the evaluation date is the one that counts (seeds 000, 001:
技防监控覆盖率 ≥ 95%, 照明完好率 100%); a later row replaces an earlier one.
"""

from __future__ import annotations

import polars as pl

from zhian.pipeline.sources.common import NOT_A_DATE, NOT_AN_INTEGER, keep_raw
from zhian.pipeline.sources.kind import PROBLEM, RAW, Column, Rules, SheetContext, SourceKind, aliases
from zhian.pipeline.values.dates import with_datetimes
from zhian.pipeline.values.text import compact

HEADERS = aliases(
    ("compound", ("小区", "小区名称", "所属小区")),
    ("facility_raw", ("设施类型", "设施类别", "类别", "设施名称", "设施", "类型")),
    ("planned", ("应有数", "应装", "应装数", "应装点位数", "规划点位数", "应有", "规划数", "应建数")),
    ("installed", ("已有数", "已装", "已装数", "已装点位数", "建成数", "已建数", "已有", "现有数")),
    ("working", ("完好数", "在线数", "完好", "在线", "正常数", "正常使用数")),
    ("counted_on", ("统计日期", "核查日期", "检查日期", "统计时间", "日期")),
)

RULES = Rules(
    required=("compound", "facility_raw"),
    parsed={
        "facility_type": "“{header}”不是可识别的设施类型：“{value}”（如监控、照明、门禁、消防栓）",
        "planned": NOT_AN_INTEGER,
        "installed": NOT_AN_INTEGER,
        "working": NOT_AN_INTEGER,
        "counted_on": NOT_A_DATE,
    },
    problems=("installed",),
)

COLUMNS = (
    Column("facility_key", not_null=True, note="小区 | 设施类型 | 统计日期"),
    Column("compound"),
    Column("facility_raw"),
    Column("facility_type", note="监控, 照明, 门禁, 消防, 周界报警, 其他"),
    Column("planned", "bigint"),
    Column("installed", "bigint"),
    Column("working", "bigint"),
    Column("counted_on", "date", note="统计日期; none: the export's date"),
)

# facility words → type, first match wins
TYPES = (
    ("监控", ("监控", "视频", "摄像", "技防", "探头", "天网", "雪亮")),
    ("照明", ("照明", "路灯", "灯")),
    ("门禁", ("门禁", "道闸", "人脸识别")),
    ("周界报警", ("周界", "报警装置", "红外")),
    ("消防", ("消防", "灭火", "烟感")),
)


def facility_type(text: str | None) -> str | None:
    word = compact(text)
    if word is None:
        return None
    return next((name for name, words in TYPES if any(w in word for w in words)), "其他")


def _count(column: str) -> pl.Expr:
    return pl.col(column).str.replace_all(r"[,，\s个处盏套台路点位]", "").cast(pl.Int64, strict=False).alias(column)


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    frame = keep_raw(frame, KIND.fields)
    types = {v: facility_type(v) for v in frame["facility_raw"].unique().to_list() if v is not None}
    frame = with_datetimes(frame, {"counted_on": RAW + "counted_on"}, dates=True, date1904=context.date1904)
    frame = frame.with_columns(
        pl.col("facility_raw").replace_strict(types, default=None, return_dtype=pl.String).alias("facility_type"),
        pl.col("facility_raw").alias(RAW + "facility_type"),
        _count("planned"),
        _count("installed"),
        _count("working"),
        pl.coalesce(pl.col("counted_on"), pl.lit(context.export_at.date())).alias("counted_on"),
    )
    return frame.with_columns(
        pl.when(pl.col("installed") > pl.col("planned"))
        .then(pl.format("已装{}多于应装{}，请核实", pl.col("installed"), pl.col("planned")))
        .alias(PROBLEM + "installed"),
        pl.concat_str(
            [pl.col("compound"), pl.col("facility_type").fill_null(""), pl.col("counted_on").cast(pl.String)],
            separator="|",
        ).alias("facility_key"),
    )


KIND = SourceKind(
    kind="facilities",
    label="技防设施",
    table="facilities",
    headers=HEADERS,
    required_headers=(("compound",), ("facility_raw",), ("planned",), ("installed", "working")),
    priority=2,
    columns=COLUMNS,
    normalise=normalise,
    rules=RULES,
    key="facility_key",
    labels={"facility_type": "设施类型"},
)
