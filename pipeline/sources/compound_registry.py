"""The compound registry (小区名册): one row per address.

A compound with several addresses has several rows (花园小区 of seed 002 has eight).
Compound-level columns (所属社区, 实有人口底数, 别名 …) may be repeated on every row or given
once; conflicting values for one compound, or one address listed under two compounds,
reject the rows involved with a reason that names the other row. Split addresses
(街路巷 + 门牌号) are assembled.
"""

from __future__ import annotations

import re

import polars as pl

from zhian.pipeline.sources.common import NOT_AN_INTEGER, UNIT, keep_raw
from zhian.pipeline.sources.kind import RAW, ROW, Column, Rules, SheetContext, SourceKind, aliases

HEADERS = aliases(
    ("compound_name", ("小区名称", "小区", "小区(单位)名称", "实体名称", "老旧小区名称")),
    ("compound_group", ("小区组",)),
    ("address", ("详细地址", "所在地详址", "地址名称", "楼栋详址", "地址", "小区地址")),
    ("road", ("街路巷",)),
    ("house_number", ("门牌号", "门牌号码")),
    ("community", ("所属社区", "所在社区", "社区", "所属居委", "居委会")),
    ("street", ("所属街道", "街道", "乡镇街道", "街道(乡镇)", "所属镇街")),
    ("unit", UNIT),
    ("population_base", ("实有人口底数", "人口底数", "常住人口估算")),
    ("aliases", ("别名", "曾用名", "俗称")),
    ("buildings", ("楼栋", "楼栋数")),
    ("units", ("单元", "单元数")),
    ("remark", ("备注",)),
    ("plan_period", ("整治时间",)),
)

RULES = Rules(
    required=("compound_name", "address"),
    parsed={
        "population_base": NOT_AN_INTEGER,
        "buildings": NOT_AN_INTEGER,
        "units": NOT_AN_INTEGER,
    },
)

COLUMNS = (
    Column("compound_name"),
    Column("address"),
    Column("community"),
    Column("street"),
    Column("unit"),
    Column("compound_group"),
    Column("population_base", "bigint"),
    Column("aliases"),
    Column("buildings", "bigint"),
    Column("units", "bigint"),
    Column("remark"),
    Column("plan_period"),
)

# compound-level attributes: one value per compound
COMPOUND_LEVEL = ("community", "street", "unit", "compound_group", "population_base", "aliases")


def _integer(column: str) -> pl.Expr:
    text = pl.col(RAW + column).str.replace_all(r"[,，\s]|(人|栋|幢|个|单元)$", "")
    number = text.cast(pl.Float64, strict=False)
    return pl.when(number == number.round(0)).then(number.cast(pl.Int64)).otherwise(None).alias(column)


def split_aliases(text: str | None) -> list[str]:
    return [a for a in re.split(r"[、，,;；/]+", text or "") if a]


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    """Cleaned strings → registry rows: split addresses assembled, counts as integers,
    aliases in one spelling."""
    frame = keep_raw(frame, KIND.fields)
    split_form = context.has("road") and not context.has("address")
    if split_form:
        context.notes.append("地址由“街路巷”和“门牌号”拼接而成")
        number = pl.col("house_number")
        assembled = pl.concat_str(
            [
                pl.col("road"),
                pl.when(number.str.contains("[号弄]")).then(number).otherwise(number + pl.lit("号")),
            ]
        )
        frame = frame.with_columns(assembled.alias("address"), assembled.alias(RAW + "address"))
        context.headers["address"] = f"{context.header('road')}+{context.header('house_number')}"
        # in this form 楼栋/单元 are parts of an address, not counts
        frame = frame.with_columns(
            pl.lit(None, dtype=pl.String).alias(RAW + "buildings"), pl.lit(None, dtype=pl.String).alias(RAW + "units")
        )
    return frame.with_columns(
        pl.col("address").str.replace_all(" ", ""),
        _integer("population_base"),
        _integer("buildings"),
        _integer("units"),
        pl.col("aliases").map_elements(lambda t: "、".join(split_aliases(t)), return_dtype=pl.String, skip_nulls=True),
    )


def conflicts(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    """Rows whose compound-level values disagree with another row of the same compound, or
    whose address is also listed under another compound: rejected-row entries."""
    from zhian.pipeline.ingest.rejections import rejections  # it imports this registry

    parts = []
    for column in COMPOUND_LEVEL:
        if not context.has(column):
            continue
        values = frame.filter(pl.col(column).is_not_null()).select(
            ROW, "compound_name", pl.col(column).cast(pl.String).alias("v")
        )
        firsts = values.group_by("compound_name", "v").agg(pl.col(ROW).min().alias("first_row"))
        disagreeing = (
            firsts.group_by("compound_name")
            .agg(pl.len().alias("n"), pl.col("v"), pl.col("first_row"))
            .filter(pl.col("n") > 1)
        )
        if disagreeing.height == 0:
            continue
        for compound, vs, rows in disagreeing.select("compound_name", "v", "first_row").iter_rows():
            listing = "、".join(f"第{r}行为“{v}”" for v, r in sorted(zip(vs, rows, strict=True), key=lambda x: x[1]))
            bad = values.filter(pl.col("compound_name") == compound)
            parts.append(
                rejections(
                    context,
                    "registry",
                    bad,
                    column=context.header(column),
                    value=pl.col("v"),
                    reason=f"小区“{compound}”的“{context.header(column)}”前后不一致：{listing}",
                    rule="conflict",
                )
            )
    owners = (
        frame.filter(pl.col("address").is_not_null())
        .group_by("address")
        .agg(
            pl.col("compound_name").unique().alias("names"),
            pl.col(ROW).alias("rows"),
            pl.col("compound_name").alias("all"),
        )
    )
    for address, _names, rows, all_names in owners.filter(pl.col("names").list.len() > 1).iter_rows():
        listing = "、".join(f"第{r}行“{n}”" for r, n in sorted(zip(rows, all_names, strict=True)))
        bad = frame.filter(pl.col("address") == address)
        parts.append(
            rejections(
                context,
                "registry",
                bad,
                column=context.header("address"),
                value=pl.col("address"),
                reason=f"同一地址被登记在不同小区名下：{listing}，无法判断归属",
                rule="conflict",
            )
        )
    return pl.concat(parts) if parts else rejections(context, "registry", frame.clear())


def rebuild(con) -> None:
    """After registry rows load: `compounds` and `compound_addresses` from the newest export
    listing each compound, then every record whose attribution that changes (in the load's
    transaction)."""
    from zhian.pipeline.db import run_script
    from zhian.pipeline.ingest import attribution, census

    run_script(con, "ingest/rebuild_compounds.sql")
    attribution.refresh_all(con)
    census.refresh(con)  # attributions, and so the stations of compounds, may have changed


KIND = SourceKind(
    kind="registry",
    label="小区名册",
    table="registry_rows",
    headers=HEADERS,
    required_headers=(("compound_name",), ("address", "road")),
    priority=6,
    columns=COLUMNS,
    normalise=normalise,
    rules=RULES,
    load_rank=0,
    conflict_fields=frozenset(
        {"compound_name", "address", "road", "house_number", "community", "population_base", "aliases"}
    ),
    cross_row_checks=conflicts,
    after_load=rebuild,
)
