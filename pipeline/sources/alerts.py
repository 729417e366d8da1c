"""110 alerts (警情): one row per call, classified into nature / category / offence.

The nature of a call arrives in many shapes: the six words (报警, 求助 …), category words
(刑事警情), codes and names from national and provincial trees (`J020000`, `02030100`,
`行政（治安）类警情`, `caseType110200700`), with confirmed (确认) and original (原始)
variants. `classify_alert` resolves one combination; it runs once per distinct
combination, not once per row.
"""

from __future__ import annotations

import polars as pl

from zhian.pipeline.sources.common import BUREAU, COMPOUND_HINT, UNIT, boolean_expr, keep_raw, map_distinct
from zhian.pipeline.sources.kind import PROBLEM, RAW, Column, Records, Rules, SheetContext, SourceKind, aliases
from zhian.pipeline.values.codes import CodeTable, load_table
from zhian.pipeline.values.dates import with_datetimes
from zhian.pipeline.values.idnumbers import mangled_reason_expr
from zhian.pipeline.values.text import compact
from zhian.pipeline.values.vocab import (
    CATEGORIES_IMPLYING_ALARM,
    category_word,
    nature_word,
    offence_of,
    subtype_category,
)

HEADERS = aliases(
    (
        "alert_id",
        (
            "警情编号",
            "接警单编号",
            "接警编号",
            "警情号",
            "警情ID",
            "接警号",
            "事件单编号",
            "警情单编号",
            "接处警编号",
        ),
    ),
    ("alarm_at", ("报警时间", "接警时间", "报警日期", "接警日期", "报警日期时间", "接报时间")),
    ("nature", ("警情性质", "警情分类", "报警性质", "确认警情性质", "确认性质")),
    ("nature_original", ("原始警情性质", "原始性质")),
    ("category", ("警情类别", "警情大类")),
    ("alert_type", ("警情类型", "警情细类", "警情小类", "案件类型", "类型", "接警类型")),
    ("code", ("确认警情编码", "警情编码", "警情性质编码", "警情类别代码", "警情类型代码")),
    ("code_original", ("原始警情编码",)),
    (
        "address",
        (
            "事发地址",
            "案发地址",
            "发生地点",
            "发生地址",
            "事发地点",
            "警情发生地点",
            "报警地址",
            "警情地址",
            "涉案地址",
            "发案地点",
            "发案地址",
        ),
    ),
    ("compound_hint", COMPOUND_HINT),
    ("unit", UNIT),
    ("bureau", BUREAU),
    ("summary", ("简要警情", "警情摘要", "简要案情", "报警内容", "警情内容", "事件详情")),
    ("handling", ("处警情况", "处警结果", "处警反馈")),
    ("caller_name", ("报警人", "报警人姓名")),
    ("caller_phone", ("联系电话", "报警电话", "报警人电话", "报警人联系电话")),
    ("is_major", ("是否重大", "重大事故", "重大警情", "是否重大警情")),
)

RULES = Rules(
    required=("alert_id", "alarm_at"),
    parsed={
        "alarm_at": "“{header}”不是可识别的日期时间：“{value}”",
        "is_major": "“{header}”应为 是/否（Y/N、1/0、√）：“{value}”",
    },
    problems=("alert_id", "nature", "category", "code"),
)

COLUMNS = (
    Column("alert_id", not_null=True, note="one row per id: kept by the loader, checked by sql/checks"),
    Column("alarm_at", "timestamp", not_null=True),
    Column("nature"),
    Column("category"),
    Column("alert_type"),
    Column("offence"),
    Column("nature_code"),
    Column("nature_raw"),
    Column("category_raw"),
    Column("type_raw"),
    Column("classified_by", note="columns, declared, none"),
    Column("address"),
    Column("compound_hint"),
    Column("unit"),
    Column("bureau"),
    Column("summary"),
    Column("handling"),
    Column("caller_name"),
    Column("caller_phone"),
    Column("is_major", "boolean"),
)

_CLASSIFICATION_SCHEMA = {
    "nature": pl.String,
    "category": pl.String,
    "offence": pl.String,
    "alert_type": pl.String,
    "nature_code": pl.String,
    PROBLEM + "nature": pl.String,
    PROBLEM + "category": pl.String,
    PROBLEM + "code": pl.String,
}


