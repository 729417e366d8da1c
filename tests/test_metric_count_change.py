"""Count change (同比): every rule of metrics.md on hand-computed datasets."""

import datetime as dt

from tests.conftest import result, seed

D = dt.date
WINDOW = (D(2022, 7, 1), D(2022, 9, 30))


def _alerts(compound, day, n, nature="报警", **extra):
    return [
        {"compound": compound, "alarm_at": dt.datetime.combine(day, dt.time(10)), "nature": nature, **extra}
        for _ in range(n)
    ]


def _target(op="<=", value=-20, metric="alarm_calls_yoy", window=WINDOW, compounds="A"):
    return ("整治", compounds, *window, metric, op, value)


def test_met_when_exactly_20_percent_down(fresh_db):
    seed(
        fresh_db,
        compounds=["A"],
        alerts=_alerts("A", D(2021, 7, 5), 10) + _alerts("A", D(2022, 7, 5), 8),
        targets=[_target()],
    )
    row = result(fresh_db, D(2022, 10, 31))
    assert (row["actual"], row["baseline"], row["status"]) == (8, 10, "met")
    assert row["change"] == -0.2


def test_missed_when_19_percent_down(fresh_db):
    # 100 → 81 is -19 %: missed; compared as integers, 81 * 100 > 80 * 100
    seed(
        fresh_db,
        compounds=["A"],
        alerts=_alerts("A", D(2021, 7, 5), 100) + _alerts("A", D(2022, 7, 5), 81),
        targets=[_target()],
    )
    assert result(fresh_db, D(2022, 10, 31))["status"] == "missed"


def test_zero_to_zero_is_no_change_and_a_decrease_target_is_met(fresh_db):
    seed(fresh_db, compounds=["A"], targets=[_target()])
    row = result(fresh_db, D(2022, 10, 31))
    assert (row["actual"], row["baseline"], row["change"], row["status"]) == (0, 0, 0, "met")


def test_zero_to_k_is_new_k_and_not_met(fresh_db):
    seed(fresh_db, compounds=["A"], alerts=_alerts("A", D(2022, 7, 5), 3), targets=[_target()])
    row = result(fresh_db, D(2022, 10, 31))
    assert row["change"] is None and row["status"] == "missed" and row["note"].startswith("新增 3")


def test_only_the_counted_nature_counts(fresh_db):
    alerts = (
        _alerts("A", D(2021, 7, 5), 5) + _alerts("A", D(2022, 7, 5), 4) + _alerts("A", D(2022, 7, 5), 9, nature="求助")
    )
    seed(fresh_db, compounds=["A"], alerts=alerts, targets=[_target()])
    assert result(fresh_db, D(2022, 10, 31))["actual"] == 4


def test_events_outside_the_windows_do_not_count(fresh_db):
    alerts = (
        _alerts("A", D(2021, 6, 30), 50)
        + _alerts("A", D(2021, 10, 1), 50)
        + _alerts("A", D(2021, 7, 1), 5)
        + _alerts("A", D(2022, 9, 30), 4)
        + _alerts("A", D(2022, 10, 1), 50)
    )
    seed(fresh_db, compounds=["A"], alerts=alerts, targets=[_target()])
    row = result(fresh_db, D(2022, 12, 31))
    assert (row["actual"], row["baseline"]) == (4, 5)


def test_running_window_is_cut_to_elapsed_dates_on_both_sides(fresh_db):
    alerts = (
        _alerts("A", D(2021, 7, 10), 10)
        + _alerts("A", D(2021, 8, 20), 30)
        + _alerts("A", D(2022, 7, 10), 7)
        + _alerts("A", D(2022, 8, 20), 99)
    )
    seed(fresh_db, compounds=["A"], alerts=alerts, targets=[_target()])
    row = result(fresh_db, D(2022, 7, 31))
    assert (row["actual"], row["baseline"], row["window_state"]) == (7, 10, "running")
    assert row["current_end"] == D(2022, 7, 31) and row["baseline_end"] == D(2021, 7, 31)


def test_pace_projects_with_the_baseline_shape(fresh_db):
    # to date: 7 vs 10; the full baseline is 40, so the projection is 7 * 40 / 10 = 28: -30 %, on track
    alerts = _alerts("A", D(2021, 7, 10), 10) + _alerts("A", D(2021, 8, 20), 30) + _alerts("A", D(2022, 7, 10), 7)
    seed(fresh_db, compounds=["A"], alerts=alerts, targets=[_target()])
    row = result(fresh_db, D(2022, 7, 31))
    assert (row["projected"], row["baseline_full"], row["status"]) == (28, 40, "on_track")
    assert abs(row["projected_change"] - (-0.3)) < 1e-12


def test_pace_at_risk_when_the_projection_misses(fresh_db):
    alerts = _alerts("A", D(2021, 7, 10), 10) + _alerts("A", D(2021, 8, 20), 30) + _alerts("A", D(2022, 7, 10), 9)
    seed(fresh_db, compounds=["A"], alerts=alerts, targets=[_target()])
    assert result(fresh_db, D(2022, 7, 31))["status"] == "at_risk"  # 9 * 40 / 10 = 36: -10 %


