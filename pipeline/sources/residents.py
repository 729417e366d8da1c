"""Resident population records (实有人口): one record per ID number.

The residence is the 居住地址 family only: a 户籍地址 column (household registration) is
kept but never used to place a person in a compound. Per-type exports (常住人口.xlsx,
sheet 流动人口 …) carry no type column: the type comes from the sheet name, else the
file name, and the ingest log says so.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from zhian.pipeline.sources.common import COMPOUND_HINT, NOT_A_DATE, UNIT, boolean_expr, keep_raw, map_distinct
from zhian.pipeline.sources.kind import PROBLEM, RAW, Column, Records, Rules, SheetContext, SourceKind, aliases
from zhian.pipeline.values.dates import with_datetimes
from zhian.pipeline.values.idnumbers import excel_mangled_reason, resident_id_problem
from zhian.pipeline.values.vocab import (
    POPULATION_TYPES,
    UNSTATED_TYPE,
    population_type,
    population_type_from_name,
    verification,
)

HEADERS = aliases(
    ("person_id", ("公民身份号码", "身份证号", "身份证号码", "公民身份证号")),
    ("doc_id", ("证件号码", "证件号码(境外)", "护照号码", "居住证号码")),
    ("name", ("姓名",)),
    ("population_type", ("人口类型", "人员类别", "人员类型")),
    ("is_permanent", ("是否常住",)),
    ("address", ("居住地址", "现住址", "实际居住地址", "现住门(楼)详址", "现住地详址", "现住地址")),
    ("household_address", ("户籍门(楼)详址", "户籍地详址", "户籍地址", "户籍地")),
    ("compound_hint", COMPOUND_HINT),
    ("registered_at", ("登记日期", "采集日期", "登记时间", "采集时间", "到达时间", "迁入时间", "寄住时间")),
    ("verification", ("核查结果", "核查状态", "是否准确")),
    ("verified_at", ("核实时间", "核签时间", "核查时间")),
    ("phone", ("联系电话", "手机号码")),
    ("unit", UNIT),
)

RULES = Rules(
    required=("person_id",),
    parsed={
        "registered_at": NOT_A_DATE,
        "verified_at": "“{header}”不是可识别的日期时间：“{value}”",
        "verification": "“{header}”的值“{value}”无法识别（可接受：准确、不准确、未核查）",
        "is_permanent": "“{header}”应为 是/否：“{value}”",
    },
    problems=("person_id", "population_type"),
)

COLUMNS = (
    Column("person_id", not_null=True),
    Column("id_kind"),
    Column("doc_id"),
    Column("name"),
    Column("population_type"),
    Column("type_source"),
    Column("address"),
    Column("household_address"),
    Column("compound_hint"),
    Column("registered_at", "date"),
    Column("verification"),
    Column("verified_at", "timestamp"),
    Column("phone"),
    Column("unit"),
)


def _id_problem(person_id: str | None, population: str | None) -> dict:
    if person_id is None:
        return {PROBLEM + "person_id": None, "id_kind": None}
    if population == "境外":
        # passports and permits: no checksum applies, but Excel may still have mangled them
        return {PROBLEM + "person_id": excel_mangled_reason(person_id), "id_kind": "境外证件"}
    return {PROBLEM + "person_id": resident_id_problem(person_id), "id_kind": "居民身份证"}


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    """Cleaned strings → typed resident rows: the identifier, the population type (column,
    是否常住, sheet or file name), the residence, the verification."""
    verified_time_means_accurate = context.settings.verified_time_means_accurate
    frame = keep_raw(frame, KIND.fields)
    if not context.has("person_id"):
        # only 证件号码: it is the identifier
        frame = frame.with_columns(
            pl.col("doc_id").alias("person_id"),
            pl.col(RAW + "doc_id").alias(RAW + "person_id"),
            pl.lit(None, dtype=pl.String).alias("doc_id"),
        )
        context.headers["person_id"] = context.header("doc_id")
    else:
        # a row with no 公民身份号码 but another document number is identified by that number
        frame = frame.with_columns(
            pl.coalesce("person_id", "doc_id").alias("person_id"),
            pl.coalesce(RAW + "person_id", RAW + "doc_id").alias(RAW + "person_id"),
        )

    # population type: column → 是否常住 → sheet name → file name
    types = {v: population_type(v) for v in frame["population_type"].unique().to_list() if v is not None}
    from_column = pl.col("population_type").replace_strict(types, default=None, return_dtype=pl.String)
    permanent = boolean_expr("is_permanent")
    from_flag = pl.when(permanent).then(pl.lit("户籍")).when(~permanent).then(pl.lit("流动"))
    by_sheet = population_type_from_name(context.sheet)
    by_file = population_type_from_name(Path(context.source_file).stem)
    by_name = by_sheet or by_file
    no_column = not context.has("population_type") and not context.has("is_permanent")
    name_source = "工作表名" if by_sheet else ("文件名" if by_file else None)
    if no_column:
        if by_name == UNSTATED_TYPE:
            context.notes.append(
                f"表中没有人口类型列：按{name_source}为实有人口（全部类型），人口类型记为“{UNSTATED_TYPE}”"
            )
        elif by_name:
            context.notes.append(f"表中没有人口类型列：按{name_source}判断为{by_name}人口")
        else:
            by_name, name_source = UNSTATED_TYPE, UNSTATED_TYPE
            context.notes.append(
                f"表中没有人口类型列，表名和文件名也未注明：人口类型记为“{UNSTATED_TYPE}”（仍计入登记率和准确率）"
            )
    frame = frame.with_columns(
        pl.coalesce(from_column, from_flag, pl.lit(by_name, dtype=pl.String)).alias("population_type"),
        pl.when(from_column.is_not_null())
        .then(pl.lit("列"))
        .when(from_flag.is_not_null())
        .then(pl.lit("是否常住"))
        .otherwise(pl.lit(name_source))
        .alias("type_source"),
        permanent,
    )
    frame = frame.with_columns(
        pl.when(pl.col("population_type").is_null())
        .then(
            pl.when(pl.col(RAW + "population_type").is_not_null())
            .then(
                pl.format(
                    "人口类型“{}”无法识别（可接受：{}）",
                    pl.col(RAW + "population_type"),
                    pl.lit("、".join(POPULATION_TYPES)),
                )
            )
            .otherwise(pl.lit("无法确定人口类型（没有人口类型列，表名和文件名也未注明）"))
        )
        .alias(PROBLEM + "population_type"),
        pl.col("person_id").str.replace_all(" ", "").str.to_uppercase(),
    )
    frame = map_distinct(
        frame, ["person_id", "population_type"], _id_problem, {PROBLEM + "person_id": pl.String, "id_kind": pl.String}
    )
    if context.has("household_address") and not context.has("address"):
        context.notes.append("只有户籍地址、没有居住地址：户籍地址不用于归属小区")
    verifications = {v: verification(v) for v in frame["verification"].unique().to_list() if v is not None}
    verified = pl.col("verification").replace_strict(verifications, default=None, return_dtype=pl.String)
    frame = with_datetimes(frame, {"registered_at": RAW + "registered_at"}, dates=True, date1904=context.date1904)
    frame = with_datetimes(frame, {"verified_at": RAW + "verified_at"}, date1904=context.date1904)
    no_result = "准确" if verified_time_means_accurate else "未核查"
    return frame.with_columns(
        pl.when(pl.col(RAW + "verification").is_null())
        .then(pl.when(pl.col("verified_at").is_not_null()).then(pl.lit(no_result)).otherwise(pl.lit("未核查")))
        .otherwise(verified)
        .alias("verification"),
        pl.col("address").str.replace_all(" ", ""),
        pl.col("phone").str.replace_all(r"[\s-]", ""),
    )


KIND = SourceKind(
    kind="residents",
    label="实有人口",
    table="residents",
    headers=HEADERS,
    required_headers=(("person_id", "doc_id"), ("address", "compound_hint")),
    priority=5,
    columns=COLUMNS,
    working=(Column("is_permanent", "boolean"),),
    normalise=normalise,
    rules=RULES,
    key="person_id",
    id_field="person_id",
    records=Records(
        record_id="person_id",
        time="registered_at::timestamp",
        source="'residents'",
        sources=(("residents", "实有人口"),),
        position=3,
    ),
    conflict_fields=frozenset(
        {"person_id", "doc_id", "population_type", "address", "compound_hint", "registered_at", "verification"}
    ),
)
