"""The engine around the definitions: target expansion, history, the demo campaign,
invariants, and the compound ranking of seed 002."""

import datetime as dt
import shutil

import pytest

from tests.conftest import run_ingest, seed, write_sheet
from zhian.pipeline.db import connect, sql_text
from zhian.pipeline.metrics import catalogue
from zhian.pipeline.metrics.evaluate import evaluate
from zhian.pipeline.metrics.ranking import rank_compounds

D = dt.date
T = dt.datetime
WINDOW = (D(2022, 7, 1), D(2022, 9, 30))


def test_all_compounds_expands_to_every_compound_of_the_registry(fresh_db):
    seed(fresh_db, compounds=["A", "B", "C"], targets=[("整治", "全部", *WINDOW, "alarm_calls_yoy", "<=", -20)])
    results = evaluate(fresh_db, D(2022, 10, 1)).results
    assert sorted(results["compound"].to_list()) == ["A", "B", "C"]


def test_a_target_may_name_a_compound_by_its_alias(fresh_db):
    seed(
        fresh_db,
        compounds=[("花园小区", None, "凤仙花园")],
        targets=[("整治", "凤仙花园", *WINDOW, "alarm_calls_yoy", "<=", -20)],
    )
    assert evaluate(fresh_db, D(2022, 10, 1)).results["compound"].to_list() == ["花园小区"]


def test_unknown_compound_in_a_target_is_listed_and_computed_for_nobody(fresh_db):
    seed(fresh_db, compounds=["A"], targets=[("整治", "A、不存在", *WINDOW, "alarm_calls_yoy", "<=", -20)])
    evaluation = evaluate(fresh_db, D(2022, 10, 1))
    assert evaluation.results["compound"].to_list() == ["A"]
    assert evaluation.problems["named_compound"].to_list() == ["不存在"]
    assert fresh_db.execute("select problem from target_problems").fetchall() == [
        ("整治目标中的小区“不存在”不在小区名册中",)
    ]


def test_every_compound_with_a_target_gets_a_row_even_without_events(fresh_db):
    targets = [
        (
            "整治",
            "A",
            *WINDOW,
            m.code,
            ">=" if m.kind != "count_change" else "<=",
            -20 if m.kind == "count_change" else (0 if m.kind in ("zero_count", "ledger_count") else 50),
        )
        for m in catalogue.CATALOGUE
    ]
    targets = [
        (
            c,
            n,
            s,
            e,
            code,
            "=" if code in ("accountant_fraud_cases", "major_fire_incidents", "overdue_items") else op,
            v,
        )
        for c, n, s, e, code, op, v in targets
    ]
    seed(fresh_db, compounds=[("A", 100)], targets=targets)
    results = evaluate(fresh_db, D(2022, 10, 1)).results
    assert results.height == len(catalogue.CATALOGUE) == 25
    kinds = ("count_change", "rate", "zero_count", "ledger_rate", "ledger_count")
    by_kind = {k: set(results.filter(results["kind"] == k)["status"]) for k in kinds}
    assert by_kind == {
        "count_change": {"met"},
        "rate": {"no_data"},
        "zero_count": {"met"},
        "ledger_rate": {"no_data"},  # no ledger, no facility count, no check, no survey
        "ledger_count": {"no_data"},  # no ledger: not "nothing is overdue"
    }


def test_several_campaigns_overlapping_compounds_and_windows(fresh_db):
    alerts = [{"compound": "A", "alarm_at": T(2022, 7, 5, 10), "nature": "报警"}]
    targets = [
        ("夏季", "A", *WINDOW, "alarm_calls_yoy", "<=", -20),
        ("全年", "A、B", D(2022, 1, 1), D(2022, 12, 31), "alarm_calls_yoy", "<=", -10),
        ("明年", "A", D(2023, 1, 1), D(2023, 3, 31), "alarm_calls_yoy", "<=", -10),
    ]
    seed(fresh_db, compounds=["A", "B"], alerts=alerts, targets=targets)
    rows = {(r["campaign"], r["compound"]): r for r in evaluate(fresh_db, D(2022, 8, 31)).results.iter_rows(named=True)}
    assert set(rows) == {("夏季", "A"), ("全年", "A"), ("全年", "B"), ("明年", "A")}
    assert rows[("明年", "A")]["status"] == "no_data" and rows[("夏季", "A")]["window_state"] == "running"


