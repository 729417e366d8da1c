"""Is the change real? (统计显著性): the exact conditional binomial test of every count change,
computed in SQL (binomial_p_value) and checked against scipy; it never changes a status."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from tests.conftest import result, seed
from zhian.pipeline.db import connect

D, T = dt.date, dt.datetime
WINDOW = (D(2022, 3, 1), D(2022, 5, 31))


@pytest.fixture(scope="module")
def sql(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("p") / "p.duckdb")
    yield con
    con.close()


def _p(con: duckdb.DuckDBPyConnection, actual: int, baseline: int) -> float | None:
    return con.execute("select binomial_p_value($a, $b)", {"a": actual, "b": baseline}).fetchone()[0]


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 400), st.integers(0, 400))
def test_the_p_value_is_scipys_exact_binomial_test(sql, actual, baseline):
    p = _p(sql, actual, baseline)
    if actual + baseline == 0:
        assert p is None
        return
    expected = binomtest(actual, actual + baseline, 0.5).pvalue
    assert p == pytest.approx(expected, rel=1e-9, abs=1e-300)


@settings(max_examples=50, deadline=None)
@given(st.integers(500, 200_000), st.floats(0.9, 1.1))
def test_the_p_value_of_large_counts_near_each_other_is_scipys_too(sql, baseline, ratio):
    # the tail sum stops 5·√n + 10 terms below its end: where it matters most, near p = 1;
    # on 400,000 events the log-gamma terms themselves (4.7 million) leave ~1e-9 of rounding
    actual = int(baseline * ratio)
    assert _p(sql, actual, baseline) == pytest.approx(binomtest(actual, actual + baseline, 0.5).pvalue, rel=1e-8)


def test_the_p_value_of_large_counts_is_tiny_not_an_overflow(sql):
    assert _p(sql, 5000, 4000) == pytest.approx(binomtest(5000, 9000, 0.5).pvalue, rel=1e-6)
    assert _p(sql, 20_000, 20_000) == 1.0


def _alerts(days):
    return [{"compound": "A", "alarm_at": T.combine(d, dt.time(10)), "nature": "报警"} for d in days]


def _target(value=-20):
    return ("整治", "A", *WINDOW, "alarm_calls_yoy", "<=", value)


def test_five_to_three_is_within_chance_and_still_met(fresh_db):
    last_year = _alerts(D(2021, 3, d) for d in range(1, 6))
    this_year = _alerts(D(2022, 3, d) for d in range(1, 4))
    seed(fresh_db, compounds=["A"], alerts=[*last_year, *this_year], targets=[_target()])
    row = result(fresh_db, D(2022, 6, 1))
    assert (row["actual"], row["baseline"], row["status"]) == (3, 5, "met")  # −40 %: the target is the target
    assert row["p_value"] == pytest.approx(binomtest(3, 8, 0.5).pvalue)  # 0.727
    assert row["significant"] is False


def test_the_terminal_the_report_and_the_dashboard_say_when_a_change_is_within_chance(tmp_path):
    import subprocess
    import sys

    from zhian.dashboards.build import render
    from zhian.pipeline.metrics.evaluate import evaluate
    from zhian.pipeline.outputs.report import build_workbook

    path = tmp_path / "z.duckdb"
    con = connect(path)
    last_year = _alerts(D(2021, 3, d) for d in range(1, 6))
    this_year = _alerts(D(2022, 3, d) for d in range(1, 4))
    seed(con, compounds=["A"], alerts=[*last_year, *this_year], targets=[_target()])
    evaluation = evaluate(con, D(2022, 6, 1))
    notes = [c.value for c in build_workbook(con, evaluation)["指标明细"]["L"] if c.value]
    assert "变化在正常波动范围内（偶然出现的概率 73%）" in "；".join(notes)
    assert "变化在正常波动范围内（偶然出现的概率 73%）" in render(con, evaluation)
    con.close()
    done = subprocess.run(
        [sys.executable, "-m", "zhian", "metrics", "--db", str(path), "--as-of", "2022-06-01"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "变化在正常波动范围内（偶然出现的概率73%）" in done.stdout.replace("\n", "").replace("│", "").replace(
        " ", ""
    )


def test_forty_to_fifteen_is_a_real_fall(fresh_db):
    last_year = _alerts(D(2021, 3, 1) + dt.timedelta(days=i) for i in range(40))
    this_year = _alerts(D(2022, 3, 1) + dt.timedelta(days=i) for i in range(15))
    seed(fresh_db, compounds=["A"], alerts=[*last_year, *this_year], targets=[_target()])
    row = result(fresh_db, D(2022, 6, 1))
    assert row["significant"] is True and row["p_value"] < 0.01


def test_rates_and_zero_counts_have_no_p_value(fresh_db):
    seed(
        fresh_db,
        compounds=["A"],
        alerts=_alerts([D(2022, 3, 2)]),
        targets=[("整治", "A", *WINDOW, "major_fire_incidents", "=", 0), _target()],
    )
    row = result(fresh_db, D(2022, 6, 1), "major_fire_incidents")
    assert (row["p_value"], row["significant"]) == (None, None)