def classify_alert(table: CodeTable, nature, nature_original, category, alert_type, code, code_original) -> dict:
    """Resolve one combination of the classification columns (see module docstring)."""
    out = dict.fromkeys(_CLASSIFICATION_SCHEMA)
    nature_text = nature or nature_original
    code_text = code or code_original

    by_code = table.resolve(code_text) if code_text else None
    if code_text and by_code is None:
        out[PROBLEM + "code"] = f"警情编码“{code_text}”不在警情编码映射表中（可在 alert_codes.csv 中添加）"

    nature_value = nature_word(nature_text)
    by_nature = None
    if nature_text and nature_value is None:
        by_nature = table.resolve(nature_text)
        if by_nature is None:
            out[PROBLEM + "nature"] = (
                f"警情性质“{nature_text}”无法识别（可接受：报警、求助、投诉、举报、咨询、无效，"
                "或警情编码映射表中的名称/编码）"
            )

    category_value = category_word(category)
    by_category = None
    subtype = None
    if category and category_value is None:
        by_category = table.resolve(category)
        subtype = subtype_category(category) if by_category is None else None
        if subtype is not None:
            category_value = subtype[0]  # the category cell holds the subtype (刷单返利类)
        elif by_category is None:
            out[PROBLEM + "category"] = (
                f"警情类别“{category}”无法识别（可接受：刑事、治安、交通、火灾、纠纷、灾害事故、其他，"
                "或警情编码映射表中的名称/编码）"
            )

    by_type = None
    type_text = compact(alert_type)
    if type_text:
        by_type = table.resolve(type_text, by_name=False)

    def first(attribute: str, *sources) -> str | None:
        return next((getattr(r, attribute) for r in sources if r is not None and getattr(r, attribute)), None)

    # the most specific source decides: a code over a category name over a nature name
    out["nature"] = nature_value or first("nature", by_nature, by_code, by_category, by_type)
    out["category"] = category_value or first("category", by_code, by_type, by_category, by_nature)
    if out["nature"] is None and not nature_text and out["category"] in CATEGORIES_IMPLYING_ALARM and category_value:
        out["nature"] = "报警"  # data contract: without 警情性质, these categories imply 报警
    out["offence"] = (
        offence_of(alert_type)
        or (subtype[1] if subtype else None)
        or first("offence", by_type, by_code, by_category, by_nature)
    )
    if out["offence"] is None and category_value in ("纠纷", "火灾"):
        out["offence"] = category_value
    labels = [r.label for r in (by_type, by_code, by_category, by_nature) if r is not None and r.label]
    out["alert_type"] = alert_type or (category if subtype else None) or (labels[0] if labels else None)
    out["nature_code"] = next((r.code for r in (by_code, by_type, by_category, by_nature) if r is not None), None)
    return out


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    """Cleaned strings → typed alert rows with raw__ and problem__ columns."""
    table = load_table(str(context.settings.alert_codes))
    declared = context.settings.declared_for(context.source_file, context.sheet)
    frame = keep_raw(frame, KIND.fields)
    classified_by = "columns"
    if not any(
        context.has(f) for f in ("nature", "nature_original", "category", "alert_type", "code", "code_original")
    ):
        if declared:
            frame = frame.with_columns(
                pl.lit(declared.get("nature")).alias("nature"),
                pl.lit(declared.get("category")).alias("category"),
                pl.lit(declared.get("alert_type")).alias("alert_type"),
            )
            classified_by = "declared"
            context.notes.append("该表没有警情性质/类别列，已按警情类别声明文件补充")
        else:
            classified_by = "none"
            context.notes.append(
                "该表没有警情性质/类别列：警情已载入但类别未知，不计入任何分类指标（可在警情类别声明文件中声明该表类别）"
            )
    if context.has("nature") and context.has("nature_original"):
        context.notes.append("同时有确认和原始警情性质：以确认警情性质为准")
    if context.has("code") and context.has("code_original"):
        context.notes.append("同时有确认和原始警情编码：以确认警情编码为准")

    frame = frame.rename({f: f"_in_{f}" for f in ("nature", "category", "alert_type")})
    frame = map_distinct(
        frame,
        ["_in_nature", "nature_original", "_in_category", "_in_alert_type", "code", "code_original"],
        lambda *values: classify_alert(table, *values),
        _CLASSIFICATION_SCHEMA,
    )
    frame = with_datetimes(frame, {"alarm_at": RAW + "alarm_at"}, date1904=context.date1904)
    frame = frame.with_columns(
        pl.col("alert_id").str.replace_all(" ", "").str.to_uppercase().alias("alert_id"),
        boolean_expr("is_major"),
        pl.col("_in_nature").fill_null(pl.col("nature_original")).alias("nature_raw"),
        pl.col("_in_category").alias("category_raw"),
        pl.col("_in_alert_type").alias("type_raw"),
        pl.lit(classified_by).alias("classified_by"),
        pl.col("address").str.replace_all(" ", ""),
        pl.col("caller_phone").str.replace_all(r"[\s-]", ""),
    )
    return frame.with_columns(mangled_reason_expr("alert_id").alias(PROBLEM + "alert_id"))


KIND = SourceKind(
    kind="alerts",
    label="110警情",
    table="alerts",
    headers=HEADERS,
    required_headers=(("alert_id",), ("alarm_at",), ("address", "compound_hint")),
    priority=4,
    columns=COLUMNS,
    normalise=normalise,
    rules=RULES,
    key="alert_id",
    id_field="alert_id",
    records=Records(
        record_id="alert_id", time="alarm_at", source="'alerts'", sources=(("alerts", "110警情"),), position=1
    ),
    conflict_fields=frozenset(
        {"alert_id", "alarm_at", "nature", "category", "alert_type", "code", "address", "compound_hint", "is_major"}
    ),
    carries=("cases",),
    lends=("address", "compound_hint", "unit"),
)
