"""Case registers: criminal (刑事) and public-order (治安 = 行政) cases, one row per case.

A real case export mixes both kinds. The kind of each row comes from, in order:
1. a kind column — `案件类型` whose values are 行政/刑事 (or codes 01/02), or `案件性质` whose
   values are 刑事/治安/行政; a `案件类型` column holding subtypes is used as the offence;
2. a sheet with both 立案时间 and 受理时间 columns: a row with a 受理时间 is public order,
   one with only a 立案时间 is criminal;
3. the sheet name, else the file name (刑事 / 治安, 行政);
4. the 案件编号 prefix `A` (criminal);
5. the columns: 受理时间 only → public order; 立案时间 only → criminal.
How the kind was decided is written to the ingest log. The event time is 立案时间 for
criminal cases and 受理时间 (else 立案时间) for public-order cases.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import polars as pl

from zhian.pipeline.sources.common import COMPOUND_HINT, UNIT, boolean_expr, keep_raw, map_distinct
from zhian.pipeline.sources.kind import PROBLEM, RAW, Column, Records, Rules, SheetContext, SourceKind, aliases
from zhian.pipeline.values.dates import with_datetimes
from zhian.pipeline.values.idnumbers import mangled_reason_expr
from zhian.pipeline.values.vocab import (
    case_kind,
    case_status,
    is_economic_fraud,
    is_penalty,
    offence_of,
    status_means_penalty,
)

HEADERS = aliases(
    ("case_id", ("案件编号", "案件号", "案件ID")),
    ("case_type", ("案件类型", "案件大类")),  # the kind (行政/刑事) in real exports; a subtype elsewhere
    ("case_nature", ("案件性质",)),
    ("cause", ("案件类别", "案件子类", "罪名", "案由", "违法行为", "案由名称", "案别")),
    ("cause_code", ("案由代码", "案件类别代码", "案别代码")),
    ("occurred_at", ("发案时间", "案发时间")),
    ("address", ("发案地址", "案发地址", "发案地点", "案发地点")),
    ("compound_hint", COMPOUND_HINT),
    ("filed_at", ("立案时间", "立案日期")),
    ("accepted_at", ("受理时间", "受理日期", "受案时间", "受案日期")),
    ("solved_at", ("破案时间", "破案日期")),
    ("closed_at", ("结案时间", "结案日期", "办结时间")),
    ("status", ("案件状态", "状态", "办理状态")),
    ("status_name", ("案件状态名称",)),
    ("is_solved", ("是否破案",)),
    ("result", ("处理结果", "处罚结果", "处理决定", "裁决结果")),
    ("flag_warning", ("警告",)),
    ("flag_fine", ("罚款",)),
    ("flag_detention", ("治拘", "行政拘留")),
    ("count_detained", ("拘留人数",)),
    ("count_fined", ("罚款人数",)),
    ("count_warned", ("警告人数",)),
    ("punished_at", ("处罚时间", "处罚日期")),
    ("is_completed", ("是否既遂", "既遂/未遂", "既未遂", "既遂未遂")),
    ("is_victim_accountant", ("受害人是否财会人员", "是否财会人员", "财会人员")),
    ("loss_amount", ("损失金额", "损失金额(元)", "涉案金额", "涉案金额(元)")),
    ("unit", UNIT),
    ("summary", ("简要案情", "案情摘要")),
)

_DATE_MESSAGE = "“{header}”不是可识别的日期时间：“{value}”"
_BOOL_MESSAGE = "“{header}”应为 是/否（Y/N、1/0、√）：“{value}”"
RULES = Rules(
    required=("case_id",),
    parsed={
        "occurred_at": _DATE_MESSAGE,
        "solved_at": _DATE_MESSAGE,
        "closed_at": _DATE_MESSAGE,
        "punished_at": _DATE_MESSAGE,
        "is_solved": _BOOL_MESSAGE,
        "is_completed": _BOOL_MESSAGE,
        "is_victim_accountant": _BOOL_MESSAGE,
        "loss_amount": "“{header}”不是数字：“{value}”",
    },
    problems=("case_id", "case_kind", "event_at", "status"),
)

COLUMNS = (
    Column("case_id", not_null=True),
    Column("case_kind", not_null=True, note="criminal, public_order"),
    Column("kind_source"),
    Column("cause"),
    Column("offence"),
    Column("cause_code"),
    Column("is_economic_fraud", "boolean"),
    Column("event_at", "timestamp", not_null=True, note="立案时间 (criminal) or 受理时间 (public order)"),
    Column("filed_at", "timestamp"),
    Column("accepted_at", "timestamp"),
    Column("occurred_at", "timestamp"),
    Column("solved_at", "timestamp"),
    Column("closed_at", "timestamp"),
    Column("punished_at", "timestamp"),
    Column("status", note="filed, solved, withdrawn, merged / accepted, closed, withdrawn, merged"),
    Column("status_raw"),
    Column("is_solved_flag", "boolean"),
    Column("has_penalty", "boolean"),
    Column("result"),
    Column("is_completed", "boolean"),
    Column("is_victim_accountant", "boolean"),
    Column("loss_amount", "double"),
    Column("address"),
    Column("compound_hint"),
    Column("unit"),
    Column("summary"),
    Column(
        "source_rank",
        "integer",
        note="2: a case register; 1: a case carried by an alert overview (a register's row wins)",
    ),
)

CASE_CODES = Path(__file__).parent.parent / "config" / "case_codes.csv"


@lru_cache(maxsize=4)
def case_code_names(path: str = str(CASE_CODES)) -> dict[str, str]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def _kind_share(frame: pl.DataFrame, column: str) -> float:
    values = frame[column].drop_nulls()
    if values.len() == 0:
        return 0.0
    counts = values.value_counts()
    mapped = sum(n for v, n in counts.iter_rows() if case_kind(v) is not None)
    return mapped / values.len()


def _name_hint(*names: str) -> str | None:
    for name in names:
        if "刑事" in name:
            return "criminal"
        if "治安" in name or "行政" in name:
            return "public_order"
    return None


def _decide_kind(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    kind_column = None
    if context.has("case_type"):
        if _kind_share(frame, RAW + "case_type") >= 0.5:
            kind_column = "case_type"
        else:
            frame = frame.with_columns(pl.coalesce("cause", "case_type").alias("cause"))
            context.notes.append(f"“{context.header('case_type')}”列的值是案件类别（不是刑事/行政），已作为案由使用")
    if kind_column is None and context.has("case_nature") and _kind_share(frame, RAW + "case_nature") >= 0.5:
        kind_column = "case_nature"
    if kind_column:
        context.notes.append(f"案件按“{context.header(kind_column)}”列区分刑事/治安")
        kinds = {v: case_kind(v) for v in frame[RAW + kind_column].unique().to_list() if v is not None}
        return frame.with_columns(
            pl.col(RAW + kind_column).replace_strict(kinds, default=None, return_dtype=pl.String).alias("case_kind"),
            pl.lit(f"列“{context.header(kind_column)}”").alias("kind_source"),
        ).with_columns(
            pl.when(pl.col("case_kind").is_null())
            .then(
                pl.when(pl.col(RAW + kind_column).is_null())
                .then(pl.lit(f"“{context.header(kind_column)}”为空，无法判断是刑事还是治安案件"))
                .otherwise(
                    pl.format(
                        "“{}”的值“{}”无法识别（应为刑事、行政或治安）",
                        pl.lit(context.header(kind_column)),
                        pl.col(RAW + kind_column),
                    )
                )
            )
            .alias(PROBLEM + "case_kind")
        )
    if context.has("filed_at") and context.has("accepted_at"):
        context.notes.append("表中同时有立案时间和受理时间列：有受理时间的按治安案件，只有立案时间的按刑事案件")
        return frame.with_columns(
            pl.when(pl.col(RAW + "accepted_at").is_not_null())
            .then(pl.lit("public_order"))
            .otherwise(pl.lit("criminal"))
            .alias("case_kind"),
            pl.lit("立案/受理时间列").alias("kind_source"),
            pl.lit(None, dtype=pl.String).alias(PROBLEM + "case_kind"),
        )
    hint = _name_hint(context.sheet, Path(context.source_file).stem)
    if hint:
        where = "工作表名" if _name_hint(context.sheet) else "文件名"
        context.notes.append(f"表中没有案件类型列：按{where}判断为{'刑事' if hint == 'criminal' else '治安'}案件")
        kind = pl.lit(hint)
        source = pl.lit(where)
    else:
        fallback = "public_order" if context.has("accepted_at") else "criminal"
        context.notes.append(
            "表中没有案件类型列，表名和文件名也未注明：案件编号以A开头的按刑事案件，其余按"
            + ("受理时间列判断为治安案件" if fallback == "public_order" else "立案时间列判断为刑事案件")
        )
        kind = pl.when(pl.col("case_id").str.starts_with("A")).then(pl.lit("criminal")).otherwise(pl.lit(fallback))
        source = (
            pl.when(pl.col("case_id").str.starts_with("A"))
            .then(pl.lit("案件编号前缀A"))
            .otherwise(pl.lit("受理时间列" if fallback == "public_order" else "立案时间列"))
        )
    return frame.with_columns(
        kind.alias("case_kind"),
        source.alias("kind_source"),
        pl.lit(None, dtype=pl.String).alias(PROBLEM + "case_kind"),
    )


def _status(kind, status, status_name) -> dict:
    text = status_name if status_name and (status is None or status.isdigit()) else status
    if text is None or kind is None:
        return {"_status": None, PROBLEM + "status": None}
    mapped = case_status(text, kind)
    if mapped is None:
        expected = (
            "已立案、已破案、移送起诉、已撤案、已合并"
            if kind == "criminal"
            else "已受理、已结案、已处罚、已调解、撤销、不予受理、已合并"
        )
        return {
            "_status": None,
            PROBLEM
            + "status": f"案件状态“{text}”无法识别（{'刑事' if kind == 'criminal' else '治安'}案件可接受：{expected}）",
        }
    return {"_status": mapped, PROBLEM + "status": None}


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    """Cleaned strings → typed case rows: the kind of each case, its event time, status,
    offence and whether it was punished (module docstring)."""
    economic_frauds = context.settings.economic_frauds
    frame = keep_raw(frame, KIND.fields)
    frame = frame.with_columns(
        pl.col("case_id").str.replace_all(" ", "").str.to_uppercase(),
        pl.lit(1 if context.carried else 2, dtype=pl.Int32).alias("source_rank"),
    )
    frame = _decide_kind(frame, context)
    code_names = case_code_names()
    frame = with_datetimes(
        frame,
        {f: RAW + f for f in ("occurred_at", "filed_at", "accepted_at", "solved_at", "closed_at", "punished_at")},
        date1904=context.date1904,
    )
    frame = frame.with_columns(
        pl.when(pl.col("case_kind") == "criminal")
        .then(pl.col("filed_at"))
        .otherwise(pl.coalesce("accepted_at", "filed_at"))
        .alias("event_at"),
    )
    event_header = {
        "criminal": context.header("filed_at"),
        "public_order": context.header("accepted_at") if context.has("accepted_at") else context.header("filed_at"),
    }
    frame = frame.with_columns(
        pl.when(pl.col("case_kind").is_not_null() & pl.col("event_at").is_null())
        .then(
            pl.when(pl.col("case_kind") == "criminal")
            .then(
                pl.when(pl.col(RAW + "filed_at").is_null())
                .then(pl.lit(f"刑事案件缺少“{event_header['criminal']}”"))
                .otherwise(
                    pl.format(
                        "“{}”不是可识别的日期时间：“{}”", pl.lit(event_header["criminal"]), pl.col(RAW + "filed_at")
                    )
                )
            )
            .otherwise(
                pl.when(pl.coalesce(RAW + "accepted_at", RAW + "filed_at").is_null())
                .then(pl.lit(f"治安案件缺少“{event_header['public_order']}”"))
                .otherwise(
                    pl.format(
                        "“{}”不是可识别的日期时间：“{}”",
                        pl.lit(event_header["public_order"]),
                        pl.coalesce(RAW + "accepted_at", RAW + "filed_at"),
                    )
                )
            )
        )
        .alias(PROBLEM + "event_at"),
        # the offence: from 案由 / 案件类别 text, else from the GA 240.1 code's name
        pl.coalesce(
            pl.col("cause"),
            pl.col("cause_code").replace_strict(code_names, default=None, return_dtype=pl.String),
        ).alias("cause"),
    )
    frame = map_distinct(
        frame, ["case_kind", "status", "status_name"], _status, {"_status": pl.String, PROBLEM + "status": pl.String}
    )
    frame = map_distinct(
        frame,
        ["cause"],
        lambda cause: {"offence": offence_of(cause), "is_economic_fraud": is_economic_fraud(cause, economic_frauds)},
        {"offence": pl.String, "is_economic_fraud": pl.Boolean},
    )
    penalty_words = {v: bool(is_penalty(v)) for v in frame["result"].unique().to_list() if v is not None}
    status_penalty = {
        v: status_means_penalty(v)
        for v in pl.concat([frame["status"], frame["status_name"]]).unique().to_list()
        if v is not None
    }
    flags = [
        boolean_flag(f)
        for f in ("flag_warning", "flag_fine", "flag_detention", "count_detained", "count_fined", "count_warned")
    ]
    frame = frame.with_columns(
        boolean_expr("is_solved"),
        boolean_expr("is_solved").alias("is_solved_flag"),
        boolean_expr("is_completed"),
        boolean_expr("is_victim_accountant"),
        pl.col(RAW + "loss_amount")
        .str.replace_all(r"[,，元¥￥\s]", "")
        .cast(pl.Float64, strict=False)
        .alias("loss_amount"),
        pl.col("status").fill_null(pl.col("status_name")).alias("status_raw"),
    )
    derived_status = (
        pl.when(pl.col("case_kind") == "criminal")
        .then(
            pl.when(pl.col("is_solved_flag").fill_null(False) | pl.col("solved_at").is_not_null())
            .then(pl.lit("solved"))
            .otherwise(pl.lit("filed"))
        )
        .otherwise(pl.when(pl.col("closed_at").is_not_null()).then(pl.lit("closed")).otherwise(pl.lit("accepted")))
    )
    frame = frame.with_columns(
        pl.when(pl.col("_status").is_not_null())
        .then(pl.col("_status"))
        .when(pl.col("status_raw").is_null())
        .then(derived_status)
        .otherwise(None)
        .alias("status"),
        pl.any_horizontal(
            pl.col("result").replace_strict(penalty_words, default=False, return_dtype=pl.Boolean).fill_null(False),
            pl.col("status").replace_strict(status_penalty, default=False, return_dtype=pl.Boolean).fill_null(False),
            pl.col("status_name")
            .replace_strict(status_penalty, default=False, return_dtype=pl.Boolean)
            .fill_null(False),
            pl.col("punished_at").is_not_null(),
            *flags,
        ).alias("has_penalty"),
        mangled_reason_expr("case_id").alias(PROBLEM + "case_id"),
    )
    if context.has("is_solved") and not context.has("status"):
        context.notes.append("表中没有案件状态列：按“是否破案”和破案时间判断是否破案")
    return frame


def boolean_flag(column: str) -> pl.Expr:
    """Penalty flag/count columns: non-empty and non-zero means a penalty (data contract)."""
    value = pl.col(column).str.replace_all(" ", "")
    number = value.cast(pl.Float64, strict=False)
    negative = value.str.to_lowercase().is_in(["否", "n", "no", "0", "无", "false", "-", "—", "×"])
    return (value.is_not_null() & ~negative & (number.is_null() | (number != 0))).fill_null(False)


KIND = SourceKind(
    kind="cases",
    label="案件",
    table="cases",
    headers=HEADERS,
    required_headers=(("case_id",), ("filed_at", "accepted_at"), ("cause", "cause_code", "case_type")),
    priority=3,
    columns=COLUMNS,
    working=(Column("is_solved", "boolean"),),
    normalise=normalise,
    rules=RULES,
    key="case_id",
    id_field="case_id",
    records=Records(
        record_id="case_id",
        time="event_at",
        source="case_kind",
        sources=(("criminal", "刑事案件"), ("public_order", "治安案件")),
        position=2,
    ),
    conflict_fields=frozenset(
        {
            "case_id",
            "case_type",
            "case_nature",
            "cause",
            "filed_at",
            "accepted_at",
            "solved_at",
            "closed_at",
            "status",
            "is_solved",
            "result",
            "is_completed",
            "is_victim_accountant",
            "address",
            "compound_hint",
        }
    ),
    rank_column="source_rank",
    labels={"case_kind": "案件类型（刑事/治安）", "event_at": "立案或受理时间"},
)
