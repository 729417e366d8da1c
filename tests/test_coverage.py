"""Data coverage (数据覆盖): a figure is only as final as its data. Each test writes real
exports (fixtures/small.py), ingests them and asserts the figures and statuses that come out."""

from __future__ import annotations

import datetime as dt
import os
import random

import pytest

from tests.conftest import result, run_ingest
from zhian.dashboards.build import render
from zhian.fixtures import people
from zhian.fixtures.small import Alert, Resident, SmallInbox
from zhian.pipeline.db import connect
from zhian.pipeline.metrics.evaluate import evaluate
from zhian.pipeline.outputs.report import build_workbook

D, T = dt.date, dt.datetime
GARDEN = ("花园小区", "凤仙路", "12号", 40)
ALARM = ("整治", "花园小区", D(2022, 3, 1), D(2022, 12, 31), "报警类110警情", "下降20%")
TODAY = D(2026, 12, 1)


def _on(*days: dt.date, address: str = "凤仙路12号", **extra) -> list[Alert]:
    return [Alert(T.combine(day, dt.time(9)), address, **extra) for day in days]


# one alert on the 10th of every month March–December 2021; three this year by July
BASELINE = _on(*(D(2021, m, 10) for m in range(3, 13)))
CURRENT = _on(D(2022, 3, 10), D(2022, 5, 10), D(2022, 7, 10))


@pytest.fixture
def inbox(tmp_path):
    box = SmallInbox(tmp_path / "inbox")
    box.registry([GARDEN])
    box.targets([ALARM])
    box.alerts("警情2021.xlsx", BASELINE, exported=T(2022, 1, 4, 9))
    return box


@pytest.fixture
def load(tmp_path):
    opened = []

    def _load(box: SmallInbox):
        con = connect(tmp_path / f"z{len(opened)}.duckdb")
        opened.append(con)
        run_ingest(box.folder, con)
        return con

    yield _load
    for con in opened:
        con.close()


def test_stale_exports_give_a_pace_status_as_of_the_data_not_a_final_one(inbox, load):
    inbox.alerts("警情2022.xlsx", CURRENT, exported=T(2022, 9, 5, 9))
    row = result(load(inbox), TODAY)
    # cut to 2022-09-04 both ways: 3 against the 6 of 2021-03-01…09-04, not against all 10
    assert (row["actual"], row["baseline"], row["covered_to"], row["evaluated_to"]) == (
        3,
        6,
        D(2022, 9, 4),
        D(2022, 9, 4),
    )
    assert row["status"] == "on_track"  # projected 3 × 10/6 = 5 against 10: on track, not 达标
    assert row["note"].startswith("110警情数据截至 2022-09-04，整治期末尚无数据")


def test_an_export_listing_nothing_still_covers_its_days(inbox, load):
    inbox.alerts("警情2022.xlsx", CURRENT, exported=T(2022, 9, 5, 9))
    inbox.alerts("警情2022年9-12月.xlsx", [], exported=T(2023, 1, 5, 9))
    row = result(load(inbox), TODAY)
    assert (row["actual"], row["baseline"], row["covered_to"]) == (3, 10, D(2023, 1, 4))
    assert (row["status"], row["note"]) == ("met", None)


def test_an_export_at_the_end_of_its_day_covers_that_day(inbox, load):
    inbox.alerts("警情2022.xlsx", CURRENT, exported=T(2022, 12, 31, 23, 59, 30))
    row = result(load(inbox), TODAY)
    assert (row["covered_to"], row["status"]) == (D(2022, 12, 31), "met")


def test_coverage_from_the_export_date_in_the_file_name(inbox, load):
    inbox.alerts("警情导出20220905.xlsx", CURRENT)
    con = load(inbox)
    row = result(con, TODAY)
    assert (row["covered_to"], row["status"]) == (D(2022, 9, 4), "on_track")
    basis = con.execute("select basis from export_coverage where sheet = '警情' and covered_to = '2022-09-04'")
    assert basis.fetchall() == [("文件名",)]


def test_without_a_stated_export_time_the_last_record_is_the_coverage_not_the_file_time(inbox, load):
    path = inbox.alerts("警情2022.xlsx", CURRENT)  # no title row, no date in the name
    stamp = T(2030, 1, 1).timestamp()
    os.utime(path, (stamp, stamp))  # copied into the inbox much later
    con = load(inbox)
    row = result(con, TODAY)
    assert (row["covered_to"], row["actual"], row["baseline"]) == (D(2022, 7, 10), 3, 5)
    assert row["status"] in ("on_track", "at_risk")
    shown = con.execute("select basis from source_coverage where source = 'alerts' and station = '沙河派出所'")
    assert shown.fetchall() == [("最后记录日期",)]


