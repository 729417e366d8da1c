"""The 五有 checklist (seed 003): per compound and check date, whether each of the five is
achieved — 是/否, √/×, or the date it was achieved on. A compound meets the 五有 when all
five are achieved on or before the evaluation date, by its latest check on or before it.
"""

from __future__ import annotations

import polars as pl

from zhian.pipeline.sources.common import NOT_A_DATE, keep_raw
from zhian.pipeline.sources.kind import RAW, Column, Rules, SheetContext, SourceKind, aliases
from zhian.pipeline.values.dates import parse_datetime, with_datetimes
from zhian.pipeline.values.text import compact
from zhian.pipeline.values.vocab import BOOLEAN_WORDS

# the five, in the order seed 003 names them: (field, header, what a leader reads)
FIVE = (
    ("owners_body", ("有业主自治组织", "业主自治组织", "有业委会"), "有业主自治组织"),
    ("security", ("有安全防护设施", "安全防护设施"), "有安全防护设施"),
    ("property", ("有基本物业服务", "基本物业服务", "有物业服务"), "有基本物业服务"),
    ("environment", ("有干净整洁环境", "干净整洁环境"), "有干净整洁环境"),
    ("mechanism", ("有长效管理机制", "长效管理机制"), "有长效管理机制"),
)
NAMES = {field: name for field, _, name in FIVE}

HEADERS = aliases(
    ("compound", ("小区", "小区名称")),
    ("checked_on", ("核验日期", "检查日期", "验收日期", "日期", "核查日期")),
    *((field, headers) for field, headers, _ in FIVE),
)

RULES = Rules(
    required=("compound",),
    parsed={
        "checked_on": NOT_A_DATE,
        **{f"{field}_on": "“{header}”应为是/否、√/×或做到的日期：“{value}”" for field, _, _ in FIVE},
    },
)

COLUMNS = (
    Column("check_key", not_null=True, note="小区 | 核验日期"),
    Column("compound"),
    Column("checked_on", "date", note="核验日期; none: the export's date"),
    *(
        Column(f"{field}_on", "date", note=f"{name}: the day achieved (是/√: the check's date); none: not")
        for field, _, name in FIVE
    ),
)


def _achieved(text: str | None) -> dict:
    """是/√ → achieved (on the check's date); 否/× → not; a date → achieved on it."""
    word = compact(text)
    out = {"yes": None, "on": None, "known": word is None}
    if word is None:
        return out
    answer = BOOLEAN_WORDS.get(word.lower())
    if answer is not None:
        return {"yes": answer, "on": None, "known": True}
    when = parse_datetime(word)
    if when is not None:
        return {"yes": True, "on": when.date(), "known": True}
    return out


def normalise(frame: pl.DataFrame, context: SheetContext) -> pl.DataFrame:
    frame = keep_raw(frame, KIND.fields)
    frame = with_datetimes(frame, {"checked_on": RAW + "checked_on"}, dates=True, date1904=context.date1904)
    frame = frame.with_columns(  # no 核验日期: the export's date
        pl.when(pl.col(RAW + "checked_on").is_null())
        .then(pl.lit(context.export_at.date()))
        .otherwise(pl.col("checked_on"))
        .alias("checked_on")
    )
    columns = []
    for field, _, _ in FIVE:
        values = {v: _achieved(v) for v in frame[field].unique().to_list() if v is not None}
        yes = {k: v["yes"] for k, v in values.items()}
        on = {k: v["on"] for k, v in values.items()}
        known = [k for k, v in values.items() if v["known"]]
        columns += [
            pl.when(pl.col(field).replace_strict(yes, default=None, return_dtype=pl.Boolean))
            .then(pl.coalesce(pl.col(field).replace_strict(on, default=None, return_dtype=pl.Date), "checked_on"))
            .alias(f"{field}_on"),
            # 否 is an answer (not achieved: no date); a text that is no answer keeps its raw
            # text and no date, which the parsed rule rejects
            pl.when(pl.col(field).is_in(known)).then(pl.lit(None, dtype=pl.String)).otherwise(pl.col(field))
            .alias(RAW + f"{field}_on"),
        ]  # fmt: skip
    frame = frame.with_columns(columns)
    return frame.with_columns(
        pl.concat_str([pl.col("compound"), pl.col("checked_on").cast(pl.String)], separator="|").alias("check_key"),
    )


KIND = SourceKind(
    kind="five_haves",
    label="五有核验",
    table="five_haves",
    headers=HEADERS,
    required_headers=(("compound",), ("owners_body",), ("security",), ("property",)),
    priority=2,
    columns=COLUMNS,
    normalise=normalise,
    rules=RULES,
    key="check_key",
    labels={f"{field}_on": name for field, _, name in FIVE},
)
