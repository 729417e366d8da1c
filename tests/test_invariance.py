"""Invariance (metamorphic tests) of the whole engine: a metric's figures for a compound do
not change when something unrelated changes — another target, campaign, compound or record
— nor with how the same records are delivered: split over files, in another order, as daily
files instead of one monthly file, loaded twice, or shown for a station that holds the compound.

The engine-level properties run on random datasets (hypothesis) loaded straight into the
tables; the delivery properties write real exports (fixtures/small.py) and ingest them."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import run_ingest, seed
from zhian.fixtures import people
from zhian.fixtures.small import Alert, Case, Resident, SmallInbox
from zhian.pipeline import db
from zhian.pipeline.db import connect
from zhian.pipeline.metrics.evaluate import evaluate

D, T = dt.date, dt.datetime
AS_OF = D(2022, 8, 20)
COLUMNS = (
    "metric",
    "window_state",
    "current_end",
    "actual",
    "baseline",
    "numerator",
    "denominator",
    "change",
    "projected",
    "status",
    "note",
    "covered_to",
    "p_value",
)
METRICS = {  # code: (op, value) — one of every kind
    "alarm_calls_yoy": ("<=", -20),
    "dispute_alerts_yoy": ("<=", -10),
    "criminal_clearance_rate": (">=", 70),
    "public_order_closure_rate": (">=", 75),
    "major_fire_incidents": ("=", 0),
    "population_registration_rate": (">=", 98),
    "population_accuracy_rate": (">=", 98),
}
SETTINGS = settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

days = st.dates(D(1999, 1, 1), D(2022, 12, 31))
recent = st.dates(D(2021, 1, 1), D(2022, 12, 31))
compound = st.sampled_from(["A", "B"])
alert = st.fixed_dictionaries(
    {
        "compound": compound,
        "alarm_at": recent.map(lambda d: T.combine(d, dt.time(12))),
        "nature": st.sampled_from(["报警", "求助"]),
        "category": st.sampled_from(["纠纷", "刑事", "灾害事故"]),
        "alert_type": st.sampled_from(["盗窃", "火灾", "家庭纠纷"]),
        "is_major": st.booleans(),
    }
)
case = st.builds(
    lambda c, kind, filed, lag, status: {
        "compound": c,
        "case_kind": kind,
        "event_at": T.combine(filed, dt.time(8)),
        "status": status,
        **({"solved_at": T.combine(filed + dt.timedelta(days=lag), dt.time(9))} if status == "solved" else {}),
        **({"closed_at": T.combine(filed + dt.timedelta(days=lag), dt.time(9))} if status == "closed" else {}),
    },
    compound,
    st.sampled_from(["criminal", "public_order"]),
    recent,
    st.integers(0, 90),
    st.sampled_from(["filed", "solved", "accepted", "closed"]),
)
resident = st.builds(
    lambda c, registered, verification: {
        "compound": c,
        "registered_at": registered,
        "verification": verification,
    },
    compound,
    days,
    st.sampled_from(["准确", "不准确", "未核查"]),
)
dataset = st.fixed_dictionaries(
    {
        "alerts": st.lists(alert, max_size=40),
        "cases": st.lists(case, max_size=25),
        "residents": st.lists(resident, max_size=25),
        "start": st.dates(D(2022, 1, 1), D(2022, 8, 1)),
        "length": st.integers(30, 300),
        "metrics": st.lists(st.sampled_from(sorted(METRICS)), min_size=1, max_size=4, unique=True),
    }
)


def _targets(data, campaign="整治", compounds="A", metrics=None, start=None, length=None):
    start = start or data["start"]
    end = start + dt.timedelta(days=length or data["length"])
    return [(campaign, compounds, start, end, m, *METRICS[m]) for m in (metrics or data["metrics"])]


def _figures(con, campaign="整治", compound="A", metrics=None) -> dict:
    results = evaluate(con, AS_OF).results
    rows = results.filter((results["campaign"] == campaign) & (results["compound"] == compound))
    figures = {r["metric"]: tuple(r[c] for c in COLUMNS) for r in rows.iter_rows(named=True)}
    return {m: figures[m] for m in metrics} if metrics else figures


def _fresh(tmp_path_factory):
    return connect(tmp_path_factory.mktemp("inv") / "z.duckdb")


def _seeded(tmp_path_factory, data, targets, compounds=(("A", 30), ("B", 30)), extra=None):
    con = _fresh(tmp_path_factory)
    extra = extra or {}
    seed(
        con,
        compounds=list(compounds),
        alerts=[*data["alerts"], *extra.get("alerts", [])],
        cases=[*data["cases"], *extra.get("cases", [])],
        residents=[*data["residents"], *extra.get("residents", [])],
        targets=targets,
    )
    return con


@SETTINGS
@given(data=dataset, other=st.sampled_from(sorted(METRICS)))
def test_adding_another_target_changes_no_figure(tmp_path_factory, data, other):
    alone = _seeded(tmp_path_factory, data, _targets(data))
    before = _figures(alone, metrics=data["metrics"])
    more = _seeded(tmp_path_factory, data, _targets(data, metrics=sorted({*data["metrics"], other})))
    assert _figures(more, metrics=data["metrics"]) == before


def test_a_stock_rate_alone_counts_residents_registered_long_before_the_window(tmp_path_factory):
    # the case of issue 15: a campaign whose only target is a stock rate lost every resident
    # registered before the earliest window; with an 报警类 target beside it, it did not
    data = {
        "alerts": [],
        "cases": [],
        "residents": [
            {"compound": "A", "registered_at": D(1999, 5, 1)},
            {"compound": "A", "registered_at": D(2022, 3, 1)},
        ],
        "start": D(2022, 3, 1),
        "length": 200,
        "metrics": ["population_registration_rate"],
    }
    alone = _figures(_seeded(tmp_path_factory, data, _targets(data), compounds=[("A", 40)]))
    assert alone["population_registration_rate"][5:7] == (2, 40)
    metrics = ["population_registration_rate", "alarm_calls_yoy"]
    both = _seeded(tmp_path_factory, data, _targets(data, metrics=metrics), compounds=[("A", 40)])
    assert _figures(both, metrics=["population_registration_rate"]) == alone


@SETTINGS
@given(data=dataset, start=st.dates(D(2021, 1, 1), D(2022, 8, 1)), length=st.integers(10, 400))
def test_adding_another_campaign_changes_no_figure(tmp_path_factory, data, start, length):
    before = _figures(_seeded(tmp_path_factory, data, _targets(data)))
    other = _targets(data, campaign="另一个整治", compounds="A、B", metrics=sorted(METRICS), start=start, length=length)
    after = _seeded(tmp_path_factory, data, [*_targets(data), *other])
    assert _figures(after) == before


@SETTINGS
@given(data=dataset, extra=st.lists(alert, max_size=15), extra_cases=st.lists(case, max_size=10))
def test_adding_a_compound_and_its_records_changes_no_figure_of_another(tmp_path_factory, data, extra, extra_cases):
    before = _figures(_seeded(tmp_path_factory, data, _targets(data)))
    theirs = {
        "alerts": [{**a, "compound": "C"} for a in extra],
        "cases": [{**c, "compound": "C"} for c in extra_cases],
        "residents": [{"compound": "C", "registered_at": D(2020, 1, 1)}],
    }
    after = _seeded(
        tmp_path_factory,
        data,
        [*_targets(data), *_targets(data, compounds="C")],
        compounds=[("A", 30), ("B", 30), ("C", 10)],
        extra=theirs,
    )
    assert _figures(after) == before


# --- delivery: the same records as files ----------------------------------------------------

REGISTRY = [("花园小区", "凤仙路", "12号", 40), ("桂园小区", "桂园路", "3号", 30, "九亭派出所")]
TARGETS = [
    ("春季整治", "花园小区、桂园小区", D(2022, 3, 1), D(2022, 8, 31), metric, target)
    for metric, target in (
        ("报警类110警情", "下降20%"),
        ("纠纷警情", "下降10%"),
        ("刑事案件破案率", "≥70%"),
        ("治安案件结案率", "≥75%"),
        ("实有人口采集登记率", "≥98%"),
        ("实有人口准确率", "≥98%"),
    )
]


def _records(seed_value: int = 15):
    rng = random.Random(seed_value)
    places = [("凤仙路12号", "沙河派出所"), ("桂园路3号", "九亭派出所")]
    alerts, cases = [], []
    for year in (2021, 2022):
        for _ in range(rng.randint(30, 60)):
            day = D(year, 3, 1) + dt.timedelta(days=rng.randrange(184))
            address, unit = rng.choice(places)
            kind = rng.choice([("报警", "刑事", "盗窃"), ("报警", "纠纷", "家庭纠纷"), ("求助", "求助", "求助")])
            at = T.combine(day, dt.time(rng.randrange(24), rng.randrange(60)))
            alerts.append(Alert(at, address, *kind, unit=unit, alert_id=f"J{len(alerts):08d}"))
    for i in range(40):
        day = D(2022, 3, 1) + dt.timedelta(days=rng.randrange(150))
        address, unit = rng.choice(places)
        criminal = rng.random() < 0.5
        done = T.combine(day + dt.timedelta(days=rng.randrange(40)), dt.time(15)) if rng.random() < 0.7 else None
        done = done if done and done.date() <= D(2022, 8, 31) else None
        cases.append(
            Case(
                T.combine(day, dt.time(9)),
                address,
                "刑事" if criminal else "行政",
                "盗窃" if criminal else "殴打他人",
                ("已破案" if criminal else "已结案") if done else ("已立案" if criminal else "已受理"),
                solved=done if criminal else None,
                closed=None if criminal else done,
                unit=unit,
                case_id=f"A{i:08d}",
            )
        )
    residents = [
        Resident(
            people.resident_id(rng), people.name(rng), address, D(2020, 1, 1) + dt.timedelta(days=rng.randrange(900))
        )
        for address, _ in places
        for _ in range(rng.randint(20, 30))
    ]
    return alerts, cases, residents


def _month(alerts, year, month):
    return [a for a in alerts if (a.at.year, a.at.month) == (year, month)]


def _delivered(tmp_path, how: str) -> dict:
    """Write the same records in the way `how` names, ingest, and return every figure."""
    alerts, cases, residents = _records()
    box = SmallInbox(tmp_path / how)
    box.registry(REGISTRY)
    box.targets(TARGETS)
    box.cases("案件.xlsx", cases)
    box.residents("实有人口.xlsx", residents)
    if how == "one file":
        box.alerts("警情.xlsx", alerts)
    elif how == "two files":
        half = len(alerts) // 2
        box.alerts("警情（一）.xlsx", alerts[:half])
        box.alerts("警情（二）.csv", alerts[half:])
    elif how == "another order":
        half = len(alerts) // 2
        box.alerts("b警情.xlsx", alerts[:half])
        box.alerts("a警情.xlsx", alerts[half:])
    elif how == "daily files":
        for day in sorted({a.at.date() for a in alerts}):
            box.alerts(f"警情{day:%Y%m%d}日报.csv", [a for a in alerts if a.at.date() == day])
    elif how == "monthly files":
        for year in (2021, 2022):
            for month in range(3, 9):
                box.alerts(f"{year}年{month}月警情.xlsx", _month(alerts, year, month))
    con = connect(tmp_path / f"{how}.duckdb")
    run_ingest(box.folder, con)
    figures = _all_figures(con)
    con.close()
    return figures


def _all_figures(con, station=None) -> dict:
    evaluation = evaluate(con, AS_OF)
    rows = db.query(
        con, "outputs/evaluation_results.sql", {"evaluation": evaluation.evaluation_id, "station": station}
    ).pl()
    return {
        (r["campaign"], r["compound"], r["metric"]): tuple(r[c] for c in COLUMNS) for r in rows.iter_rows(named=True)
    }


@pytest.fixture(scope="module")
def delivered_once(tmp_path_factory):
    return _delivered(tmp_path_factory.mktemp("delivery"), "one file")


@pytest.mark.parametrize("how", ["two files", "another order", "daily files", "monthly files"])
def test_the_same_records_delivered_otherwise_give_the_same_figures(tmp_path, delivered_once, how):
    assert len(delivered_once) == 12
    assert _delivered(tmp_path, how) == delivered_once


def _loaded(tmp_path, *, with_cases: bool):
    """The alerts (and cases) of `_records` in one file each, ingested: the inbox and the database."""
    alerts, cases, _ = _records()
    box = SmallInbox(tmp_path / "inbox")
    box.registry(REGISTRY)
    box.targets(TARGETS)
    box.alerts("警情.xlsx", alerts)
    if with_cases:
        box.cases("案件.xlsx", cases)
    con = connect(tmp_path / "z.duckdb")
    run_ingest(box.folder, con)
    return box, con


def test_loading_the_inbox_again_changes_no_figure(tmp_path):
    box, con = _loaded(tmp_path, with_cases=False)
    first = _all_figures(con)
    evaluations = con.execute("select count(*) from metric_evaluations").fetchone()
    run_ingest(box.folder, con)
    assert _all_figures(con) == first
    assert con.execute("select count(*) from metric_evaluations").fetchone() == evaluations
    con.close()


def test_a_station_that_holds_the_compound_shows_the_same_figures(tmp_path):
    _, con = _loaded(tmp_path, with_cases=True)
    everything = _all_figures(con)
    for station, compound in (("沙河派出所", "花园小区"), ("九亭派出所", "桂园小区")):
        shown = _all_figures(con, station)
        assert shown == {k: v for k, v in everything.items() if k[1] == compound}
    con.close()
