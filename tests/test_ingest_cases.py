"""Case registers: splitting criminal from public order, statuses, penalties in all forms."""

from tests.conftest import run_ingest, write_sheet
from zhian.fixtures.writers import SheetSpec, write_xlsx


def _cases(con, columns="case_id, case_kind, status, offence"):
    return con.execute(f"select {columns} from cases order by case_id").fetchall()


def _reasons(con):
    return [r[0] for r in con.execute("select reason from rejected_rows order by row_number").fetchall()]


def test_criminal_register_of_the_contract(inbox, fresh_db):
    header = [
        "案件编号",
        "案件类别",
        "立案时间",
        "案件状态",
        "破案时间",
        "是否既遂",
        "受害人是否财会人员",
        "损失金额(元)",
    ]
    rows = [
        ["A1", "入室盗窃", "2022-07-01", "已立案", None, None, "否", "1,200"],
        ["A2", "电信网络诈骗", "2022-07-02", "已破案", "2022-07-20", "是", "是", "50000元"],
        ["A3", "合同诈骗", "2022-07-03", "已撤案", None, None, None, None],
    ]
    write_sheet(inbox, "刑事案件.xlsx", header, rows)
    run_ingest(inbox, fresh_db)
    assert _cases(
        fresh_db,
        "case_id, case_kind, status, offence, is_economic_fraud, is_completed, is_victim_accountant, loss_amount",
    ) == [
        ("A1", "criminal", "filed", "盗窃", False, None, False, 1200.0),
        ("A2", "criminal", "solved", "电信网络诈骗", False, True, True, 50000.0),
        ("A3", "criminal", "withdrawn", "诈骗", True, None, None, None),
    ]


def test_public_order_register_with_penalty_results(inbox, fresh_db):
    header = ["案件编号", "案由", "受理时间", "案件状态", "结案时间", "处理结果"]
    rows = [
        ["X1", "殴打他人", "2022-07-01", "已结案", "2022-07-05", "行政拘留10日"],
        ["X2", "赌博", "2022-07-01", "已调解", "2022-07-03", "调解结案"],
        ["X3", "寻衅滋事", "2022-07-01", "已处罚", None, None],
        ["X4", "故意毁坏财物", "2022-07-01", "不予受理", None, None],
    ]
    write_sheet(inbox, "治安案件.xlsx", header, rows)
    run_ingest(inbox, fresh_db)
    assert _cases(fresh_db, "case_id, case_kind, status, offence, has_penalty") == [
        ("X1", "public_order", "closed", "殴打他人", True),
        ("X2", "public_order", "closed", "赌博", False),
        ("X3", "public_order", "closed", "寻衅滋事", True),
        ("X4", "public_order", "withdrawn", "故意损毁财物", False),
    ]


def test_real_register_is_split_by_case_type_kind_column(inbox, fresh_db):
    header = ["序号", "案件编号", "案件类型", "案由名称", "立案时间", "案件状态", "案件状态名称"]
    rows = [
        [1, "A1", "刑事", "盗窃（刑事）", "2022-07-01", "0202", "已立案"],
        [2, "X1", "01-行政", "殴打他人、故意伤害他人身体", "2022-07-01", "0108", "已处罚"],
        [3, "X2", "行政", "涉赌博违法行为", "2022-07-02", "已受案", None],
        [4, "A2", "02", "电信网络诈骗（刑事）", "2022-07-02", "已合并", None],
        [5, "Q1", "民事", "借款", "2022-07-02", "已受案", None],
    ]
    write_sheet(inbox, "案件.xlsx", header, rows)
    report = run_ingest(inbox, fresh_db)
    assert _cases(fresh_db, "case_id, case_kind, status, offence, has_penalty, event_at::date::varchar") == [
        ("A1", "criminal", "filed", "盗窃", False, "2022-07-01"),
        ("A2", "criminal", "merged", "电信网络诈骗", False, "2022-07-02"),
        ("X1", "public_order", "closed", "殴打他人", True, "2022-07-01"),  # 立案时间 as the event time
        ("X2", "public_order", "accepted", "赌博", False, "2022-07-02"),
    ]
    assert "“民事”无法识别" in _reasons(fresh_db)[0]
    assert any("案件类型" in n for n in report.files[0].sheets[0].notes)


