"""The leader dashboard: one offline HTML file, deterministic, escaped, small, no personal
data — checked in the file and in a real headless Chromium with the network blocked."""

import datetime as dt
import re
import shutil
from html.parser import HTMLParser
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


class _VisibleText(HTMLParser):
    """The text a reader sees: every text node outside <script> and <style>."""

    def __init__(self):
        super().__init__()
        self.hidden, self.texts = 0, []

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def test_no_english_is_visible_outside_file_names(demo_dashboard):
    path, db = demo_dashboard
    con = duckdb.connect(str(db), read_only=True)
    names = {
        r[0] for r in con.execute("select source_file from ingest_files union select sheet from ingest_log").fetchall()
    }
    con.close()
    parser = _VisibleText()
    parser.feed(path.read_text(encoding="utf-8"))
    assert len(parser.texts) > 500
    for text in parser.texts:
        shown = text
        for name in sorted(names - {None}, key=len, reverse=True):
            shown = shown.replace(name, "")
        shown = re.sub(r"\.(xlsx|xls|csv)\b", "", shown).replace("由 zhian 生成", "")
        assert not re.search(r"[A-Za-z]", shown), text


def test_every_rule_the_demo_rejects_by_has_a_chinese_name(demo_dashboard):
    from zhian.pipeline.outputs import wording

    con = duckdb.connect(str(demo_dashboard[1]), read_only=True)
    rules = {r[0] for r in con.execute("select distinct rule from rejected_rows").fetchall()}
    con.close()
    assert {"parsed", "problem", "after_export"} <= rules
    assert rules <= set(wording.RULE_NAMES)


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
    assert '<span class="days">22 项指标　距整治期结束还有 30 天</span>' in page  # the 茵芳 verdict card
    assert page.index('id="c0-verdict"') < page.index('id="freshness"')  # verdicts before the data tables
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

    frame = pl.DataFrame({"month": ["2022-07"], "category": ["<b>x</b>"], "alerts": [3]})
    figure = figures.trend_figure(frame, D(2022, 7, 31), "<i>小区</i>")
    assert figure.data[0].name == "&lt;b&gt;x&lt;/b&gt;"
    assert figure.layout.title.text.startswith("&lt;i&gt;小区&lt;/i&gt;")


def test_the_monthly_chart_shows_months_without_alerts_as_zero_on_a_date_axis():
    # 和祥小区 had no alerts in 2021-02: the category axis left the month out
    import polars as pl

    frame = pl.DataFrame({"month": ["2021-01", "2021-03"], "category": ["治安", "治安"], "alerts": [4, 2]})
    figure = figures.trend_figure(frame, D(2021, 3, 15), "和祥小区", data_from=D(2021, 1, 5))
    assert list(figure.data[0].x) == ["2021-01-01", "2021-02-01", "2021-03-01"]  # not before the data begins
    assert list(figure.data[0].y) == [4, 0, 2]
    assert figure.layout.xaxis.type == "date" and figure.layout.xaxis.tickformat == "%Y年%-m月"
    assert figure.layout.yaxis.title.text == "警情（起）" and figure.layout.xaxis.title.text == "月份"
    assert "近24个月每月110警情" in figure.layout.title.text


def test_the_hour_map_counts_each_alert_in_its_weekday_and_hour_and_names_the_top_hours(fresh_db):
    from zhian.pipeline import db
    from zhian.pipeline.outputs import wording

    T = dt.datetime
    # 2022-07-04 is a Monday; last year's same dates: 2021-07-04 a Sunday
    this_year = [T(2022, 7, 4, 20, 5), T(2022, 7, 4, 20, 40), T(2022, 7, 11, 20, 1), T(2022, 7, 5, 9, 30)]
    this_year += [T(2022, 7, 6, 14, 0), T(2022, 7, 6, 0, 0)]  # 00:00:00: exported without its time
    last_year = [T(2021, 7, 4, 23, 10), T(2021, 8, 2, 8, 0), T(2022, 6, 30, 20, 0)]  # the last: before the window
    alerts = [{"compound": "A", "alarm_at": when, "nature": "报警"} for when in this_year + last_year]
    seed(fresh_db, compounds=["A"], alerts=alerts, targets=[("整治", "A", D(2022, 7, 1), D(2022, 9, 30),
         "alarm_calls_yoy", "<=", -20)])  # fmt: skip
    evaluation = evaluate(fresh_db, D(2022, 8, 31))
    params = {"evaluation": evaluation.evaluation_id, "station": None, "alert_metrics": catalogue.ALERT_METRICS}
    grid = db.query(fresh_db, "outputs/alert_hours.sql", params).pl()
    now = grid.filter(grid["period"] == "本期")
    cells = {(w, h): n for w, h, n in now.select("weekday", "hour", "alerts").iter_rows() if n}
    assert cells == {(1, 20): 3, (2, 9): 1, (3, 14): 1}
    assert int(now["without_time"].sum()) == 1
    before = grid.filter(grid["period"] == "同期")
    assert {(w, h): n for w, h, n in before.select("weekday", "hour", "alerts").iter_rows()} == {(7, 23): 1, (1, 8): 1}
    by_hour = {20: 3, 9: 1, 14: 1}
    assert (
        wording.top_hours_text(wording.top_hours(by_hour)) == "20时至21时（3起）、9时至10时（1起）、14时至15时（1起）"
    )
    page = render(fresh_db, evaluation)
    assert "警情时段分布（星期 × 小时）（另有 1 起只有日期、没有时间，未计入）" in page
    from zhian.pipeline.outputs.report import build_workbook

    sheet = build_workbook(fresh_db, evaluation)["警情时段"]
    assert [c.value for c in sheet[3]] == [
        "整治", "A", 5, "20时至21时（3起）、9时至10时（1起）、14时至15时（1起）", 2,
        "8时至9时（1起）、23时至24时（1起）", 1,
    ]  # fmt: skip


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