def test_each_station_is_covered_by_its_own_exports(tmp_path, load):
    box = SmallInbox(tmp_path / "inbox")
    box.registry([GARDEN, ("桂园小区", "桂园路", "3号", 40, "九亭派出所")])
    box.targets([ALARM, ("整治", "桂园小区", *ALARM[2:])])
    box.alerts("沙河警情.xlsx", [*BASELINE, *CURRENT], exported=T(2023, 1, 5, 9))
    jiuting = [*_on(D(2021, 4, 1), D(2022, 4, 1), address="桂园路3号", unit="九亭派出所")]
    box.alerts("九亭警情.xlsx", jiuting, exported=T(2022, 6, 1, 8))
    con = load(box)
    garden = result(con, TODAY, compound="花园小区")
    osmanthus = result(con, TODAY, compound="桂园小区")
    assert (garden["covered_to"], garden["status"]) == (D(2023, 1, 4), "met")
    assert (osmanthus["covered_to"], osmanthus["status"]) == (D(2022, 5, 31), "at_risk")


def test_a_zero_target_missed_stays_missed_and_met_needs_the_whole_window(inbox, load):
    fire = ("整治", "花园小区", D(2022, 3, 1), D(2022, 12, 31), "重大火灾事故", "不发生")
    inbox.targets([ALARM, fire], name="整治目标.xlsx")
    inbox.alerts("警情2022.xlsx", CURRENT, exported=T(2022, 9, 5, 9))
    con = load(inbox)
    assert result(con, TODAY, "major_fire_incidents")["status"] == "on_track"  # no fire by 09-04: not yet met

    box = SmallInbox(inbox.folder.parent / "with-fire")
    box.registry([GARDEN])
    box.targets([fire])
    burning = _on(D(2022, 4, 2), nature="求助", category="灾害事故", alert_type="火灾")
    box.alerts("警情2022.xlsx", burning, exported=T(2022, 9, 5, 9))
    row = result(load(box), TODAY, "major_fire_incidents")
    # 是否重大 is not exported: a fire counts only when it is major — none here
    assert row["status"] == "on_track"


def test_a_source_never_loaded_gives_no_data_not_a_zero(inbox, load):
    inbox.targets([ALARM, ("整治", "花园小区", D(2022, 3, 1), D(2022, 12, 31), "刑事案件破案率", "≥70%")])
    inbox.alerts("警情2022.xlsx", CURRENT, exported=T(2023, 1, 5, 9))
    row = result(load(inbox), TODAY, "criminal_clearance_rate")
    assert (row["status"], row["denominator"], row["note"]) == ("no_data", None, "尚未载入刑事案件数据")


def test_records_dated_after_their_export_are_rejected_with_the_reason(tmp_path, load):
    rng = random.Random(7)
    box = SmallInbox(tmp_path / "inbox")
    box.registry([GARDEN])
    box.targets([("整治", "花园小区", D(2022, 3, 1), D(2022, 12, 31), "实有人口采集登记率", "≥98%")])
    residents = [Resident(people.resident_id(rng), people.name(rng), "凤仙路12号", D(2022, 1, 5 + i)) for i in range(3)]
    residents.append(Resident(people.resident_id(rng), people.name(rng), "凤仙路12号", D(2022, 12, 1)))
    box.residents("实有人口.xlsx", residents, exported=T(2022, 8, 31, 18))
    con = load(box)
    rejected = con.execute("select row_number, column_name, value, reason from rejected_rows").fetchall()
    assert rejected == [
        (7, "采集日期", "2022-12-01", "日期晚于本表的导出时间（2022-08-31 18:00），不可能已经发生，请核对")
    ]
    row = result(con, TODAY)
    assert (row["numerator"], row["denominator"], row["covered_to"]) == (3, 40, D(2022, 8, 30))


def test_the_demo_today_shows_no_final_status_its_data_does_not_cover(demo_inbox, tmp_path):
    con = connect(tmp_path / "demo.duckdb")
    run_ingest(demo_inbox[0], con)
    row = result(con, TODAY, "alarm_calls_yoy", "茵芳小区")
    # exports end with September's first day: 2022-03-01…08-31 against 2021-03-01…08-31
    assert (row["covered_to"], row["status"]) == (D(2022, 8, 31), "on_track")
    assert row["note"].startswith("110警情数据截至 2022-08-31，整治期末尚无数据")
    assert row["baseline"] < row["baseline_full"]
    # the dashboard's header and the report's 摘要 say so, per source, and warn in words
    evaluation = evaluate(con, TODAY, publish=False)
    page = render(con, evaluation)
    summary = [c.value for c in build_workbook(con, evaluation)["摘要"]["A"] if c.value]
    for text in (page, "\n".join(summary)):
        assert "110警情数据截至 2022-08-31（按导出时间）" in text
        assert "实有人口数据截至 2022-08-30（按导出时间）" in text
        assert "注意：评估日期 2026-12-01 晚于110警情、刑事案件、治安案件、实有人口数据的截至日期" in text
    assert not any(line.startswith("数据截至：2026-12-01") for line in summary)
    con.close()