def test_each_evaluation_is_kept_and_metric_results_shows_the_latest(fresh_db):
    seed(
        fresh_db,
        compounds=["A"],
        alerts=[{"compound": "A", "alarm_at": T(2022, 7, 5, 10), "nature": "报警"}],
        targets=[("整治", "A", *WINDOW, "alarm_calls_yoy", "<=", -20)],
    )
    first = evaluate(fresh_db, D(2022, 7, 31))
    second = evaluate(fresh_db, D(2022, 8, 31))
    assert first.stored and second.stored and second.evaluation_id > first.evaluation_id
    assert fresh_db.execute("select as_of from metric_results").fetchall() == [(D(2022, 8, 31),)]
    july = fresh_db.execute("select actual, status from metric_history where as_of = '2022-07-31'").fetchall()
    assert july == [(first.results["actual"][0], first.results["status"][0])]


def test_re_evaluating_the_same_thing_stores_nothing(fresh_db):
    seed(fresh_db, compounds=["A"], targets=[("整治", "A", *WINDOW, "alarm_calls_yoy", "<=", -20)])
    evaluate(fresh_db, D(2022, 7, 31))
    again = evaluate(fresh_db, D(2022, 7, 31))
    assert not again.stored
    assert fresh_db.execute("select count(*) from metric_evaluations").fetchall() == [(1,)]


def test_metric_results_has_the_columns_of_metrics_md(fresh_db):
    seed(fresh_db, compounds=["A"], targets=[("整治", "A", *WINDOW, "alarm_calls_yoy", "<=", -20)])
    evaluate(fresh_db, D(2022, 7, 31))
    columns = set(fresh_db.table("metric_results").columns)
    assert {
        "campaign",
        "compound",
        "metric",
        "metric_name",
        "window_start",
        "window_end",
        "as_of",
        "actual",
        "baseline",
        "numerator",
        "denominator",
        "change",
        "target_op",
        "target_value",
        "status",
    } <= columns


def test_target_value_is_a_fraction_for_rates_and_changes(fresh_db):
    seed(
        fresh_db,
        compounds=["A"],
        targets=[
            ("整治", "A", *WINDOW, "alarm_calls_yoy", "<=", -20),
            ("整治", "A", *WINDOW, "criminal_clearance_rate", ">=", 70),
            ("整治", "A", *WINDOW, "major_fire_incidents", "=", 0),
        ],
    )
    values = dict(evaluate(fresh_db, D(2022, 7, 31)).results.select("metric", "target_value").iter_rows())
    assert values == {"alarm_calls_yoy": -0.2, "criminal_clearance_rate": 0.7, "major_fire_incidents": 0}


def test_unknown_metric_in_the_targets_sheet_is_rejected_with_the_value(inbox, fresh_db):
    header = ["整治项目", "小区", "开始日期", "结束日期", "指标", "目标"]
    rows = [
        ["整治", "A", "2022-07-01", "2022-09-30", "社区矫正对象脱管率", "为0"],
        ["整治", "A", "2022-07-01", "2022-09-30", "刑事案件破案率", "达70%"],
    ]
    write_sheet(inbox, "目标.xlsx", header, rows)
    run_ingest(inbox, fresh_db)
    assert "“社区矫正对象脱管率”" in fresh_db.execute("select reason from rejected_rows").fetchone()[0]
    assert fresh_db.execute("select metric_code, target_op, target_percent::double from targets").fetchall() == [
        ("criminal_clearance_rate", ">=", 70.0)
    ]


