"""Rates (cohort by default, period as the option): exact statuses on hand-computed data."""

import datetime as dt

import pytest

from tests.conftest import result, seed

D = dt.date
T = dt.datetime
WINDOW = (D(2022, 7, 1), D(2022, 9, 30))


JULY_5 = D(2022, 7, 5)


def _case(day=JULY_5, solved=None, status="filed", compound="A", **extra):
    return {
        "compound": compound,
        "case_kind": "criminal",
        "event_at": T.combine(day, dt.time(9)),
        "status": status,
        "solved_at": T.combine(solved, dt.time(12)) if solved else None,
        **extra,
    }


def _target(metric="criminal_clearance_rate", op=">=", value=70, window=WINDOW):
    return ("整治", "A", *window, metric, op, value)


def test_seven_of_ten_meets_seventy_percent(fresh_db):
    cases = [_case(solved=D(2022, 8, 1), status="solved")] * 7 + [_case()] * 3
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_target()])
    row = result(fresh_db, D(2022, 10, 31))
    assert (row["numerator"], row["denominator"], row["actual"], row["status"]) == (7, 10, 0.7, "met")


def test_sixty_nine_of_hundred_misses_seventy_percent(fresh_db):
    cases = [_case(solved=D(2022, 8, 1), status="solved")] * 69 + [_case()] * 31
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_target()])
    assert result(fresh_db, D(2022, 10, 31))["status"] == "missed"


def test_boundary_with_a_fractional_target(fresh_db):
    # 39 / 40 = 97.5 %: exactly at a 97.5 % target
    cases = [_case(solved=D(2022, 8, 1), status="solved")] * 39 + [_case()]
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_target(value=97.5)])
    assert result(fresh_db, D(2022, 10, 31))["status"] == "met"


def test_no_cases_is_no_data_neither_met_nor_missed(fresh_db):
    seed(fresh_db, compounds=["A"], targets=[_target()])
    row = result(fresh_db, D(2022, 10, 31))
    assert (row["status"], row["actual"], row["denominator"]) == ("no_data", None, 0)


def test_withdrawn_and_merged_cases_leave_numerator_and_denominator(fresh_db):
    cases = [
        _case(solved=D(2022, 8, 1), status="solved"),
        _case(),
        _case(status="withdrawn"),
        _case(status="merged", solved=D(2022, 8, 1)),
    ]
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_target(value=50)])
    row = result(fresh_db, D(2022, 10, 31))
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_solved_after_as_of_does_not_count_yet(fresh_db):
    cases = [_case(solved=D(2022, 9, 3), status="solved")]
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_target()])
    assert result(fresh_db, D(2022, 8, 31))["numerator"] == 0
    assert result(fresh_db, D(2022, 9, 30))["numerator"] == 1


def test_solved_by_date_even_when_the_status_still_says_filed(fresh_db):
    seed(fresh_db, compounds=["A"], cases=[_case(solved=D(2022, 7, 20), status="filed")], targets=[_target()])
    assert result(fresh_db, D(2022, 8, 31))["numerator"] == 1


def test_solved_by_status_without_a_date(fresh_db):
    seed(fresh_db, compounds=["A"], cases=[_case(status="solved")], targets=[_target()])
    assert result(fresh_db, D(2022, 8, 31))["numerator"] == 1


def test_solved_flag_without_status_or_date(fresh_db):
    seed(fresh_db, compounds=["A"], cases=[_case(status="filed", is_solved_flag=True)], targets=[_target()])
    assert result(fresh_db, D(2022, 8, 31))["numerator"] == 1


def test_running_window_uses_the_to_date_rate_for_pace(fresh_db):
    cases = [
        _case(D(2022, 7, 5), solved=D(2022, 7, 10), status="solved"),
        _case(D(2022, 7, 6)),
        _case(D(2022, 8, 20), solved=D(2022, 8, 25), status="solved"),
    ]
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_target(value=50)])
    row = result(fresh_db, D(2022, 7, 31))  # the August case is not in the cohort yet
    assert (row["numerator"], row["denominator"], row["status"], row["projected"]) == (1, 2, "on_track", 0.5)
    assert result(fresh_db, D(2022, 7, 7))["status"] == "at_risk"  # 0 of 2 so far


def test_period_definition_counts_older_cases_solved_in_the_window(fresh_db):
    cases = [_case(D(2022, 5, 1), solved=D(2022, 7, 20), status="solved"), _case(D(2022, 7, 5))]
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_target(value=100)])
    cohort = result(fresh_db, D(2022, 10, 31))
    period = result(fresh_db, D(2022, 10, 31), rate_definition="period")
    assert (cohort["numerator"], cohort["denominator"]) == (0, 1)
    assert (period["numerator"], period["denominator"], period["status"]) == (1, 1, "met")
    assert period["rate_definition"] == "period"


