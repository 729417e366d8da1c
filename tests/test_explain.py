"""Explain a number (指标溯源): the records listed behind a figure add up to it exactly — for
every metric of the demo's campaigns (every kind), current and baseline, while the campaigns
run, after they end and cut by coverage, for both rate definitions — and personal data stays masked."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys

import openpyxl
import pytest

from tests.conftest import run_ingest
from zhian.pipeline.db import connect
from zhian.pipeline.metrics import catalogue
from zhian.pipeline.metrics.evaluate import evaluate
from zhian.pipeline.metrics.explain import PARTS, explain

D = dt.date


@pytest.fixture(scope="module")
def demo(demo_inbox, tmp_path_factory):
    path = tmp_path_factory.mktemp("explain") / "zhian.duckdb"
    con = connect(path)
    run_ingest(demo_inbox[0], con)
    yield con, path
    con.close()


@pytest.mark.parametrize(
    ("as_of", "definition"),
    [(D(2022, 8, 15), "cohort"), (D(2022, 8, 31), "period"), (D(2026, 12, 1), "cohort")],
)
def test_the_records_listed_add_up_to_every_figure(demo, as_of, definition):
    con, _ = demo
    evaluation = evaluate(con, as_of, definition, publish=False)
    kinds, explained = set(), 0
    for row in evaluation.results.iter_rows(named=True):
        explanation = explain(con, evaluation.evaluation_id, row["campaign"], row["compound"], row["metric"])
        assert explanation is not None
        assert explanation.mismatches() == {}, (row["campaign"], row["compound"], row["metric"])
        if explanation.figures:
            kinds.add(row["kind"])
            explained += 1
    police = {catalogue.COUNT_CHANGE, catalogue.RATE, catalogue.ZERO_COUNT, catalogue.STOCK_RATE}
    assert kinds - set(catalogue.LEDGER_KINDS) == police
    assert explained > 40


def test_a_count_change_lists_its_current_and_baseline_records(demo):
    con, _ = demo
    evaluation = evaluate(con, D(2022, 8, 31), publish=False)
    explanation = explain(con, evaluation.evaluation_id, "茵芳小区挂牌整治", "茵芳小区", "alarm_calls_yoy")
    target = explanation.target
    current = explanation.records.filter(explanation.records["部分"] == PARTS["actual"])
    baseline = explanation.records.filter(explanation.records["部分"] == PARTS["baseline"])
    assert (current.height, baseline.height) == (int(target["actual"]), int(target["baseline"]))
    assert current["日期"].min() >= target["window_start"] and current["日期"].max() <= target["current_end"]
    assert baseline["日期"].max() <= target["baseline_end"]
    assert set(current["警情性质"]) == {"报警"}


def test_a_registration_rate_lists_masked_residents_and_names_the_population_base(demo):
    con, _ = demo
    evaluation = evaluate(con, D(2022, 8, 31), publish=False)
    explanation = explain(con, evaluation.evaluation_id, "茵芳小区挂牌整治", "茵芳小区", "population_registration_rate")
    assert explanation.note == f"分母为小区名册中的实有人口底数：{int(explanation.target['denominator'])}"
    ids = explanation.records["记录编号"].to_list()
    assert ids and all("*" in i and not re.search(r"\d{7}", i) for i in ids)  # 110101********123X
    assert all(name.endswith("*") for name in explanation.records["姓名"].drop_nulls())


def _copy(demo, tmp_path):
    """The demo database as another process opens it (the module's connection holds the file)."""
    con, path = demo
    con.execute("checkpoint")
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(path, copy)
    return copy


def test_zhian_explain_prints_the_counts_and_writes_every_record(demo, tmp_path):
    path = _copy(demo, tmp_path)
    out = tmp_path / "溯源.xlsx"
    args = ["--campaign", "茵芳小区挂牌整治", "--compound", "茵芳小区", "--metric", "刑事案件破案率"]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhian",
            "explain",
            "--db",
            str(path),
            "--as-of",
            "2022-08-31",
            *args,
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(re.fullmatch(r"本期分母：(\d+) 条记录，指标值 \1（一致）", line) for line in lines), lines[:8]
    sheet = openpyxl.load_workbook(out).active
    parts = [row[0] for row in sheet.iter_rows(values_only=True) if row[0] in PARTS.values()]
    denominator = int(re.search(r"本期分母：(\d+)", done.stdout).group(1))
    assert parts.count("本期分母") == denominator


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--campaign", "不存在", "--compound", "茵芳小区", "--metric", "alarm_calls_yoy"],
            "没有这个整治项目：不存在（已有：",
        ),
        (["--campaign", "茵芳小区挂牌整治", "--compound", "不存在", "--metric", "alarm_calls_yoy"], "中没有这个小区"),
        (["--campaign", "茵芳小区挂牌整治", "--compound", "茵芳小区", "--metric", "不存在"], "没有这个指标：不存在"),
    ],
)
def test_zhian_explain_names_what_it_does_not_know(demo, tmp_path, args, message):
    path = _copy(demo, tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "zhian", "explain", "--db", str(path), "--as-of", "2022-08-31", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and message in done.stderr, done.stderr
