"""Campaign ledgers (整治台账 / 问题清单): the tasks of a plan and the problems found, one row
per item of one compound (or 全部), kept by a town's 整治办 by hand (seeds 003, 004).

An item names its 牵头单位/责任单位 (several, separated by 、), a 完成时限 (a date; a day of the
campaign's year, `8月22日前`; or a phase, `第二阶段`, resolved to that phase's end in
`sql/ledger/ledger_items.sql`), its state in words (未启动, 推进中/整改中, 已完成/已整改,
已销号/销号; 是否销号 是/否) and the dates it was done and signed off. A row's item is kept by
its key (整治项目, 小区, 序号 or the item's text): a later export of the ledger replaces it.

Signed off (销号) is the end of an item. A ledger without any sign-off step — no 销号日期
column, no 是否销号 column, no 销号 word in its states — is a task list: there 已完成 is its
end (and its 完成日期 the sign-off date). Documented in docs/data-contract-decisions.md.
"""

from __future__ import annotations

import re

import polars as pl

from zhian.pipeline.sources.common import NOT_A_DATE, keep_raw, map_distinct
from zhian.pipeline.sources.kind import PROBLEM, RAW, Column, Rules, SheetContext, SourceKind, aliases
from zhian.pipeline.values.dates import with_datetimes
from zhian.pipeline.values.text import compact

HEADERS = aliases(
    (
        "item",
        ("任务", "措施", "整改措施", "工作任务", "任务内容", "工作内容", "问题描述", "问题", "存在问题", "整治措施"),
    ),
    ("item_no", ("序号", "编号", "问题编号", "任务编号")),
    ("campaign", ("整治项目", "项目名称", "整治项目名称")),
    ("compounds", ("小区", "小区名称", "涉及小区", "所属小区")),
    ("category", ("类别", "方面", "问题类型", "问题类别", "整治方面")),
    ("units", ("牵头单位", "责任单位", "牵头部门", "责任部门", "主责单位")),
    ("person", ("责任人", "联系人")),
    ("deadline", ("完成时限", "整改时限", "整改期限", "完成时间要求", "时限")),
    ("status", ("完成情况", "整改情况", "进度", "状态", "推进情况")),
    ("signed_off_answer", ("是否销号", "销号情况", "是否已销号")),
    ("done_on", ("完成日期", "整改日期", "整改完成日期", "实际完成日期")),
    ("signed_off_on", ("销号日期", "销号时间")),
)

RULES = Rules(
    required=("item", "compounds"),
    parsed={
        "done_on": NOT_A_DATE,
        "signed_off_on": NOT_A_DATE,
        "state": "“{header}”不是可识别的进度：“{value}”（应为未启动、推进中、已完成、已销号，或是/否）",
        "signed_off_flag": "“{header}”应为是或否：“{value}”",
    },
    problems=("deadline",),
)

COLUMNS = (
    Column("item_key", not_null=True, note="整治项目 | 小区 | 序号, else the item's text"),
    Column("item_no"),
    Column("item"),
    Column("campaign", note="as written; none: every campaign of its compounds"),
    Column("compounds", note="as written: 全部, or names separated by 、"),
    Column("compound_list", "varchar[]"),
    Column("category"),
    Column("units", "varchar[]", note="牵头单位/责任单位, each one"),
    Column("person", note="责任人 (personal data: masked in every output)"),
    Column("deadline_raw"),
    Column("deadline_date", "date", note="a 完成时限 given as a date"),
    Column("deadline_month", "integer", note="8月22日前: the month and day, the year is the campaign's"),
    Column("deadline_day", "integer"),
    Column("deadline_phase", note="第二阶段, 宣传发动阶段: that phase's end"),
    Column("state", note="not_started, in_progress, done, signed_off"),
    Column("done_on", "date"),
    Column("signed_off_on", "date", note="the 销号日期; the 完成日期 of a ledger without a sign-off step"),
    Column("has_signoff_step", "boolean", note="the ledger signs items off (销号); else 已完成 ends an item"),
)

