"""The leader dashboard: one offline HTML file, deterministic, escaped, small, no personal
data — checked in the file and in a real headless Chromium with the network blocked."""

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.browser import chromium_path, open_page
from tests.conftest import seed
from tests.pii import digit_windows
from zhian.dashboards import figures
from zhian.dashboards.build import render, write_dashboard
from zhian.pipeline.db import connect
from zhian.pipeline.metrics import catalogue
from zhian.pipeline.metrics.evaluate import evaluate

D = dt.date
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="no chromium on this machine (CI installs it)")


@pytest.fixture(scope="module")
def demo_dashboard(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dashboard")
    db = folder / "z.duckdb"
    shutil.copy(demo_db[0], db)
    con = connect(db)
    from zhian.pipeline.metrics.ranking import rank_compounds

    rank_compounds(con, 2021)
    path = write_dashboard(con, folder / "看板.html", evaluate(con, D(2022, 8, 31)))
    con.close()
    return path, db


def _without_plotly(page: str) -> str:
    return re.sub(r"<script>/\*\*\s*\n\* plotly\.js.*?</script>", "", page, count=1, flags=re.S)


def test_plotly_is_inlined_exactly_once_and_nothing_is_fetched(demo_dashboard):
    page = demo_dashboard[0].read_text(encoding="utf-8")
    assert page.count("* plotly.js v") == 1
    rest = _without_plotly(page)
    assert "plotly.js v" not in rest
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", rest)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", rest)
    assert "@import" not in rest


def test_same_database_and_as_of_give_a_byte_identical_file(demo_dashboard, tmp_path):
    path, db = demo_dashboard
    copy = tmp_path / "again.duckdb"
    shutil.copy(db, copy)
    con = connect(copy)
    again = write_dashboard(con, tmp_path / "again.html", evaluate(con, D(2022, 8, 31)))
    con.close()
    assert again.read_bytes() == path.read_bytes()


def test_no_phone_or_id_number_of_the_demo_data_appears(demo_dashboard):
    page = demo_dashboard[0].read_text(encoding="utf-8")
    con = duckdb.connect(str(demo_dashboard[1]), read_only=True)
    secrets = {
        r[0]
        for r in con.execute("""
        select caller_phone from alerts where caller_phone is not null
        union select person_id from residents union select phone from residents where phone is not null
    """).fetchall()
    }
    con.close()
    assert len(secrets) > 1000
    assert secrets.isdisjoint(digit_windows(page))


def test_every_campaign_compound_and_target_is_in_the_page(demo_dashboard):
    page = demo_dashboard[0].read_text(encoding="utf-8")
    con = duckdb.connect(str(demo_dashboard[1]), read_only=True)
    rows = con.execute("select distinct campaign, compound, metric_name from metric_results").fetchall()
    con.close()
    for campaign, compound, metric_name in rows:
        assert campaign in page and compound in page and metric_name in page


def test_page_names_the_as_of_the_verdicts_and_the_definitions(demo_dashboard):
    page = demo_dashboard[0].read_text(encoding="utf-8")
    assert "评估日期：2022-08-31" in page
    assert "17 项指标：" in page
    for metric in catalogue.CATALOGUE:
        assert metric.definition in page
    assert "数据质量" in page and "主要拒绝原因" in page and "优先顺序" in page


def test_input_text_is_escaped_in_the_html(fresh_db, tmp_path):
    hostile = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
    seed(
        fresh_db,
        compounds=[(hostile, 100)],
        targets=[("整治<b>", hostile, D(2022, 7, 1), D(2022, 9, 30), "alarm_calls_yoy", "<=", -20)],
    )
    page = render(fresh_db, evaluate(fresh_db, D(2022, 8, 1)))
    assert hostile not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert "整治&lt;b&gt;" in page


