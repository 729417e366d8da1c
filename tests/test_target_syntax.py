"""Every spelling of the 目标 column (data contract: Campaign targets)."""

from decimal import Decimal

import pytest

from zhian.pipeline.metrics import catalogue
from zhian.pipeline.metrics.target_syntax import TargetError, parse_target, split_compounds

YOY = catalogue.BY_CODE["alarm_calls_yoy"]
RATE = catalogue.BY_CODE["criminal_clearance_rate"]
ZERO = catalogue.BY_CODE["major_fire_incidents"]


@pytest.mark.parametrize(
    ("text", "op", "value"),
    [
        ("下降20%", "<=", -20),
        ("同比下降≥20%", "<=", -20),
        ("下降不少于20%", "<=", -20),
        ("下降20%以上", "<=", -20),
        ("下降不超过20%", ">=", -20),
        ("上升10%", ">=", 10),
        ("下降２０％", "<=", -20),
    ],
)
def test_count_change_targets(text, op, value):
    target = parse_target(text, YOY)
    assert (target.op, target.value) == (op, Decimal(value))


@pytest.mark.parametrize(
    ("text", "op", "value"),
    [
        ("≥70%", ">=", 70),
        ("达70%", ">=", 70),
        ("70%", ">=", 70),
        ("达到98%以上", ">=", 98),
        ("不低于70%", ">=", 70),
        ("≤3%", "<=", 3),
        ("<3%", "<", 3),
        ("＜3%", "<", 3),
        (">50%", ">", 50),
        ("＞50%", ">", 50),
        ("=100%", "=", 100),
        ("覆盖率100%", ">=", 100),
        ("0.7", ">=", 70),
        ("达97.5%", ">=", Decimal("97.5")),
    ],
)
def test_rate_targets(text, op, value):
    target = parse_target(text, RATE)
    assert (target.op, target.value) == (op, Decimal(value))


@pytest.mark.parametrize(
    ("text", "op", "value"),
    [
        ("不发生", "=", 0),
        ("=0", "=", 0),
        ("0", "=", 0),
        ("≤2", "<=", 2),
        ("不超过2起", "<=", 2),
    ],
)
def test_zero_count_targets(text, op, value):
    target = parse_target(text, ZERO)
    assert (target.op, target.value) == (op, Decimal(value))


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("明显好转", YOY),
        ("20%", YOY),
        ("下降20", YOY),
        ("下降20%", RATE),
        ("150%", RATE),
        ("", RATE),
        ("≥95%", ZERO),
        ("≥2", ZERO),
    ],
)
def test_unparsable_targets_raise_with_chinese_reason(text, metric):
    with pytest.raises(TargetError):
        parse_target(text, metric)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("报警类110警情同比", "alarm_calls_yoy"),
        ("报警类110同比", "alarm_calls_yoy"),
        ("alarm_calls_yoy", "alarm_calls_yoy"),
        ("刑事案件破案率", "criminal_clearance_rate"),
        ("实有人口采集登记率", "population_registration_rate"),
        ("电网诈案件破案率", "telecom_fraud_clearance_rate"),
        ("不存在的指标", None),
    ],
)
def test_metric_names_codes_and_aliases(name, code):
    found = catalogue.find(name)
    assert (found.code if found else None) == code


def test_catalogue_has_nineteen_police_metrics_of_four_kinds_and_six_ledger_metrics():
    kinds = {"count_change", "rate", "zero_count", "stock_rate"}
    assert len([m for m in catalogue.CATALOGUE if m.kind in kinds]) == 19
    ledgers = [m.code for m in catalogue.CATALOGUE if m.kind in ("ledger_rate", "ledger_count")]
    assert ledgers == ["ledger_signoff_rate", "overdue_items", "cctv_coverage_rate", "lighting_ok_rate",
                       "five_haves_met", "satisfaction_rate"]  # fmt: skip
    assert len(catalogue.CATALOGUE) == 25


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("全部", ["全部"]),
        ("滨湖公寓、和福小区", ["滨湖公寓", "和福小区"]),
        ("A，B,C", ["A", "B", "C"]),
    ],
)
def test_compound_lists(raw, expected):
    assert split_compounds(raw) == expected
