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

_SCIENTIFIC_RE = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_FLOAT_TEXT_RE = re.compile(r"^\d+\.\d+$")
_LONG_DIGITS_RE = re.compile(r"^\d{18,}$")
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
    if _SCIENTIFIC_RE.match(value):
        return f"编号被Excel转成了科学计数法（{value}），末尾数字已丢失，无法恢复，请从原系统重新导出（编号列设为文本）"
    if _FLOAT_TEXT_RE.match(value):
        return f"编号被Excel转成了小数（{value}），可能已丢失数字，无法恢复，请从原系统重新导出（编号列设为文本）"
    if _LONG_DIGITS_RE.match(value) and set(value[15:]) == {"0"}:
        return (
            f"编号{mask_digits(value)}第15位之后全为0，疑似被Excel按数字保存而丢失了末尾数字，"
            "无法恢复，请从原系统重新导出（编号列设为文本）"
        )
    return None


def mask_digits(value: str) -> str:
    """For messages about identifiers: keep the first 6 and last 4 characters."""
    if len(value) <= 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def normalise_record_id(value: str | None) -> str | None:
    """An alert or case number as stored: no spaces, letters upper-case."""
    if value is None:
        return None
    return value.replace(" ", "").upper() or None


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
        return excel_mangled_reason(number) or "身份证号码校验位错误（GB 11643）"
    try:
        birth = ric.get_birth_date(number)
    except ValidationError:
        return "身份证号码中的出生日期无效"
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        return f"身份证号码中的出生日期不合理（{birth.isoformat()}）"
    return None


def normalise_resident_id(value: str | None) -> str | None:
    if value is None:
        return None
    return value.replace(" ", "").upper() or None


def check_digit(first17: str) -> str:
    """GB 11643 check character for 17 digits (used by the fixture generator)."""
    return ric.calc_check_digit(first17 + "0")


def mangled_reason_expr(column: str):
    """`excel_mangled_reason`, vectorised over a column of record numbers (polars)."""
    import polars as pl

    value = pl.col(column)
    return (
        pl.when(value.str.contains(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$"))
        .then(
            pl.format(
                "编号被Excel转成了科学计数法（{}），末尾数字已丢失，无法恢复，请从原系统重新导出（编号列设为文本）",
                value,
            )
        )
        .when(value.str.contains(r"^\d+\.\d+$"))
        .then(
            pl.format(
                "编号被Excel转成了小数（{}），可能已丢失数字，无法恢复，请从原系统重新导出（编号列设为文本）", value
            )
        )
        .when(value.str.contains(r"^\d{15}0{3,}$"))
        .then(
            pl.format(
                "编号{}第15位之后全为0，疑似被Excel按数字保存而丢失了末尾数字，无法恢复，请从原系统重新导出（编号列设为文本）",
                pl.concat_str([value.str.slice(0, 6), pl.lit("****"), value.str.slice(-4)]),
            )
        )
        .otherwise(None)
    )