def test_rate_definitions_are_never_mixed_in_one_evaluation(fresh_db):
    from zhian.pipeline.metrics.evaluate import evaluate

    seed(fresh_db, compounds=["A"], cases=[_case()], targets=[_target(), _target(metric="theft_clearance_rate")])
    assert set(evaluate(fresh_db, D(2022, 10, 31), "period").results["rate_definition"]) == {"period"}
    with pytest.raises(ValueError):
        evaluate(fresh_db, D(2022, 10, 31), "mixed")


@pytest.mark.parametrize(
    ("metric", "offences", "expected"),
    [
        ("theft_clearance_rate", ["盗窃", "抢劫"], 1),
        ("telecom_fraud_clearance_rate", ["电信网络诈骗", "诈骗"], 1),
        ("fraud_clearance_rate", ["电信网络诈骗", "诈骗", "盗窃"], 2),
    ],
)
def test_clearance_rates_count_their_offences(fresh_db, metric, offences, expected):
    seed(fresh_db, compounds=["A"], cases=[_case(offence=o) for o in offences], targets=[_target(metric=metric)])
    assert result(fresh_db, D(2022, 10, 31))["denominator"] == expected


def test_economic_frauds_are_excluded_from_fraud_clearance(fresh_db):
    cases = [_case(offence="诈骗"), _case(offence="诈骗", is_economic_fraud=True)]
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_target(metric="fraud_clearance_rate")])
    assert result(fresh_db, D(2022, 10, 31))["denominator"] == 1


def _po(day=JULY_5, offence="殴打他人", status="accepted", **extra):
    return {
        "compound": "A",
        "case_kind": "public_order",
        "event_at": T.combine(day, dt.time(9)),
        "status": status,
        "offence": offence,
        **extra,
    }


def test_closure_rate_by_date_or_status(fresh_db):
    cases = [_po(status="closed", closed_at=T(2022, 7, 9)), _po(status="closed"), _po(), _po(status="withdrawn")]
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_target(metric="public_order_closure_rate", value=75)])
    row = result(fresh_db, D(2022, 10, 31))
    assert (row["numerator"], row["denominator"], row["status"]) == (2, 3, "missed")


def test_punishment_from_results_flags_dates_and_decisions(fresh_db):
    cases = [
        _po(status="closed", has_penalty=True, closed_at=T(2022, 7, 9)),  # penalty result, dated by closure
        _po(status="closed", has_penalty=True, punished_at=T(2022, 9, 5)),  # punished after as_of
        _po(case_id="X9", status="closed"),  # a decision sheet punishes it
        _po(case_id="X8", status="closed"),  # only a void decision
        _po(status="closed"),  # mediated: no penalty
    ]
    decisions = [
        {"case_id": "X9", "is_penalty": True, "is_void": False, "approved_at": T(2022, 7, 20)},
        {"case_id": "X8", "is_penalty": True, "is_void": True, "approved_at": T(2022, 7, 20)},
    ]
    seed(
        fresh_db,
        compounds=["A"],
        cases=cases,
        decisions=decisions,
        targets=[_target(metric="assault_punishment_rate", value=40)],
    )
    row = result(fresh_db, D(2022, 8, 31))
    assert (row["numerator"], row["denominator"]) == (2, 5)


def test_vice_punishment_counts_prostitution_and_gambling(fresh_db):
    cases = [_po(offence="卖淫嫖娼", has_penalty=True, status="closed"), _po(offence="赌博"), _po(offence="盗窃")]
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_target(metric="vice_punishment_rate", value=90)])
    row = result(fresh_db, D(2022, 10, 31))
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_provocation_needs_one_hundred_percent(fresh_db):
    cases = [_po(offence="寻衅滋事", has_penalty=True, status="closed")] * 2 + [_po(offence="寻衅滋事")]
    seed(
        fresh_db,
        compounds=["A"],
        cases=cases,
        targets=[_target(metric="provocation_punishment_rate", op="=", value=100)],
    )
    assert result(fresh_db, D(2022, 10, 31))["status"] == "missed"


def test_public_order_theft_is_not_criminal_theft(fresh_db):
    cases = [_po(offence="盗窃"), _case(offence="盗窃")]
    seed(
        fresh_db,
        compounds=["A"],
        cases=cases,
        targets=[_target(metric="theft_punishment_rate", value=45), _target(metric="theft_clearance_rate")],
    )
    assert result(fresh_db, D(2022, 10, 31), metric="theft_punishment_rate")["denominator"] == 1
    assert result(fresh_db, D(2022, 10, 31), metric="theft_clearance_rate")["denominator"] == 1


def test_rates_stay_within_zero_and_one_in_the_cohort_definition(demo_db, tmp_path):
    import shutil

    from zhian.pipeline.db import connect
    from zhian.pipeline.metrics.evaluate import evaluate

    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db[0], path)
    con = connect(path)
    results = evaluate(con, D(2022, 8, 31)).results
    con.close()
    rates = results.filter(results["kind"] == "rate").drop_nulls("actual")
    assert rates.height > 0
    assert ((rates["actual"] >= 0) & (rates["actual"] <= 1)).all()
    assert (rates["numerator"] <= rates["denominator"]).all()
