"""110 alerts: aliases, layouts, natures from words and code trees, rejections with reasons."""

import datetime as dt

from tests.conftest import run_ingest, write_registry, write_sheet
from zhian.fixtures.writers import SheetSpec, write_xlsx
from zhian.pipeline.settings import Settings

HEADER = ["警情编号", "报警时间", "警情性质", "警情类别", "警情类型", "事发地址"]


def _alerts(con, columns="alert_id, nature, category, offence"):
    return con.execute(f"select {columns} from alerts order by alert_id").fetchall()


def _rejected(con):
    return con.execute(
        "select sheet, row_number, column_name, value, reason from rejected_rows order by row_number"
    ).fetchall()


def test_title_rows_blank_rows_and_totals_row_are_not_data(inbox, fresh_db):
    rows = [
        ["J1", "2022-07-01 08:00", "报警", "治安", "盗窃", "凤仙路1号"],
        [None] * 6,
        ["J2", "2022-07-02 08:00", "求助", None, None, "凤仙路2号"],
        ["合计", "2"],
    ]
    write_sheet(inbox, "a.xlsx", HEADER, rows, titles=["沙河派出所2022年7月警情", "导出时间：2022-08-01 09:00:00"])
    report = run_ingest(inbox, fresh_db)
    sheet = report.files[0].sheets[0]
    assert (sheet.header_row, sheet.rows_read, sheet.rows_loaded, sheet.rows_blank, sheet.rows_total) == (3, 4, 2, 1, 1)
    assert sheet.export_at == dt.datetime(2022, 8, 1, 9, 0) and sheet.export_time_source == "标题行"
    assert _rejected(fresh_db) == []


