"""Property-based tests (hypothesis) of everything that reads user text: cell cleaning, dates,
ID numbers, target syntax, addresses and attribution, masking. Whatever the text, they return
a value or their documented rejection — never an exception — and the vectorised forms agree
with the scalar ones."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhian.pipeline.ingest.attribute import Registry, normalise_address, parse_address
from zhian.pipeline.masking import mask_text
from zhian.pipeline.metrics.catalogue import CATALOGUE
from zhian.pipeline.metrics.target_syntax import Target, TargetError, parse_target
from zhian.pipeline.values.dates import MAX_DATE, MIN_DATE, parse_datetime, parse_datetime_series
from zhian.pipeline.values.idnumbers import (
    check_digit,
    excel_mangled_reason,
    mangled_reason_expr,
    resident_id_problem,
)
from zhian.pipeline.values.text import ZERO_WIDTH, clean, clean_frame

PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

# text as exports carry it: CJK, digits in both widths, the punctuation of dates, addresses
# and targets, whitespace of every kind, zero-width characters — and anything else
EXPORT_ALPHABET = st.sampled_from(
    list("0123456789０１２３４５６７８９年月日时点分秒号附之弄路街巷道-－/.:：、，,;；()（）%≥≤<>=*Xx TtAPM")
    + list("凤仙路滨湖公寓花园小区栋单元室下降上升达到不少于超过发生杜绝起件")
    + ["\u3000", "\n", "\t", "\r", *ZERO_WIDTH]
)
EXPORT_TEXT = st.one_of(st.text(EXPORT_ALPHABET, max_size=40), st.text(max_size=40))


@PROPERTY
@given(EXPORT_TEXT)
def test_clean_is_trimmed_idempotent_and_free_of_zero_width_characters(text):
    cleaned = clean(text)
    if cleaned is None:
        return
    assert cleaned == cleaned.strip() and cleaned
    assert not any(ch in cleaned for ch in ZERO_WIDTH)
    assert clean(cleaned) == cleaned


@PROPERTY
@given(st.lists(EXPORT_TEXT, max_size=20))
def test_clean_frame_over_a_column_equals_clean_of_each_value(values):
    # what the ingest runs on every sheet (pipeline/ingest/extract.py) against the scalar rule;
    # found U+001C–001F taken as text by clean_frame (issue #13)
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    assert clean_frame(frame, ["v"])["v"].to_list() == [clean(v) for v in values]


@PROPERTY
@given(EXPORT_TEXT)
def test_parse_datetime_returns_none_or_a_plausible_datetime(text):
    value = parse_datetime(text)
    assert value is None or MIN_DATE <= value <= MAX_DATE


@settings(PROPERTY, max_examples=25)  # a column parse costs ~0.5 s whatever its length: longer lists, fewer calls
@given(st.lists(EXPORT_TEXT, max_size=80))
def test_the_fast_column_parse_equals_the_scalar_parse(values):
    series = parse_datetime_series(pl.Series("v", values, dtype=pl.String))
    assert series.to_list() == [parse_datetime(v) for v in values]


SPELLINGS = (
    "{:%Y-%m-%d %H:%M:%S}",
    "{:%Y/%m/%d %H:%M}",
    "{0.year}/{0.month}/{0.day} {0.hour}:{0.minute:02d}",
    "{0.year}年{0.month}月{0.day}日 {0.hour}时{0.minute}分",
    "{0.year}年{0.month}月{0.day}日{0.hour}点{0.minute}分",
    "{:%Y%m%d%H%M%S}",
    "{:%Y%m%d%H%M}",
    "{:%Y-%m-%dT%H:%M:%S}",
)


@PROPERTY
@given(
    st.datetimes(min_value=MIN_DATE, max_value=dt.datetime(2099, 12, 31)).map(
        lambda d: d.replace(second=0, microsecond=0)
    ),
    st.sampled_from(SPELLINGS),
)
def test_every_documented_spelling_of_a_time_parses_to_it(moment, spelling):
    assert parse_datetime(spelling.format(moment)) == moment


@PROPERTY
@given(st.one_of(EXPORT_TEXT, st.text(st.sampled_from("0123456789Xx .eE+-"), max_size=25)))
def test_id_checks_return_a_reason_or_none(text):
    for reason in (resident_id_problem(text), excel_mangled_reason(text)):
        assert reason is None or (isinstance(reason, str) and reason)


@PROPERTY
@given(st.lists(st.one_of(EXPORT_TEXT, st.text(st.sampled_from("0123456789.eE+-"), min_size=1, max_size=25))))
def test_record_numbers_and_resident_ids_share_one_rule_for_excel_mangled_numbers(values):
    # alert and case numbers are checked column by column, resident IDs one by one: the same
    # rules, the same reasons (issue #13)
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String}).with_columns(mangled_reason_expr("v").alias("r"))
    assert frame["r"].to_list() == [excel_mangled_reason(v) for v in values]


PROVINCES = ["11", "12", "31", "44", "50", "51", "65"]


@st.composite
def resident_ids(draw) -> str:
    birth = draw(st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 12, 31)))
    first17 = (
        draw(st.sampled_from(PROVINCES))
        + draw(st.text("0123456789", min_size=4, max_size=4))
        + f"{birth:%Y%m%d}"
        + draw(st.text("0123456789", min_size=3, max_size=3))
    )
    return first17 + check_digit(first17)


@PROPERTY
@given(resident_ids())
def test_every_valid_resident_id_is_accepted(number):
    assert resident_id_problem(number, today=dt.date(2026, 1, 1)) is None


@PROPERTY
@given(resident_ids(), st.integers(0, 16), st.sampled_from("0123456789"))
def test_a_changed_digit_is_always_caught(number, position, digit):
    changed = number[:position] + digit + number[position + 1 :]
    if changed != number:
        assert resident_id_problem(changed, today=dt.date(2026, 1, 1)) is not None


@PROPERTY
@given(EXPORT_TEXT, st.sampled_from(CATALOGUE))
def test_parse_target_returns_a_target_or_raises_target_error_only(text, metric):
    try:
        target = parse_target(text, metric)
    except TargetError as error:
        assert str(error)
        return
    assert isinstance(target, Target) and target.op in ("=", "<", "<=", ">", ">=")


@PROPERTY
@given(EXPORT_TEXT)
def test_address_parsing_gives_readings_or_a_problem(text):
    normalise_address(text)
    parsed = parse_address(text)
    assert (parsed.problem is None) == bool(parsed.readings)
    assert all(reading for reading in parsed.readings)


REGISTRY = Registry.build(
    [("花园小区", "凤仙花园"), ("滨湖公寓", None), ("凤仙路小区", None)],
    [("花园小区", "凤仙路457号附1号"), ("花园小区", "凤仙路459-461号"), ("滨湖公寓", "滨湖路1546号")],
)


@PROPERTY
@given(st.one_of(st.none(), EXPORT_TEXT), st.one_of(st.none(), EXPORT_TEXT))
def test_attribution_names_a_registered_compound_or_says_why_not(hint, address):
    result = REGISTRY.attribute(hint, address)
    if result.compound is None:
        assert result.method is None
    else:
        assert result.compound in {"花园小区", "滨湖公寓", "凤仙路小区"} and result.method


@PROPERTY
@given(EXPORT_TEXT, resident_ids(), st.from_regex(r"1[3-9]\d{9}", fullmatch=True), EXPORT_TEXT)
def test_mask_text_leaves_no_id_or_mobile_number_in_free_text(before, number, phone, after):
    # a letter or digit glued to a number makes it another token; separate them as text does
    text = f"{before} {number}，电话{phone} {after}"
    masked = mask_text(text)
    assert number not in masked and phone not in masked
    assert re.sub(r"[^0-9]", "", masked).count(number[:6]) >= 1  # the masked form is still there