# progress words, compared after removing spaces (longest match first); 是/否 under 是否销号
STATES = {
    "未启动": "not_started",
    "未开始": "not_started",
    "尚未启动": "not_started",
    "推进中": "in_progress",
    "整改中": "in_progress",
    "进行中": "in_progress",
    "正在整改": "in_progress",
    "正在推进": "in_progress",
    "未完成": "in_progress",
    "未整改": "in_progress",
    "未销号": "done",  # done, not yet signed off (a ledger that signs off)
    "已完成": "done",
    "已整改": "done",
    "完成": "done",
    "整改完成": "done",
    "已完成待销号": "done",
    "已销号": "signed_off",
    "销号": "signed_off",
    "已完成已销号": "signed_off",
}
SIGNOFF_ANSWERS = {
    "是": "signed_off",
    "已销号": "signed_off",
    "√": "signed_off",
    "否": "in_progress",
    "×": "in_progress",
}
_MONTH_DAY = re.compile(r"^(?:\d{4}年)?(\d{1,2})月(\d{1,2})[日号]?(?:前|之前|以前|止|底前)?$")
_MONTH_END = re.compile(r"^(\d{1,2})月(?:底|末)(?:前|之前)?$")
_PHASE = re.compile(r"阶段")


def read_deadline(text: str | None) -> dict:
    """A 完成时限 as written → its parts: (month, day) of the campaign's year, or a phase
    name; a full date is read by the date parser. A text that is none of them is a problem."""
    out = {"deadline_month": None, "deadline_day": None, "deadline_phase": None, PROBLEM + "deadline": None}
    word = compact(text)
    if word is None:
        return out
    found = _MONTH_DAY.match(word)
    if found and 1 <= int(found.group(1)) <= 12 and 1 <= int(found.group(2)) <= 31:
        out["deadline_month"], out["deadline_day"] = int(found.group(1)), int(found.group(2))
        return out
    found = _MONTH_END.match(word)
    if found and 1 <= int(found.group(1)) <= 12:
        out["deadline_month"], out["deadline_day"] = int(found.group(1)), 31  # clamped to the month's end
        return out
    if _PHASE.search(word):
        out["deadline_phase"] = re.sub(r"(结束)?(前|之前|以前|内|完成)$", "", word)
        return out
    out[PROBLEM + "deadline"] = "__date__"  # decided below: a full date, or a problem
    return out