def test_case_type_column_holding_subtypes_is_used_as_the_offence(inbox, fresh_db):
    header = ["案件编号", "案件类型", "立案时间", "案件状态"]
    write_sheet(
        inbox, "刑事案件.xlsx", header, [["A1", "盗窃", "2022-07-01", "已立案"], ["A2", "抢劫", "2022-07-01", "已破案"]]
    )
    run_ingest(inbox, fresh_db)
    assert _cases(fresh_db) == [("A1", "criminal", "filed", "盗窃"), ("A2", "criminal", "solved", "抢劫")]


def test_case_nature_column_with_kind_values_splits(inbox, fresh_db):
    header = ["案件编号", "案件性质", "案由", "立案时间", "受理时间", "案件状态"]
    rows = [["A1", "刑事", "盗窃", "2022-07-01", None, "已立案"], ["X1", "治安", "盗窃", None, "2022-07-01", "已受理"]]
    write_sheet(inbox, "案件.xlsx", header, rows)
    run_ingest(inbox, fresh_db)
    assert _cases(fresh_db, "case_id, case_kind") == [("A1", "criminal"), ("X1", "public_order")]


def test_both_time_columns_split_rows_by_which_one_is_filled(inbox, fresh_db):
    header = ["案件编号", "案由", "立案时间", "受理时间", "案件状态"]
    rows = [["C1", "盗窃", "2022-07-01", None, "已立案"], ["C2", "盗窃", None, "2022-07-01", "已受理"]]
    write_sheet(inbox, "案件.xlsx", header, rows)
    run_ingest(inbox, fresh_db)
    assert _cases(fresh_db, "case_id, case_kind") == [("C1", "criminal"), ("C2", "public_order")]


def test_kind_from_sheet_name_then_file_name_then_id_prefix(inbox, fresh_db):
    header = ["案件编号", "案由", "立案时间", "案件状态"]
    write_xlsx(inbox / "导出.xlsx", [SheetSpec("治安案件", header, [["N1", "殴打他人", "2022-07-01", "已受理"]])])
    write_sheet(inbox, "刑事立案.xlsx", header, [["N2", "盗窃", "2022-07-01", "已立案"]])
    write_sheet(inbox, "案件导出.xlsx", header, [["A3", "盗窃", "2022-07-01", "已立案"]])
    report = run_ingest(inbox, fresh_db)
    assert _cases(fresh_db, "case_id, case_kind, kind_source") == [
        ("A3", "criminal", "案件编号前缀A"),
        ("N1", "public_order", "工作表名"),
        ("N2", "criminal", "文件名"),
    ]
    notes = [n for f in report.files for s in f.sheets for n in s.notes]
    assert any("按工作表名判断为治安案件" in n for n in notes) and any("按文件名判断为刑事案件" in n for n in notes)


def test_clearance_flag_without_status_column(inbox, fresh_db):
    header = ["案件编号", "罪名", "立案时间", "是否破案", "破案时间"]
    rows = [
        ["A1", "盗窃", "2022-07-01", "是", None],
        ["A2", "盗窃", "2022-07-01", "否", None],
        ["A3", "盗窃", "2022-07-01", None, "2022-07-09"],
    ]
    write_sheet(inbox, "刑事.xlsx", header, rows)
    run_ingest(inbox, fresh_db)
    assert _cases(fresh_db, "case_id, status, is_solved_flag") == [
        ("A1", "solved", True),
        ("A2", "filed", False),
        ("A3", "solved", None),
    ]