def test_size_stays_under_six_megabytes_for_thirty_compounds(fresh_db, tmp_path):
    names = [f"测试小区{i:02d}" for i in range(30)]
    alerts = [
        {
            "compound": n,
            "alarm_at": dt.datetime(year, month, 1 + (i * 7) % 27, 10),
            "nature": "报警",
            "category": "治安",
            "offence": "盗窃",
        }
        for i, n in enumerate(names)
        for year in (2021, 2022)
        for month in range(1, 13)
        for _ in range(2)
    ]
    cases = [
        {"compound": n, "case_kind": kind, "event_at": dt.datetime(2022, 7, 10), "status": "filed", "offence": "盗窃"}
        for n in names
        for kind in ("criminal", "public_order")
    ]
    targets = []
    for metric in catalogue.CATALOGUE:
        op, value = {"count_change": ("<=", -20), "zero_count": ("=", 0)}.get(metric.kind, (">=", 70))
        targets.append(("全年整治", "全部", D(2022, 1, 1), D(2022, 12, 31), metric.code, op, value))
    seed(fresh_db, compounds=[(n, 500) for n in names], alerts=alerts, cases=cases, targets=targets)
    path = write_dashboard(fresh_db, tmp_path / "看板.html", evaluate(fresh_db, D(2022, 8, 31)))
    assert path.stat().st_size < 6 * 1024 * 1024, path.stat().st_size


def test_figure_builders_escape_labels():
    import polars as pl

    figure = figures.trend_figure(pl.DataFrame({"month": ["2022-07"], "category": ["<b>x</b>"], "alerts": [3]}))
    assert figure.data[0].name == "&lt;b&gt;x&lt;/b&gt;"


def test_cumulative_figure_has_this_year_last_year_target_and_pace():
    import polars as pl

    row = {
        "metric": "alarm_calls_yoy",
        "metric_name": "报警类110警情同比",
        "kind": "count_change",
        "window_start": D(2022, 7, 1),
        "window_end": D(2022, 9, 30),
        "current_end": D(2022, 7, 31),
        "window_state": "running",
        "target_percent": -20,
        "projected": 28.0,
        "status": "on_track",
    }
    daily = pl.DataFrame(
        {
            "metric": ["alarm_calls_yoy"] * 3,
            "day_index": [9, 50, 9],
            "events": [10, 30, 7],
            "is_baseline": [True, True, False],
        }
    )
    figure = figures.cumulative_figure([row], daily)
    names = [trace.name for trace in figure.data]
    assert names == ["去年同期", "目标线", "本期", "按当前进度预测"]
    assert list(figure.data[0].y) == [0, 10, 40, 40] and list(figure.data[1].y) == [0, 8, 32, 32]
    assert list(figure.data[2].y) == [0, 7, 7] and list(figure.data[3].y) == [7, 28.0]


@needs_chromium
def test_renders_in_headless_chromium_without_errors_and_shows_everything(demo_dashboard):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    report = open_page(
        demo_dashboard[0],
        screenshot=shot,
        script="document.querySelectorAll('details').forEach(d => { d.open = true; }); "
        "new Promise(done => setTimeout(() => "
        "done(document.querySelectorAll('.js-plotly-plot').length), 2000))",
    )
    assert report.errors == []
    assert report.failed_requests == []
    assert report.evaluated >= 10  # the charts were drawn by plotly.js
    con = duckdb.connect(str(demo_dashboard[1]), read_only=True)
    rows = con.execute("select distinct compound, metric_name from metric_results").fetchall()
    con.close()
    for compound, metric_name in rows:
        assert compound in report.text and metric_name in report.text
    assert shot.stat().st_size > 10_000


@needs_chromium
def test_hostile_compound_name_shows_as_text_and_runs_nothing(fresh_db, tmp_path):
    hostile = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
    alerts = [{"compound": hostile, "alarm_at": dt.datetime(2022, 7, 5, 10), "nature": "报警"}]
    seed(
        fresh_db,
        compounds=[(hostile, 100)],
        alerts=alerts,
        targets=[("整治", hostile, D(2022, 7, 1), D(2022, 9, 30), "alarm_calls_yoy", "<=", -20)],
    )
    path = write_dashboard(fresh_db, tmp_path / "看板.html", evaluate(fresh_db, D(2022, 8, 1)))
    report = open_page(path, script="String(window.pwned)")
    assert report.evaluated == "undefined"
    assert "<script>window.pwned=1</script>" in report.text
    assert report.errors == []
