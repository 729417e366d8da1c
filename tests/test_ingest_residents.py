"""Resident records: ID checks, population types from columns or names, one record per ID."""

from tests.conftest import run_ingest, write_registry, write_sheet
from zhian.fixtures.people import with_bad_checksum
from zhian.pipeline.values.idnumbers import check_digit

ID1 = "11010519491231002" + check_digit("11010519491231002")
ID2 = "31011719800101123" + check_digit("31011719800101123")


def _residents(con, columns="person_id, population_type, type_source"):
    return con.execute(f"select {columns} from residents order by person_id").fetchall()


def _reasons(con):
    return [r[0] for r in con.execute("select reason from rejected_rows order by row_number").fetchall()]


def test_bad_ids_are_rejected_with_reasons(inbox, fresh_db):
    header = ["身份证号", "人口类型", "居住地址"]
    rows = [
        [ID1, "户籍人口", "x路1号"],
        [with_bad_checksum(ID2), "流动人口", "x路1号"],
        ["1.10101E+17", "户籍", "x路1号"],
        [ID2[:6] + ID2[8:17], "户籍", "x路1号"],
        ["E12345678", "流动", "x路1号"],
    ]
    write_sheet(inbox, "人口.xlsx", header, rows)
    run_ingest(inbox, fresh_db)
    reasons = _reasons(fresh_db)
    assert "校验位" in reasons[0] and "科学计数法" in reasons[1] and "15位" in reasons[2] and "18位" in reasons[3]
    assert _residents(fresh_db, "person_id") == [(ID1,)]


def test_passport_numbers_of_foreigners_skip_the_checksum(inbox, fresh_db):
    write_sheet(inbox, "人口.xlsx", ["证件号码", "人口类型", "现住址"], [["E12345678", "境外人员", "x路1号"]])
    run_ingest(inbox, fresh_db)
    assert _residents(fresh_db, "person_id, population_type, id_kind") == [("E12345678", "境外", "境外证件")]


def test_type_comes_from_sheet_name_then_file_name(inbox, fresh_db):
    write_sheet(inbox, "九亭流动人口.xlsx", ["公民身份号码", "现住地详址"], [[ID1, "x路1号"]], sheet="Sheet1")
    write_sheet(inbox, "导出.xlsx", ["公民身份号码", "现住地址"], [[ID2, "x路1号"]], sheet="常住人口")
    report = run_ingest(inbox, fresh_db)
    assert _residents(fresh_db) == [(ID1, "流动", "文件名"), (ID2, "户籍", "工作表名")]
    assert all(any("人口类型" in n for n in f.sheets[0].notes) for f in report.files)


def test_no_type_anywhere_loads_as_unstated_not_guessed(inbox, fresh_db):
    write_sheet(inbox, "导出.xlsx", ["公民身份号码", "现住地址"], [[ID1, "x路1号"]])
    report = run_ingest(inbox, fresh_db)
    assert _reasons(fresh_db) == []
    assert fresh_db.execute("select population_type, type_source from residents").fetchall() == [("未注明", "未注明")]
    assert any("未注明" in note for note in report.files[0].sheets[0].notes)


def test_is_permanent_flag_gives_the_type(inbox, fresh_db):
    write_sheet(
        inbox, "人口.xlsx", ["公民身份号码", "是否常住", "现住址"], [[ID1, "是", "x路1号"], [ID2, "否", "x路1号"]]
    )
    run_ingest(inbox, fresh_db)
    assert _residents(fresh_db, "person_id, population_type") == [(ID1, "户籍"), (ID2, "流动")]


def test_resident_id_column_wins_over_document_number(inbox, fresh_db):
    write_sheet(
        inbox, "人口.xlsx", ["公民身份号码", "证件号码", "人口类型", "现住址"], [[ID1, "居123", "户籍", "x路1号"]]
    )
    run_ingest(inbox, fresh_db)
    assert _residents(fresh_db, "person_id, doc_id") == [(ID1, "居123")]


def test_household_address_is_never_used_for_attribution(inbox, fresh_db):
    write_registry(inbox)
    header = ["公民身份号码", "人口类型", "现住门（楼）详址", "户籍门（楼）详址"]
    write_sheet(inbox, "人口.xlsx", header, [[ID1, "户籍", "白岩路1号", "凤仙路457号附1号"]])
    run_ingest(inbox, fresh_db)
    assert _residents(fresh_db, "person_id, compound, household_address") == [(ID1, None, "凤仙路457号附1号")]


def test_duplicate_id_keeps_one_record_and_the_later_row_wins(inbox, fresh_db):
    header = ["公民身份号码", "人口类型", "现住址", "核查结果"]
    write_sheet(inbox, "人口.xlsx", header, [[ID1, "户籍", "x路1号", None], [ID1, "户籍", "x路1号", "准确"]])
    run_ingest(inbox, fresh_db)
    assert _residents(fresh_db, "person_id, verification") == [(ID1, "准确")]
    assert fresh_db.execute("select count(*) from residents_history").fetchone()[0] == 1


def test_verification_time_without_result_is_not_checked_by_default(inbox, fresh_db):
    header = ["公民身份号码", "人口类型", "现住址", "核实时间", "核查结果"]
    rows = [[ID1, "户籍", "x路1号", "2022-07-01", None], [ID2, "户籍", "x路1号", None, "错误"]]
    write_sheet(inbox, "人口.xlsx", header, rows)
    run_ingest(inbox, fresh_db)
    assert _residents(fresh_db, "person_id, verification") == [(ID1, "未核查"), (ID2, "不准确")]


def test_registration_dates_in_every_spelling(inbox, fresh_db):
    header = ["公民身份号码", "人口类型", "现住址", "登记日期"]
    write_sheet(
        inbox, "人口.xlsx", header, [[ID1, "户籍", "x路1号", "2022年7月1日"], [ID2, "户籍", "x路1号", "20220702"]]
    )
    run_ingest(inbox, fresh_db)
    assert _residents(fresh_db, "registered_at::varchar") == [("2022-07-01",), ("2022-07-02",)]
