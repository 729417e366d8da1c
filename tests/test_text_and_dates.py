"""Cell text and date spellings of the data contract."""

import datetime as dt

import polars as pl
import pytest

from zhian.pipeline.values.dates import looks_like_twelve_hour_clock, parse_datetime
from zhian.pipeline.values.text import clean, header_key, split_code_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  凤仙路４５７号  ", "凤仙路457号"),  # full-width digits, outer spaces
        ("ＡＢ１２", "AB12"),  # full-width letters
        ("张\u200b三", "张三"),  # zero-width space
        ("凤仙路\n457号", "凤仙路 457号"),  # line break inside a cell
        ("a\u3000b", "a b"),  # full-width space
        ("   ", None),
        (None, None),
    ],
)
def test_clean_normalises_width_spaces_and_zero_width(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("警情编号*", "警情编号"),
        ("报警时间：", "报警时间"),
        ("受害人是否\n财会人员", "受害人是否财会人员"),
        ("现住门（楼）详址", "现住门(楼)详址"),
        (" 案件 编号 ", "案件编号"),
    ],
)
def test_header_key_strips_markers_spaces_and_unifies_brackets(raw, expected):
    assert header_key(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0202-已立案", ("0202", "已立案")),
        ("440100-广州市公安局", ("440100", "广州市公安局")),
        ("已立案", (None, "已立案")),
        ("0108", ("0108", None)),
    ],
)
def test_split_code_name_keeps_code_and_name(raw, expected):
    assert split_code_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022-07-01 08:30:00", dt.datetime(2022, 7, 1, 8, 30)),
        ("2022/7/1 8:30", dt.datetime(2022, 7, 1, 8, 30)),
        ("2022.07.01", dt.datetime(2022, 7, 1)),
        ("2022年7月1日 8时30分", dt.datetime(2022, 7, 1, 8, 30)),
        ("2022年7月1日8点30分15秒", dt.datetime(2022, 7, 1, 8, 30, 15)),
        ("2022年7月2日 9时", dt.datetime(2022, 7, 2, 9)),
        ("2022年07月01日", dt.datetime(2022, 7, 1)),
        ("20220701083000", dt.datetime(2022, 7, 1, 8, 30)),
        ("202207010830", dt.datetime(2022, 7, 1, 8, 30)),
        ("20220701", dt.datetime(2022, 7, 1)),
        ("44743.375", dt.datetime(2022, 7, 1, 9)),  # Excel serial as text
        ("44743", dt.datetime(2022, 7, 1)),
        ("2023-05-01 10:00:00.000000", dt.datetime(2023, 5, 1, 10)),
        ("2020/1/19 14:35:21", dt.datetime(2020, 1, 19, 14, 35, 21)),
        ("2022-07-01T08:30:00", dt.datetime(2022, 7, 1, 8, 30)),
        ("２０２２－０７－０１", None),  # not cleaned yet: the caller cleans first
    ],
)
def test_parse_datetime_accepts_every_contract_spelling(raw, expected):
    assert parse_datetime(raw) == expected


def test_parse_datetime_after_clean_accepts_full_width():
    assert parse_datetime(clean("２０２２－０７－０１")) == dt.datetime(2022, 7, 1)


@pytest.mark.parametrize("raw", ["2022-02-30", "2022-13-01", "abc", "1899-12-31", "0", "", "2101-01-01"])
def test_parse_datetime_rejects_impossible_or_implausible_dates(raw):
    assert parse_datetime(raw) is None


def test_february_29_parses_only_in_leap_years():
    assert parse_datetime("2024-02-29") == dt.datetime(2024, 2, 29)
    assert parse_datetime("2022-02-29") is None


def test_twelve_hour_clock_is_suspected_only_with_many_rows_and_no_afternoon():
    morning = pl.Series([h % 12 + 1 for h in range(300)])
    assert looks_like_twelve_hour_clock(morning)
    assert not looks_like_twelve_hour_clock(pl.Series([h % 24 for h in range(300)]))
    assert not looks_like_twelve_hour_clock(pl.Series([1, 2, 3]))