def test_export_time_falls_back_to_file_modification_time(inbox, fresh_db):
    path = write_sheet(inbox, "a.xlsx", HEADER, [["J1", "2022-07-01", "报警", "治安", None, "x路1号"]])
    stamp = dt.datetime(2022, 8, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()
    import os

    os.utime(path, (stamp, stamp))
    sheet = run_ingest(inbox, fresh_db).files[0].sheets[0]
    assert sheet.export_at == dt.datetime(2022, 8, 2, 10, 0) and sheet.export_time_source == "文件修改时间"


def test_unknown_nature_is_rejected_with_the_value_quoted_and_other_rows_load(inbox, fresh_db):
    write_sheet(
        inbox,
        "a.xlsx",
        HEADER,
        [["J1", "2022-07-01", "其它类", None, None, "x路1号"], ["J2", "2022-07-01", "报警", "治安", None, "x路1号"]],
    )
    run_ingest(inbox, fresh_db)
    assert _rejected(fresh_db) == [("Sheet1", 2, "警情性质", "其它类", _rejected(fresh_db)[0][4])]
    assert "“其它类”" in _rejected(fresh_db)[0][4]
    assert [r[0] for r in _alerts(fresh_db)] == ["J2"]


def test_every_failure_of_a_row_is_reported_in_one_run(inbox, fresh_db):
    write_sheet(inbox, "a.xlsx", HEADER, [["J1", "不是日期", "乱写", "天气", None, "x路1号"]])
    run_ingest(inbox, fresh_db)
    assert {r[2] for r in _rejected(fresh_db)} == {"报警时间", "警情性质", "警情类别"}


def test_missing_alert_id_is_rejected(inbox, fresh_db):
    write_sheet(inbox, "a.xlsx", HEADER, [[None, "2022-07-01", "报警", "治安", None, "x路1号"]])
    run_ingest(inbox, fresh_db)
    assert "缺少必填项“警情编号”" in _rejected(fresh_db)[0][4]


def test_category_implies_alarm_when_there_is_no_nature_column(inbox, fresh_db):
    header = ["警情编号", "报警时间", "警情类别", "事发地址"]
    rows = [[f"J{i}", "2022-07-01", c, "x路1号"] for i, c in enumerate(["刑事", "治安", "火灾", "交通", "纠纷"])]
    write_sheet(inbox, "a.xlsx", header, rows)
    run_ingest(inbox, fresh_db)
    assert [r[1] for r in _alerts(fresh_db)] == ["报警", "报警", "报警", "报警", None]


def test_tree_names_and_codes_with_confirmed_over_original(inbox, fresh_db):
    header = ["事件单编号", "接警时间", "原始警情性质", "确认警情性质", "确认警情编码", "警情地址"]
    rows = [
        ["E1", "2022-07-01", "群众紧急求助类警情", "行政（治安）类警情", "02052000", "x路1号"],
        ["E2", "2022-07-01", "行政（治安）类警情", "群众紧急求助类警情", "06080100", "x路1号"],
        ["E3", "2022-07-01", "取消报警", None, None, "x路1号"],
        ["E4", "2022-07-01", None, "J020000", None, "x路1号"],
    ]
    write_sheet(inbox, "a.xlsx", header, rows)
    report = run_ingest(inbox, fresh_db)
    assert _alerts(fresh_db) == [
        ("E1", "报警", "治安", "赌博"),
        ("E2", "求助", "灾害事故", "火灾"),
        ("E3", "无效", None, None),
        ("E4", "报警", "治安", None),
    ]
    assert any("确认警情性质为准" in n for n in report.files[0].sheets[0].notes)


def test_unknown_code_is_rejected_and_can_be_added_to_the_table(inbox, fresh_db, tmp_path):
    header = ["警情编号", "报警时间", "确认警情编码", "事发地址"]
    write_sheet(inbox, "a.xlsx", header, [["J1", "2022-07-01", "Z999", "x路1号"]])
    run_ingest(inbox, fresh_db)
    assert "Z999" in _rejected(fresh_db)[0][4]


def test_sheet_without_any_category_column_loads_with_category_unknown(inbox, fresh_db):
    write_sheet(inbox, "a.xlsx", ["事件单编号", "接警时间", "警情地址"], [["E1", "2022-07-01", "x路1号"]])
    report = run_ingest(inbox, fresh_db)
    assert _alerts(fresh_db, "alert_id, nature, category, classified_by") == [("E1", None, None, "none")]
    assert any("类别未知" in n for n in report.files[0].sheets[0].notes)


def test_declared_sheet_type_fills_category_of_a_filtered_export(inbox, fresh_db, tmp_path):
    write_sheet(inbox, "九亭火灾警情.xlsx", ["事件单编号", "接警时间", "警情地址"], [["E1", "2022-07-01", "x路1号"]])
    declarations = tmp_path / "sheet_types.csv"
    declarations.write_text(
        "文件,工作表,警情性质,警情类别,警情类型\n*火灾*,*,求助,灾害事故,火灾事故\n", encoding="utf-8"
    )
    config = tmp_path / "zhian.toml"
    config.write_text(f'[ingest]\nsheet_types = "{declarations.name}"\n', encoding="utf-8")
    run_ingest(inbox, fresh_db, Settings.load(config))
    assert _alerts(fresh_db, "alert_id, nature, category, offence, classified_by") == [
        ("E1", "求助", "灾害事故", "火灾", "declared")
    ]


def test_hidden_sheet_is_loaded_and_noted(inbox, fresh_db):
    write_xlsx(
        inbox / "a.xlsx",
        [
            SheetSpec("说明", ["备注"], [["见隐藏表"]]),
            SheetSpec("补录", HEADER, [["J1", "2022-07-01", "报警", "治安", None, "x路1号"]], hidden=True),
        ],
    )
    report = run_ingest(inbox, fresh_db)
    hidden = report.files[0].sheets[1]
    assert hidden.visibility == "hidden" and hidden.notes[0].startswith("隐藏工作表")
    assert report.files[0].sheets[0].outcome == "skipped"
    assert len(_alerts(fresh_db)) == 1


def test_duplicated_header_with_differing_values_rejects_the_row(inbox, fresh_db):
    header = ["警情编号", "报警时间", "警情性质", "事发地址", "发生地点"]
    rows = [
        ["J1", "2022-07-01", "报警", "凤仙路1号", "凤仙路1号"],
        ["J2", "2022-07-01", "报警", "凤仙路1号", "凤仙路9号"],
    ]
    write_sheet(inbox, "a.xlsx", header, rows)
    run_ingest(inbox, fresh_db)
    assert [r[0] for r in _alerts(fresh_db)] == ["J1"]
    assert "两次且取值不同" in _rejected(fresh_db)[0][4]


def test_full_width_ids_and_addresses_are_normalised(inbox, fresh_db):
    write_registry(inbox)
    write_sheet(
        inbox, "a.xlsx", HEADER, [["Ｊ１", "２０２２-07-01 08:00", "报警", "治安", None, "凤仙路４５７号附２号"]]
    )
    run_ingest(inbox, fresh_db)
    assert _alerts(fresh_db, "alert_id, compound") == [("J1", "花园小区")]


def test_twelve_hour_dump_is_warned_about(inbox, fresh_db):
    rows = [[f"J{i}", f"2022-07-{i % 28 + 1:02d} {i % 12 + 1}:15", "报警", "治安", None, "x路1号"] for i in range(240)]
    write_sheet(inbox, "a.xlsx", HEADER, rows)
    report = run_ingest(inbox, fresh_db)
    assert any("12小时制" in n for n in report.files[0].sheets[0].notes)


def test_code_name_values_use_the_name(inbox, fresh_db):
    header = ["警情编号", "报警时间", "警情性质", "事发地址", "派出所名称"]
    write_sheet(inbox, "a.xlsx", header, [["J1", "2022-07-01", "报警", "x路1号", "440100-广州市公安局"]])
    run_ingest(inbox, fresh_db)
    assert _alerts(fresh_db, "unit")[0][0] == "440100-广州市公安局"  # kept as given for units
