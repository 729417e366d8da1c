"""Identifiers: resident ID numbers (GB 11643) and record numbers (警情编号, 案件编号).

Resident IDs are checked with python-stdnum (`stdnum.cn.ric`: length, checksum, birth
date, birth place). Record numbers are never rejected for their length — only when Excel
has visibly turned them into a number and lost digits (`1.10101E+17`, `…0.0`, or a long
all-digit value whose digits past the 15th are zeros, which is what Excel keeps of a
number: 15 significant digits).
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

# How Excel destroys an identifier it took for a number, once: (pattern, reason). `{value}` is
# the value as written, `{masked}` the value with all but its first 6 and last 4 characters
# hidden. Used cell by cell for resident IDs and column by column for record numbers.
MANGLED = (
    (
        r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$",
        "编号被表格软件转成了科学计数法（{value}），末尾数字已丢失，无法恢复，请从原系统重新导出（编号列设为文本）",
    ),
    (
        r"^\d+\.\d+$",
        "编号被表格软件转成了小数（{value}），可能已丢失数字，无法恢复，请从原系统重新导出（编号列设为文本）",
    ),
    (
        # a long all-digit value whose digits past the 15th are zeros: what Excel keeps of a number
        r"^\d{15}0{3,}$",
        "编号{masked}第15位之后全为0，疑似被表格软件按数字保存而丢失了末尾数字，无法恢复，请从原系统重新导出（编号列设为文本）",
    ),
)
_MANGLED = tuple((re.compile(pattern), reason) for pattern, reason in MANGLED)
_SCIENTIFIC_RE, _FLOAT_TEXT_RE = _MANGLED[0][0], _MANGLED[1][0]
# GB/T 2260 province-level codes (first two digits of a resident ID)
_PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


def excel_mangled_reason(value: str) -> str | None:
    """Why an identifier has lost digits in Excel, or None if it looks intact."""
    for pattern, reason in _MANGLED:
        if pattern.match(value):
            return reason.format(value=value, masked=mask_digits(value))
    return None


def mask_digits(value: str) -> str:
    """For messages about identifiers: keep the first 6 and last 4 characters."""
    if len(value) <= 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def resident_id_problem(value: str, today: dt.date | None = None) -> str | None:
    """Why an 18-character resident ID number cannot be accepted, or None when it is valid.

    15-digit first-generation numbers are flagged, not converted (converting would invent a
    century and a checksum)."""
    number = value.replace(" ", "").upper()
    if _SCIENTIFIC_RE.match(number) or _FLOAT_TEXT_RE.match(number):
        return excel_mangled_reason(number)
    if re.fullmatch(r"\d{15}", number):
        return "15位旧身份证号码，不自动升位，请核实后登记18位号码"
    if len(number) != 18:
        return f"身份证号码应为18位，实际为{len(number)}位"
    # The contract asks for format, checksum and a plausible birth date. stdnum's full
    # `validate` also checks the birth place against the code list of the birth year, which
    # rejects real people registered after a county was renamed: not used.
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return "身份证号码前17位应为数字，末位为数字或X"
    if number[:2] not in _PROVINCE_CODES:
        return f"身份证号码的地区码无效（{number[:2]}）"
    if ric.calc_check_digit(number) != number[-1]:
        # a valid number may end in 000; an invalid one that does was most likely cut by Excel
        return excel_mangled_reason(number) or "身份证号码校验位错误（最后一位校验码不符）"
    try:
        birth = ric.get_birth_date(number)
    except ValidationError:
        return "身份证号码中的出生日期无效"
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        return f"身份证号码中的出生日期不合理（{birth.isoformat()}）"
    return None


def check_digit(first17: str) -> str:
    """GB 11643 check character for 17 digits (used by the fixture generator)."""
    return ric.calc_check_digit(first17 + "0")


def mangled_reason_expr(column: str):
    """`excel_mangled_reason` over a column of record numbers (polars): the same rules."""
    import polars as pl

    value = pl.col(column)
    length = value.str.len_chars()
    masked = (
        pl.when(length > 10)
        .then(
            pl.concat_str(
                [value.str.slice(0, 6), value.str.slice(6, length - 10).str.replace_all(".", "*"), value.str.slice(-4)]
            )
        )
        .otherwise(value)
    )
    expression = pl.lit(None, dtype=pl.String)
    for pattern, reason in reversed(MANGLED):
        pieces = reason.replace("{value}", "\0").replace("{masked}", "\1").split("\0")
        parts: list = []
        for index, piece in enumerate(pieces):
            if index:
                parts.append(value)
            for sub_index, sub in enumerate(piece.split("\1")):
                if sub_index:
                    parts.append(masked)
                if sub:
                    parts.append(pl.lit(sub))
        expression = pl.when(value.str.contains(pattern)).then(pl.concat_str(parts)).otherwise(expression)
    return expression