def test_an_unknown_clearance_word_rejects_the_row_with_the_value(inbox, fresh_db):
    # before issue #13 the rule checked the text it was parsed from: "也许" loaded as not solved
    header = ["案件编号", "罪名", "立案时间", "是否破案"]
    write_sheet(inbox, "刑事.xlsx", header, [["A1", "盗窃", "2022-07-01", "是"], ["A2", "盗窃", "2022-07-01", "也许"]])
    run_ingest(inbox, fresh_db)
    assert _cases(fresh_db, "case_id, status") == [("A1", "solved")]
    assert fresh_db.execute("select row_number, column_name, value, reason from rejected_rows").fetchall() == [
        (3, "是否破案", "也许", "“是否破案”应为 是/否（Y/N、1/0、√）：“也许”")
    ]


def test_penalty_flag_and_count_columns(inbox, fresh_db):
    header = ["案件编号", "案由", "受理时间", "案件状态", "警告", "罚款", "治拘", "拘留人数"]
    rows = [
        ["X1", "赌博", "2022-07-01", "已结案", "√", None, None, None],
        ["X2", "赌博", "2022-07-01", "已结案", None, "0", None, "2"],
        ["X3", "赌博", "2022-07-01", "已结案", None, "0", "否", "0"],
    ]
    write_sheet(inbox, "治安.xlsx", header, rows)
    run_ingest(inbox, fresh_db)
    assert _cases(fresh_db, "case_id, has_penalty") == [("X1", True), ("X2", True), ("X3", False)]


def test_penalty_decision_sheet_is_its_own_source(inbox, fresh_db):
    write_xlsx(
        inbox / "案件.xlsx",
        [
            SheetSpec(
                "案件",
                ["案件编号", "案件类型", "案由名称", "立案时间", "案件状态"],
                [["X1", "行政", "殴打他人", "2022-07-01", "已结案"]],
            ),
            SheetSpec(
                "处罚决定",
                ["案件编号", "处罚决定书ID", "处罚种类", "审批时间", "文书状态"],
                [["X1", "D1", "行政拘留", "2022-07-03", "已审批"], ["X1", "D2", "罚款", "2022-07-04", "已作废"]],
            ),
        ],
    )
    run_ingest(inbox, fresh_db)
    rows = fresh_db.execute(
        "select decision_key, case_id, is_penalty, is_void from penalty_decisions order by 1"
    ).fetchall()
    assert rows == [("D1", "X1", True, False), ("D2", "X1", True, True)]


def test_unknown_status_and_missing_event_time_are_rejected(inbox, fresh_db):
    header = ["案件编号", "案件类别", "立案时间", "案件状态"]
    rows = [["A1", "盗窃", "2022-07-01", "审核中"], ["A2", "盗窃", None, "已立案"], ["A3", "盗窃", "昨天", "已立案"]]
    write_sheet(inbox, "刑事.xlsx", header, rows)
    run_ingest(inbox, fresh_db)
    reasons = _reasons(fresh_db)
    assert "“审核中”无法识别" in reasons[0] and "缺少“立案时间”" in reasons[1] and "“昨天”" in reasons[2]
    assert _cases(fresh_db) == []


def test_case_id_in_scientific_notation_is_rejected(inbox, fresh_db):
    write_sheet(
        inbox,
        "刑事.xlsx",
        ["案件编号", "案件类别", "立案时间", "案件状态"],
        [["3.10117E+22", "盗窃", "2022-07-01", "已立案"]],
    )
    run_ingest(inbox, fresh_db)
    assert "科学计数法" in _reasons(fresh_db)[0]


def test_ga240_case_code_gives_the_offence_when_there_is_no_name(inbox, fresh_db):
    header = ["案件编号", "案由代码", "立案时间", "案件状态"]
    write_sheet(inbox, "刑事.xlsx", header, [["A1", "050200", "2022-07-01", "已立案"]])
    run_ingest(inbox, fresh_db)
    cause, offence = fresh_db.execute("select cause, offence from cases").fetchone()
    assert cause and offence == "盗窃", cause