def test_pace_without_a_baseline_to_date_scales_by_elapsed_days(fresh_db):
    # nothing last July, 10 last August; 1 this July: 1 * 92 / 31 ≈ 2.97 vs 10 → -70 %, on track
    alerts = _alerts("A", D(2021, 8, 20), 10) + _alerts("A", D(2022, 7, 10), 1)
    seed(fresh_db, compounds=["A"], alerts=alerts, targets=[_target()])
    row = result(fresh_db, D(2022, 7, 31))
    assert row["status"] == "on_track" and abs(row["projected"] - 92 / 31) < 1e-9


def test_february_29_maps_to_february_28(fresh_db):
    window = (D(2024, 2, 29), D(2024, 3, 31))
    alerts = _alerts("A", D(2023, 2, 28), 5) + _alerts("A", D(2023, 2, 27), 50) + _alerts("A", D(2024, 2, 29), 4)
    seed(fresh_db, compounds=["A"], alerts=alerts, targets=[_target(window=window)])
    row = result(fresh_db, D(2024, 2, 29))
    assert row["baseline_start"] == D(2023, 2, 28) and row["baseline_end"] == D(2023, 2, 28)
    assert (row["actual"], row["baseline"]) == (4, 5)


def test_window_not_started_gives_no_data_row(fresh_db):
    seed(fresh_db, compounds=["A"], alerts=_alerts("A", D(2021, 7, 5), 3), targets=[_target()])
    row = result(fresh_db, D(2022, 6, 30))
    assert (row["status"], row["actual"], row["note"]) == ("no_data", None, "整治尚未开始")


def test_low_base_flag_under_30(fresh_db):
    seed(
        fresh_db,
        compounds=["A", "B"],
        alerts=_alerts("A", D(2021, 7, 5), 29) + _alerts("B", D(2021, 7, 5), 30),
        targets=[_target(compounds="A、B")],
    )
    assert result(fresh_db, D(2022, 10, 31), compound="A")["low_base"] is True
    assert result(fresh_db, D(2022, 10, 31), compound="B")["low_base"] is False


def test_increase_target(fresh_db):
    seed(
        fresh_db,
        compounds=["A"],
        alerts=_alerts("A", D(2021, 7, 5), 10) + _alerts("A", D(2022, 7, 5), 11),
        targets=[_target(op=">=", value=10)],
    )
    assert result(fresh_db, D(2022, 10, 31))["status"] == "met"


def test_unattributed_alerts_never_count(fresh_db):
    alerts = _alerts("A", D(2021, 7, 5), 10) + _alerts(None, D(2022, 7, 5), 50) + _alerts("A", D(2022, 7, 5), 8)
    seed(fresh_db, compounds=["A"], alerts=alerts, targets=[_target()])
    assert result(fresh_db, D(2022, 10, 31))["actual"] == 8


def test_gambling_alerts_exclude_invalid_calls(fresh_db):
    alerts = (
        _alerts("A", D(2022, 7, 5), 2, offence="赌博")
        + _alerts("A", D(2022, 7, 5), 3, nature="举报", offence="赌博")
        + _alerts("A", D(2022, 7, 5), 4, nature="无效", offence="赌博")
    )
    seed(fresh_db, compounds=["A"], alerts=alerts, targets=[_target(metric="gambling_alerts_yoy")])
    assert result(fresh_db, D(2022, 10, 31))["actual"] == 5


def test_dispute_alerts_by_category_or_type(fresh_db):
    alerts = _alerts("A", D(2022, 7, 5), 2, category="纠纷") + _alerts(
        "A", D(2022, 7, 5), 3, nature="求助", offence="纠纷"
    )
    seed(fresh_db, compounds=["A"], alerts=alerts, targets=[_target(metric="dispute_alerts_yoy")])
    assert result(fresh_db, D(2022, 10, 31))["actual"] == 5


def _case(compound, day, **extra):
    return {
        "compound": compound,
        "case_kind": "criminal",
        "event_at": dt.datetime.combine(day, dt.time(9)),
        "status": "filed",
        **extra,
    }


def test_criminal_cases_exclude_withdrawn_and_merged(fresh_db):
    cases = [
        _case("A", D(2022, 7, 5)),
        _case("A", D(2022, 7, 5), status="withdrawn"),
        _case("A", D(2022, 7, 5), status="merged"),
        _case("A", D(2022, 7, 5), case_kind="public_order", status="accepted"),
    ]
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_target(metric="criminal_cases_yoy")])
    assert result(fresh_db, D(2022, 10, 31))["actual"] == 1


def test_completed_telecom_fraud_only(fresh_db):
    cases = [
        _case("A", D(2022, 7, 5), offence="电信网络诈骗", is_completed=True),
        _case("A", D(2022, 7, 5), offence="电信网络诈骗", is_completed=False),
        _case("A", D(2022, 7, 5), offence="诈骗", is_completed=True),
    ]
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_target(metric="telecom_fraud_completed_yoy")])
    assert result(fresh_db, D(2022, 10, 31))["actual"] == 1