def read_state(header: str | None, text: str | None) -> str | None:
    word = compact(text)
    if word is None:
        return None
    word = word.replace(" ", "")
    if header and "销号" in header and word in SIGNOFF_ANSWERS:
        return SIGNOFF_ANSWERS[word]
    return STATES.get(word)


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    """Cleaned strings → ledger items: units and compounds listed, the deadline read, the
    state mapped, whether the ledger signs its items off."""
    frame = keep_raw(frame, KIND.fields)
    frame = map_distinct(
        frame,
        ["deadline"],
        read_deadline,
        {
            "deadline_month": pl.Int32,
            "deadline_day": pl.Int32,
            "deadline_phase": pl.String,
            PROBLEM + "deadline": pl.String,
        },
    )
    header = context.headers.get("status")
    states = {v: read_state(header, v) for v in frame["status"].unique().to_list() if v is not None}
    answers = {
        v: {"signed_off": True, "in_progress": False}.get(SIGNOFF_ANSWERS.get((compact(v) or "").replace(" ", "")))
        for v in frame["signed_off_answer"].unique().to_list()
        if v is not None
    }
    frame = with_datetimes(
        frame,
        {"deadline_date": RAW + "deadline", "done_on": RAW + "done_on", "signed_off_on": RAW + "signed_off_on"},
        dates=True,
        date1904=context.date1904,
    )
    signs_off = (
        context.has("signed_off_on")
        or context.has("signed_off_answer")
        or bool(header and "销号" in header)
        or any(state == "signed_off" for state in states.values())
        or any("销号" in (v or "") for v in states)
    )
    frame = frame.with_columns(
        pl.col("status").replace_strict(states, default=None, return_dtype=pl.String).alias("state"),
        pl.col("status").alias(RAW + "state"),
        pl.col("signed_off_answer")
        .replace_strict(answers, default=None, return_dtype=pl.Boolean)
        .alias("signed_off_flag"),
        pl.col("signed_off_answer").alias(RAW + "signed_off_flag"),
        pl.col("deadline").alias("deadline_raw"),
        _split("compounds", r"[、，,;；/]+", spaces=False).alias("compound_list"),
        _split("units", r"[、，,;；/\s]+").alias("units"),
        pl.lit(signs_off).alias("has_signoff_step"),
    )
    frame = frame.with_columns(
        # a 完成时限 that is neither a day, a phase nor a date
        pl.when(pl.col(PROBLEM + "deadline") == "__date__")
        .then(
            pl.when(pl.col("deadline_date").is_null()).then(
                pl.format(
                    "“{}”不是可识别的完成时限：“{}”（应为日期、如“8月22日前”，或阶段名称）",
                    pl.lit(context.header("deadline")),
                    pl.col("deadline"),
                )
            )
        )
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias(PROBLEM + "deadline"),
        # a 销号日期 or 是否销号 是 means signed off; a 完成日期 under no progress word means done
        pl.when(pl.col("signed_off_on").is_not_null() | pl.col("signed_off_flag").fill_null(False))
        .then(pl.lit("signed_off"))
        .when(~pl.col("signed_off_flag").fill_null(True) & (pl.col("state") == "signed_off"))
        .then(pl.lit("done"))
        .when(pl.col("state").is_null() & pl.col("done_on").is_not_null())
        .then(pl.lit("done"))
        .otherwise(pl.col("state"))
        .alias("state"),
    )
    # a task list without a sign-off step: 已完成 ends an item, on its 完成日期
    ends = ~pl.col("has_signoff_step") & (pl.col("state") == "done")
    frame = frame.with_columns(
        pl.when(ends).then(pl.col("done_on")).otherwise(pl.col("signed_off_on")).alias("signed_off_on"),
        pl.when(ends).then(pl.lit("signed_off")).otherwise(pl.col("state")).alias("state"),
    )
    return frame.with_columns(
        pl.concat_str(
            [
                pl.col("campaign").fill_null(""),
                pl.col("compounds").fill_null(""),
                pl.coalesce(pl.col("item_no"), pl.col("item")).fill_null(""),
            ],
            separator="|",
        ).alias("item_key"),
    )


def _split(column: str, separators: str, spaces: bool = True) -> pl.Expr:
    """A list column from names separated by 、，, ; ；/ (and spaces for units): the rule of
    `target_syntax.split_compounds`, over the whole column at once (per row, a ledger of
    100,000 items took 2 s to split)."""
    text = pl.col(column) if spaces else pl.col(column).str.replace_all(" ", "")
    return (
        text.str.replace_all(separators, "、")
        .str.strip_chars("、")
        .str.split("、")
        .list.eval(pl.element().filter(pl.element() != ""))
    )


KIND = SourceKind(
    kind="ledger",
    label="整治台账",
    table="ledger_rows",
    headers=HEADERS,
    required_headers=(("item",), ("compounds",), ("units", "deadline", "status")),
    priority=2,
    columns=COLUMNS,
    normalise=normalise,
    rules=RULES,
    working=(Column("signed_off_flag", "boolean"),),
    key="item_key",
    id_field="item",
    conflict_fields=frozenset(
        {"item", "compounds", "units", "deadline", "status", "signed_off_answer", "done_on", "signed_off_on"}
    ),
    labels={"state": "完成情况", "signed_off_flag": "是否销号"},
)