LAYOUT_CHECK = """
new Promise(done => setTimeout(() => {
  const grids = [...document.querySelectorAll('.grid')].map(grid => {
    const first = grid.querySelector('th.first');
    const box = grid.getBoundingClientRect();
    const headers = [...grid.querySelectorAll('tr:first-child th')];
    return {
      overflows: grid.scrollWidth > grid.clientWidth + 1,
      sticky: getComputedStyle(first).position === 'sticky',
      hidden: headers.filter(th => th.getBoundingClientRect().right > box.right + 1).length,
      tallest: Math.max(...headers.map(th => th.getBoundingClientRect().height)),
    };
  });
  const plots = [...document.querySelectorAll('script[data-plot]')].map(script => {
    const holder = document.getElementById(script.getAttribute('data-plot'));
    const rect = holder.getBoundingClientRect();
    return {id: holder.id, want: JSON.parse(script.textContent).layout.height, height: rect.height,
            width: rect.width, drawn: !!holder.querySelector('.main-svg')};
  });
  done({grids, plots, page: document.documentElement.scrollWidth, viewport: window.innerWidth});
}, 1500))
"""
OPEN_ALL = "document.querySelectorAll('details').forEach(d => { d.open = true; });"


def _assert_fits(layout: dict) -> None:
    assert layout["page"] <= layout["viewport"], layout  # no horizontal scrolling of the page
    for grid in layout["grids"]:
        # every target and compound column visible, or a sticky first column while it scrolls
        assert (not grid["overflows"] and grid["hidden"] == 0) or grid["sticky"], grid
        assert grid["tallest"] < 200, grid  # headers wrap to a few lines, not one character per line
    for plot in layout["plots"]:
        assert plot["drawn"] and abs(plot["height"] - plot["want"]) <= 2, plot  # no collapsed chart
        assert plot["width"] <= layout["viewport"], plot


@pytest.fixture(scope="module")
def wide_dashboard(tmp_path_factory):
    """Every target of the catalogue (25) for 17 compounds with long names, and for one compound
    (the 茵芳 shape), with a few records: the widest grids a town's campaign makes."""
    folder = tmp_path_factory.mktemp("wide")
    con = connect(folder / "z.duckdb")
    compounds = [f"第{i}号职工宿舍小区（老旧片区）" for i in range(1, 18)]
    ops = {
        "count_change": ("<=", -20),
        "rate": (">=", 70),
        "zero_count": ("=", 0),
        "stock_rate": (">=", 95),
        "ledger_rate": (">=", 90),
        "ledger_count": ("=", 0),
    }
    targets = [
        (campaign, compound, D(2022, 7, 1), D(2022, 9, 30), m.code, *ops[m.kind])
        for campaign, names in (("片区整治", compounds), ("挂牌整治", compounds[:1]))
        for compound in names
        for m in catalogue.CATALOGUE
    ]
    alerts = [
        {"compound": compound, "alarm_at": dt.datetime(year, 7, 1 + i % 28, i % 24), "nature": "报警"}
        for compound in compounds
        for year in (2021, 2022)
        for i in range(12 if year == 2021 else 9)
    ]
    seed(con, compounds=compounds, alerts=alerts, targets=targets)
    path = write_dashboard(con, folder / "看板.html", evaluate(con, D(2022, 8, 31)))
    con.close()
    return path


@needs_chromium
@pytest.mark.parametrize(
    ("page", "first", "then"),
    [("demo", (1920, 1080), (1366, 768)), ("wide", (1366, 768), (1920, 1080))],
)
def test_every_grid_fits_an_office_screen_and_no_chart_collapses_after_a_resize(
    demo_dashboard, wide_dashboard, page, first, then
):
    # each page at both office screen sizes, loaded at one and resized to the other: the
    # ranking chart used to collapse from 676 to 102 px on any resize, and stay collapsed
    path = demo_dashboard[0] if page == "demo" else wide_dashboard
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"dashboard-{page}.png"
    report = open_page(
        path,
        screenshot=shot,
        script=OPEN_ALL + LAYOUT_CHECK,
        width=first[0],
        height=first[1],
        resize=then,
        after_resize=LAYOUT_CHECK,
        shot_height=3000,  # the first screens, as a reader opens the page
    )
    assert report.errors == [] and report.failed_requests == []  # nothing fetched, no console error
    for layout, size in ((report.evaluated, first), (report.after_resize, then)):
        assert layout["viewport"] == size[0]
        _assert_fits(layout)
        if page == "demo":  # the demo's grids need no scrolling at all
            assert not any(grid["overflows"] for grid in layout["grids"])
    assert sum(plot["drawn"] for plot in report.after_resize["plots"]) >= 10  # plotly.js drew the charts
    if page == "demo":  # every compound and target is on the page as a reader sees it
        con = duckdb.connect(str(demo_dashboard[1]), read_only=True)
        rows = con.execute("select distinct compound, metric_name from metric_results").fetchall()
        con.close()
        for compound, metric_name in rows:
            assert compound in report.text and metric_name in report.text
    assert shot.stat().st_size > 10_000
