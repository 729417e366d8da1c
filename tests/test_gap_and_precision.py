"""How far from the target, and never a missed value shown as the threshold: the gap in the
unit a leader acts on ("还差 6 起", "还需破案 2 起"), computed exactly from the counts, and
rates shown with the precision their target needs — in the dashboard, the report and the
terminal alike (pipeline/outputs/wording.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.conftest import seed
from zhian.dashboards.build import render
from zhian.pipeline.metrics.evaluate import evaluate
from zhian.pipeline.outputs import wording
from zhian.pipeline.outputs.report import build_workbook

D, T = dt.date, dt.datetime


def _rate(numerator, denominator, target=98, op=">=", metric="criminal_clearance_rate", status="missed"):
    return {
        "kind": "rate",
        "metric": metric,
        "status": status,
        "actual": numerator / denominator,
        "numerator": numerator,
        "denominator": denominator,
        "target_op": op,
        "target_percent": Decimal(target),
        "baseline": None,
    }


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown"),
    [
        (1347, 1376, "97.9%"),  # 97.89 %: "98%" would read as met
        (1348, 1376, "97.97%"),  # 97.965 %: "98%" and "98.0%" would both read as met
        (1349, 1376, "98%"),  # 98.04 %: met, and shown so
        (1355, 1376, "98%"),
        (49, 50, "98%"),  # exactly the threshold: met
        (979, 1000, "97.9%"),
    ],
)
def test_a_rate_never_reads_as_meeting_a_threshold_it_misses(numerator, denominator, shown):
    row = _rate(numerator, denominator)
    assert wording.rate_percent(row) == shown
    meets = numerator * 100 >= 98 * denominator
    assert (Decimal(shown.rstrip("%")) >= 98) == meets


@pytest.mark.parametrize(
    ("row", "gap"),
    [
        (_rate(1347, 1376), "还需破案 2 起"),  # 2 more solved: 1,349 × 100 ≥ 98 × 1,376
        (_rate(6, 10, 70, metric="public_order_closure_rate"), "还需结案 1 起"),
        (_rate(1, 10, 90, metric="vice_punishment_rate"), "还需处罚 8 起"),
        (_rate(90, 100, 98, metric="population_registration_rate"), "还需登记 8 人"),
        (_rate(7, 10, 70, op=">", metric="theft_clearance_rate"), "还需破案 1 起"),  # strictly above
        (_rate(7, 10, 70, status="met"), None),
    ],
)
def test_the_gap_of_a_rate_is_the_records_still_to_be_done(row, gap):
    assert wording.gap_text(row) == gap


def _count(actual, baseline, target=-20, op="<=", status="missed"):
    return {
        "kind": "count_change",
        "metric": "alarm_calls_yoy",
        "status": status,
        "actual": float(actual),
        "baseline": float(baseline),
        "target_op": op,
        "target_percent": Decimal(target),
        "numerator": None,
        "denominator": None,
    }


@pytest.mark.parametrize(
    ("row", "gap"),
    [
        (_count(30, 30), "还差 6 起"),  # 下降20% of 30 allows 24
        (_count(25, 30), "还差 1 起"),
        (_count(24, 30, status="met"), None),
        (_count(9, 10, op="<"), "还差 2 起"),  # strictly under 8: 7 at most
        (_count(3, 0), "还差 3 起"),  # 同期为0: any occurrence is over a decrease target
    ],
)
def test_the_gap_of_a_count_change_is_the_alerts_over_what_the_target_allows(row, gap):
    assert wording.gap_text(row) == gap


def test_the_dashboard_and_the_report_show_the_gap_and_the_precise_rate(fresh_db):
    window = (D(2022, 3, 1), D(2022, 5, 31))
    cases = [
        {
            "compound": "A",
            "case_kind": "criminal",
            "event_at": T(2022, 3, 1 + i % 28, 9),
            "status": "solved" if i < 1347 else "filed",
            **({"solved_at": T(2022, 4, 1, 9)} if i < 1347 else {}),
        }
        for i in range(1376)
    ]
    seed(fresh_db, compounds=["A"], cases=cases, targets=[("整治", "A", *window, "criminal_clearance_rate", ">=", 98)])
    evaluation = evaluate(fresh_db, D(2022, 6, 30))
    page = render(fresh_db, evaluation)
    assert "97.9%" in page and "还需破案 2 起" in page
    assert ">98%<" not in page.replace(" ", "")
    sheet = build_workbook(fresh_db, evaluation)["指标明细"]
    header = [c.value for c in sheet[2]]
    row = {h: sheet.cell(3, i + 1) for i, h in enumerate(header)}
    assert "还需破案 2 起" in row["说明"].value
    # the rate shown to one decimal (97.9%), never to none (98%); the gap a number in its unit
    assert row["本期值"].value == pytest.approx(1347 / 1376) and row["本期值"].number_format == "0.0%"
    assert row["差距"].value == 2 and row["差距"].number_format == '"还需破案"0"起"'
