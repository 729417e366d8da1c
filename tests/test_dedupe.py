"""One record per 警情编号 / 案件编号: the newest export wins, earlier versions go to history."""

import datetime as dt
import os

from tests.conftest import run_ingest, write_sheet

HEADER = ["警情编号", "报警时间", "警情性质", "事发地址"]
CASE_HEADER = ["案件编号", "案件类别", "立案时间", "案件状态", "破案时间"]


def _export(inbox, name, exported, rows, header=HEADER):
    return write_sheet(inbox, name, header, rows, titles=[f"导出时间：{exported}"])


def test_daily_and_monthly_exports_overlap_monthly_newer_wins(inbox, fresh_db):
    _export(inbox, "日报.xlsx", "2022-08-16 07:30:00", [["J1", "2022-08-15 09:00", "求助", "x路1号"]])
    _export(
        inbox,
        "月报.xlsx",
        "2022-09-01 08:00:00",
        [["J1", "2022-08-15 09:00", "报警", "x路1号"], ["J2", "2022-08-20 10:00", "报警", "x路1号"]],
    )
    run_ingest(inbox, fresh_db)
    assert fresh_db.execute("select alert_id, nature, source_file from alerts order by 1").fetchall() == [
        ("J1", "报警", "月报.xlsx"),
        ("J2", "报警", "月报.xlsx"),
    ]
    assert fresh_db.execute("select alert_id, nature, source_file from alerts_history").fetchall() == [
        ("J1", "求助", "日报.xlsx")
    ]


def test_an_older_export_arriving_later_goes_straight_to_history(inbox, fresh_db, tmp_path):
    _export(inbox, "新.xlsx", "2022-09-01 08:00:00", [["J1", "2022-08-15 09:00", "报警", "x路1号"]])
    run_ingest(inbox, fresh_db)
    _export(inbox, "旧.xlsx", "2022-08-16 07:30:00", [["J1", "2022-08-15 09:00", "求助", "x路1号"]])
    run_ingest(inbox, fresh_db)
    assert fresh_db.execute("select nature from alerts").fetchall() == [("报警",)]
    new_file = fresh_db.execute("select file_id from ingest_files where source_file = '新.xlsx'").fetchone()[0]
    assert fresh_db.execute("select nature, superseded_by_file_id from alerts_history").fetchall() == [
        ("求助", new_file)
    ]


def test_case_exported_again_with_a_new_status(inbox, fresh_db):
    _export(inbox, "刑事.xlsx", "2022-09-01 08:00:00", [["A1", "盗窃", "2022-07-01", "已立案", None]], CASE_HEADER)
    _export(
        inbox,
        "刑事更新.xlsx",
        "2022-09-05 17:00:00",
        [["A1", "盗窃", "2022-07-01", "已破案", "2022-09-03"]],
        CASE_HEADER,
    )
    run_ingest(inbox, fresh_db)
    assert fresh_db.execute("select status, solved_at::date::varchar from cases").fetchall() == [
        ("solved", "2022-09-03")
    ]
    assert fresh_db.execute("select status from cases_history").fetchall() == [("filed",)]


def test_without_export_time_the_file_modification_time_decides(inbox, fresh_db):
    old = write_sheet(inbox, "a.xlsx", HEADER, [["J1", "2022-08-15 09:00", "求助", "x路1号"]])
    new = write_sheet(inbox, "b.xlsx", HEADER, [["J1", "2022-08-15 09:00", "报警", "x路1号"]])
    for path, day in ((old, 20), (new, 10)):  # the file named b is older on disk
        stamp = dt.datetime(2022, 8, day, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()
        os.utime(path, (stamp, stamp))
    run_ingest(inbox, fresh_db)
    assert fresh_db.execute("select nature, source_file from alerts").fetchall() == [("求助", "a.xlsx")]


def test_same_id_twice_in_one_sheet_the_later_row_wins(inbox, fresh_db):
    _export(
        inbox,
        "a.xlsx",
        "2022-09-01 08:00:00",
        [["J1", "2022-08-15 09:00", "求助", "x路1号"], ["J1", "2022-08-15 09:00", "报警", "x路1号"]],
    )
    run_ingest(inbox, fresh_db)
    assert fresh_db.execute("select nature, source_row from alerts").fetchall() == [("报警", 4)]
    assert fresh_db.execute("select nature, source_row from alerts_history").fetchall() == [("求助", 3)]


def test_equal_export_times_the_file_loaded_later_wins(inbox, fresh_db):
    _export(inbox, "a.xlsx", "2022-09-01 08:00:00", [["J1", "2022-08-15 09:00", "求助", "x路1号"]])
    run_ingest(inbox, fresh_db)
    _export(inbox, "b.xlsx", "2022-09-01 08:00:00", [["J1", "2022-08-15 09:00", "报警", "x路1号"]])
    run_ingest(inbox, fresh_db)
    assert fresh_db.execute("select nature from alerts").fetchall() == [("报警",)]


def test_every_loaded_row_is_either_current_or_history(inbox, fresh_db):
    for day in range(1, 6):
        _export(
            inbox,
            f"日报{day}.xlsx",
            f"2022-08-{day + 1:02d} 07:00:00",
            [[f"J{i}", f"2022-08-{day:02d} 09:00", "报警", "x路1号"] for i in range(day, day + 3)],
        )
    report = run_ingest(inbox, fresh_db)
    loaded = sum(f.rows_loaded for f in report.files)
    current, history = fresh_db.execute(
        "select (select count(*) from alerts), (select count(*) from alerts_history)"
    ).fetchone()
    assert loaded == current + history == 15 and current == 7