@pytest.fixture(scope="module")
def demo_evaluation(demo_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("eval") / "z.duckdb"
    shutil.copy(demo_db[0], path)
    con = connect(path)
    evaluation = evaluate(con, D(2022, 8, 31))
    yield con, evaluation
    con.close()


def test_the_seed_004_campaign_gets_one_row_per_target(demo_evaluation):
    _, evaluation = demo_evaluation
    rows = evaluation.results.filter(evaluation.results["campaign"] == "茵芳小区挂牌整治")
    assert rows.height == 22 and set(rows["compound"]) == {"茵芳小区"}  # 17 police targets, 5 of its ledgers
    assert set(rows["window_state"]) == {"running"}
    assert len(set(rows["metric"])) == 22


def test_every_result_compound_is_in_the_registry(demo_evaluation):
    con, evaluation = demo_evaluation
    registry = {r[0] for r in con.execute("select compound from compounds").fetchall()}
    assert set(evaluation.results["compound"]) <= registry


def test_sql_checks_return_no_rows_on_the_demo(demo_evaluation):
    con, _ = demo_evaluation
    import importlib.resources

    checks = [p.name for p in (importlib.resources.files("zhian.sql") / "checks").iterdir() if p.name.endswith(".sql")]
    assert checks
    for name in checks:
        assert con.sql(sql_text(f"checks/{name}")).fetchall() == [], name


def test_metrics_run_under_a_second_on_the_demo_without_any_timing_assertion(demo_evaluation):
    # the speed of the engine is measured in benchmarks/metrics.py; here only that it runs twice the same
    con, evaluation = demo_evaluation
    again = evaluate(con, D(2022, 8, 31))
    assert again.results.equals(evaluation.results)


def test_ranking_sums_ranks_and_splits_into_three_batches(fresh_db):
    alerts = [
        {"compound": c, "alarm_at": T(2021, 5, 1, 10), "nature": "报警"}
        for c, n in (("A", 5), ("B", 3), ("C", 1), ("D", 0), ("E", 0), ("F", 0))
        for _ in range(n)
    ]
    cases = [
        {"compound": "A", "case_kind": "criminal", "event_at": T(2021, 6, 1), "status": "filed", "offence": "盗窃"}
    ]
    seed(fresh_db, compounds=["A", "B", "C", "D", "E", "F"], alerts=alerts, cases=cases)
    frame = rank_compounds(fresh_db, 2021)
    rows = {r["compound"]: r for r in frame.iter_rows(named=True)}
    # A: alerts 1, criminal 1, thefts 1, property 1, disputes tie of all six (3.5) → 7.5
    assert rows["A"]["rank_sum"] == 7.5 and rows["A"]["priority"] == 1
    # B: alerts 2; criminal, thefts, property tie B..F at positions 2-6 → 4 each; disputes 3.5 → 17.5
    assert rows["B"]["rank_sum"] == 17.5 and rows["B"]["priority"] == 2
    assert [r["batch"] for r in frame.iter_rows(named=True)] == [1, 1, 2, 2, 3, 3]
    assert [r["batch_year"] for r in frame.iter_rows(named=True)] == [2022, 2022, 2023, 2023, 2024, 2024]
    assert fresh_db.execute("select count(*) from compound_ranking where year = 2021").fetchall() == [(6,)]


def test_ranking_per_thousand_residents(fresh_db):
    alerts = [
        {"compound": c, "alarm_at": T(2021, 5, 1, 10), "nature": "报警"}
        for c, n in (("A", 10), ("B", 6))
        for _ in range(n)
    ]
    seed(fresh_db, compounds=[("A", 1000), ("B", 100)], alerts=alerts)
    frame = rank_compounds(fresh_db, 2021, per_thousand=True)
    assert frame["compound"].to_list() == ["B", "A"]  # 60 per 1,000 against 10


def test_records_sql_exists_for_every_metric_of_the_catalogue():
    for metric in catalogue.CATALOGUE:
        if metric.kind not in catalogue.LEDGER_KINDS:  # those read the ledgers (sql/metrics/ledger_metrics.sql)
            assert sql_text(metric.records_sql).strip()
