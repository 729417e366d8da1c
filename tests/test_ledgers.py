"""The campaign ledgers (整治台账, 技防设施, 五有, 满意度调查, 整治阶段): one tiny inbox written as real
xlsx files, loaded through the ingest, every figure computed by hand. One test per rule of
the contract and of the ledger metrics."""

import datetime as dt
import shutil

import openpyxl
import pytest

from tests.conftest import run_ingest, write_registry, write_sheet
from zhian.pipeline.db import connect
from zhian.pipeline.metrics.evaluate import evaluate

D = dt.date
AS_OF = D(2022, 8, 31)
TARGET_HEADER = ["整治项目", "小区", "开始日期", "结束日期", "指标", "目标"]
WINDOW = ("2022-07-01", "2022-09-30")


def _targets(inbox):
    rows = [
        ["挂牌整治", "花园小区、滨湖公寓", *WINDOW, "整改销号率", "100%"],
        ["挂牌整治", "花园小区、滨湖公寓", *WINDOW, "逾期未销号事项", "不发生"],
        ["挂牌整治", "花园小区", *WINDOW, "技防监控覆盖率", "≥95%"],
        ["挂牌整治", "花园小区", *WINDOW, "照明完好率", "100%"],
        ["挂牌整治", "花园小区", *WINDOW, "五有达标", "五有全部达标"],
        ["挂牌整治", "花园小区", *WINDOW, "群众满意度", "≥90%"],
    ]
    write_sheet(inbox, "整治目标.xlsx", TARGET_HEADER, rows)
    write_sheet(
        inbox,
        "阶段.xlsx",
        ["整治项目", "阶段", "开始日期", "结束日期"],
        [
            ["挂牌整治", "问题排摸、制定方案", "2022-07-01", "2022-07-31"],
            ["挂牌整治", "宣传发动、自行整改", "2022-08-01", "2022-08-22"],
            ["挂牌整治", "集中整治、长效管理", "2022-08-22", "2022-09-30"],
        ],
    )


LEDGER_HEADER = ["序号", "整治措施", "小区", "牵头单位", "完成时限", "完成情况", "完成日期", "销号日期"]
LEDGER = [
    [1, "建立人口管理工作站", "花园小区", "镇人口办、派出所", "7月31日前", "已销号", "2022-07-25", "2022-07-28"],
    [2, "出租房屋分类管理", "花园小区", "派出所", "第二阶段", "推进中", None, None],  # due 08-22: overdue
    [3, "电动车集中充电", "全部", "平安办", "2022-08-31", "已完成", "2022-08-30", None],  # due on as_of: not overdue
    [4, "监控升级", "滨湖公寓", "平安办", "9月30日前", "未启动", None, None],  # not due
    [5, "垃圾分类", "花园小区", "城管中队", "宣传发动阶段", "已销号", "2022-08-10", "2022-08-12"],  # due 08-22
    [6, "标识更新", "花园小区", "城管中队", "尽快", "推进中", None, None],  # rejected: no deadline
    [7, "楼道广告", "花园小区", "居委会", "8月20日前", "差不多了", None, None],  # rejected: no progress word
    [8, "公示栏", "花园小区", "居委会", "9月10日前", "已销号", "2022-09-05", "2022-09-06"],  # signed off after as_of
]


@pytest.fixture(scope="module")
def ledger_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ledgers")
    inbox = folder / "inbox"
    inbox.mkdir()
    write_registry(inbox)
    _targets(inbox)
    write_sheet(inbox, "工作明细表.xlsx", LEDGER_HEADER, LEDGER)
    write_sheet(
        inbox,
        "技防设施.xlsx",
        ["小区", "设施类型", "应装点位数", "已装点位数", "完好数", "统计日期"],
        [
            ["花园小区", "视频监控", 40, 30, 28, "2022-07-15"],
            ["花园小区", "视频监控", 40, 39, 38, "2022-08-20"],  # the latest on or before as_of
            ["花园小区", "视频监控", 40, 40, 40, "2022-09-10"],  # after as_of: not yet
            ["花园小区", "路灯", 20, 20, 19, "2022-08-01"],
        ],
    )
    write_sheet(
        inbox,
        "五有.xlsx",
        ["小区", "有业主自治组织", "有安全防护设施", "有基本物业服务", "有干净整洁环境", "有长效管理机制", "核验日期"],
        [["花园小区", "是", "√", "2022-08-15", "否", "2022-09-20", "2022-08-25"]],  # the last: achieved after as_of
    )
    answers = ["满意", "基本满意", "不满意", "不了解", "满意", "不了解"]
    write_sheet(
        inbox,
        "满意度.xlsx",
        ["小区", "调查日期", "评价"],
        [["花园小区", "2022-08-10", word] for word in answers],
    )
    path = folder / "z.duckdb"
    con = connect(path)
    run_ingest(inbox, con)
    evaluation = evaluate(con, AS_OF, publish=True)
    yield con, evaluation, inbox, path
    con.close()


def _figure(con, evaluation, compound, metric):
    return (
        con.sql(
            """select actual, numerator, denominator, status, note from metric_history
               where evaluation_id = $e and compound = $c and metric = $m""",
            params={"e": evaluation.evaluation_id, "c": compound, "m": metric},
        )
        .pl()
        .row(0, named=True)
    )


def _items(con):
    return {
        (r[0], r[1]): r[2:]
        for r in con.execute(
            "select item_no, compound, deadline, status, signed_off_on from ledger_items order by all"
        ).fetchall()
    }


def test_deadlines_as_dates_days_and_phase_names_resolve_to_days(ledger_db):
    items = _items(ledger_db[0])
    assert items[("1", "花园小区")][0] == D(2022, 7, 31)  # 7月31日前: the campaign's year
    assert items[("2", "花园小区")][0] == D(2022, 8, 22)  # 第二阶段: the second phase's end
    assert items[("5", "花园小区")][0] == D(2022, 8, 22)  # 宣传发动阶段 ~ 宣传发动、自行整改
    assert items[("3", "花园小区")][0] == items[("3", "滨湖公寓")][0] == D(2022, 8, 31)  # 全部: both compounds


def test_an_unreadable_deadline_or_progress_is_rejected_with_its_reason(ledger_db):
    rows = (
        ledger_db[0]
        .execute(
            """select row_number, column_name, value, reason from rejected_rows
               where source_file = '工作明细表.xlsx' order by 1"""
        )
        .fetchall()
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [(7, "完成时限", "尽快"), (8, "完成情况", "差不多了")]
    assert "应为日期、如“8月22日前”，或阶段名称" in rows[0][3] and "应为未启动、推进中、已完成、已销号" in rows[1][3]


def test_an_item_is_overdue_only_after_its_deadline_day(ledger_db):
    con, evaluation = ledger_db[:2]
    # 花园小区: item 2 (due 08-22, in progress) is overdue; item 3 (due 08-31 = as_of) is not yet
    assert _figure(con, evaluation, "花园小区", "overdue_items")["actual"] == 1
    assert _figure(con, evaluation, "滨湖公寓", "overdue_items")["actual"] == 0
    assert con.execute("select count(*) from unit_progress(date '2022-09-01') where overdue > 0").fetchall()[0][0] == 2


def test_without_a_ledger_overdue_items_are_no_data_not_zero_and_the_dashboard_says_so(tmp_path):
    from zhian.dashboards.build import write_dashboard

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_registry(inbox)
    _targets(inbox)  # the ledger targets and phases, but no ledger file
    con = connect(tmp_path / "z.duckdb")
    run_ingest(inbox, con)
    evaluation = evaluate(con, AS_OF)
    for compound in ("花园小区", "滨湖公寓"):
        figure = _figure(con, evaluation, compound, "overdue_items")
        assert (figure["actual"], figure["status"], figure["note"]) == (None, "no_data", "台账中没有该小区的事项")
    page = write_dashboard(con, tmp_path / "看板.html", evaluation).read_text(encoding="utf-8")
    con.close()
    assert "台账中没有本整治的事项" in page


def test_a_stations_unit_ranking_counts_only_the_items_of_its_compounds(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_sheet(
        inbox,
        "名册.xlsx",
        ["小区名称", "详细地址", "实有人口底数", "管辖单位"],
        [["花园小区", "凤仙路457号", 300, "九亭派出所"], ["滨湖公寓", "滨湖路1546号", 500, "申明坝派出所"]],
    )
    _targets(inbox)
    rows = [
        [1, "垃圾清运", "花园小区", "城管中队", "8月20日前", "已销号", "2022-08-10", "2022-08-12"],
        [2, "违建拆除", "滨湖公寓", "城管中队", "8月20日前", "推进中", None, None],  # overdue on 08-31
        [3, "监控升级", "滨湖公寓", "平安办", "8月20日前", "推进中", None, None],  # overdue, 申明坝 only
    ]
    write_sheet(inbox, "工作明细表.xlsx", LEDGER_HEADER, rows)
    con = connect(tmp_path / "z.duckdb")
    run_ingest(inbox, con)
    query = "select unit, items, overdue from unit_progress($d, station := $s) order by unit"
    everywhere = con.execute(query, {"d": AS_OF, "s": None}).fetchall()
    mine = con.execute(query, {"d": AS_OF, "s": "九亭派出所"}).fetchall()
    con.close()
    assert everywhere == [("城管中队", 2, 1), ("平安办", 1, 1)]
    assert mine == [("城管中队", 1, 0)]


def test_the_signoff_rate_counts_due_items_and_shows_the_others_apart(ledger_db):
    con, evaluation = ledger_db[:2]
    # due by 08-31: items 1, 2, 3, 5; signed off: 1 and 5 (3 is done, not signed off; 8 after as_of)
    figure = _figure(con, evaluation, "花园小区", "ledger_signoff_rate")
    assert (figure["numerator"], figure["denominator"], figure["status"]) == (2, 4, "at_risk")
    assert figure["note"] == "另有未到期事项 1 项（其中已销号 0 项），不计入"  # item 8, signed off on 09-06


def test_an_item_with_two_units_counts_for_each_and_an_item_for_all_compounds_once(ledger_db):
    con = ledger_db[0]
    units = {
        r[0]: r[1:]
        for r in con.sql(
            "select unit, items, signed_off, overdue, rank, lagging from unit_progress(date '2022-08-31')"
        ).fetchall()
    }
    assert units["镇人口办"][:2] == (1, 1) and units["派出所"][:3] == (2, 1, 1)  # item 1 counts for both
    assert units["平安办"][0] == 2  # item 3 (全部: two compounds) once, item 4 once
    assert units["派出所"][3] == max(u[3] for u in units.values()) and units["派出所"][4]  # last and flagged


def test_the_latest_facility_count_on_or_before_the_date_replaces_earlier_ones(ledger_db):
    con, evaluation = ledger_db[:2]
    cctv = _figure(con, evaluation, "花园小区", "cctv_coverage_rate")
    assert (cctv["numerator"], cctv["denominator"], cctv["status"]) == (39, 40, "on_track")  # 97.5% ≥ 95%
    lights = _figure(con, evaluation, "花园小区", "lighting_ok_rate")
    assert (lights["numerator"], lights["denominator"], lights["status"]) == (19, 20, "at_risk")  # 完好 / 应有
    later = evaluate(con, D(2022, 9, 15), publish=False)
    assert _figure(con, later, "花园小区", "cctv_coverage_rate")["numerator"] == 40


def test_a_checklist_point_achieved_after_the_date_is_not_yet_achieved(ledger_db):
    con, evaluation = ledger_db[:2]
    five = _figure(con, evaluation, "花园小区", "five_haves_met")
    assert (five["numerator"], five["denominator"]) == (3, 5)  # 是, √, 08-15; 否; 09-20 not yet
    assert five["note"].endswith("未做到：有干净整洁环境、有长效管理机制")


def test_unknown_answers_are_excluded_from_satisfaction(ledger_db):
    con, evaluation = ledger_db[:2]
    survey = _figure(con, evaluation, "花园小区", "satisfaction_rate")
    assert (survey["numerator"], survey["denominator"]) == (3, 4)  # 满意 2 + 基本满意 1 of 4; 不了解 ×2 out
    assert survey["note"] == "不了解 2 人不计入"


def test_one_open_item_blocks_acceptance_and_is_named(ledger_db, tmp_path):
    # a campaign whose every target is met at its end, with one item still open
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_registry(inbox)
    write_sheet(
        inbox, "整治目标.xlsx", TARGET_HEADER, [["验收", "滨湖公寓", "2022-07-01", "2022-07-31", "照明完好率", "≥90%"]]
    )
    write_sheet(
        inbox,
        "技防设施.xlsx",
        ["小区", "设施类型", "应有数", "已有数", "完好数", "统计日期"],
        [["滨湖公寓", "路灯", 10, 10, 10, "2022-07-20"]],
    )
    write_sheet(
        inbox,
        "问题清单.xlsx",
        ["问题编号", "整治项目", "小区", "问题描述", "责任单位", "整改时限", "整改情况", "是否销号"],
        [
            ["W1", "验收", "滨湖公寓", "路灯损坏", "城管中队", "2022-07-20", "已整改", "是"],
            ["W2", "验收", "滨湖公寓", "消防通道堵塞", "消防站", "2022-07-25", "已整改", "否"],
        ],
    )
    con = connect(tmp_path / "z.duckdb")
    run_ingest(inbox, con)
    evaluation = evaluate(con, D(2022, 8, 31), publish=True)
    [(ready, blockers, targets_open, items_open)] = con.execute(
        "select ready, blockers, targets_open, items_open from acceptance_readiness"
    ).fetchall()
    assert (ready, targets_open, items_open) == (False, 0, 1)
    assert blockers == "未销号事项 1 项：消防通道堵塞"  # 已整改 but 是否销号 否: not signed off
    assert _figure(con, evaluation, "滨湖公寓", "lighting_ok_rate")["status"] == "met"
    con.execute("update ledger_rows set state = 'signed_off' where item_no = 'W2'")
    assert con.execute("select ready, blockers from readiness($e)", {"e": evaluation.evaluation_id}).fetchall() == [
        (True, None)
    ]
    con.close()


def test_a_task_list_without_a_signoff_step_ends_an_item_when_done(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_registry(inbox)
    write_sheet(inbox, "整治目标.xlsx", TARGET_HEADER, [["整治", "滨湖公寓", *WINDOW, "任务完成率", "100%"]])
    write_sheet(
        inbox,
        "任务.xlsx",
        ["工作任务", "小区", "责任单位", "完成时限", "完成情况", "完成日期"],
        [["建立工作站", "滨湖公寓", "派出所", "2022-07-31", "已完成", "2022-07-30"]],
    )
    con = connect(tmp_path / "z.duckdb")
    run_ingest(inbox, con)
    evaluation = evaluate(con, AS_OF)
    figure = _figure(con, evaluation, "滨湖公寓", "ledger_signoff_rate")
    assert (figure["numerator"], figure["denominator"]) == (1, 1)
    assert con.execute("select status, signed_off_on from ledger_items").fetchall() == [("signed_off", D(2022, 7, 30))]
    con.close()


def test_a_later_export_of_the_ledger_replaces_an_item_and_a_rerun_changes_nothing(ledger_db, tmp_path):
    con_path = tmp_path / "z.duckdb"
    ledger_db[0].execute("checkpoint")  # the copy must hold what the open connection wrote
    shutil.copy(ledger_db[3], con_path)
    inbox = tmp_path / "inbox"
    shutil.copytree(ledger_db[2], inbox)
    con = connect(con_path)
    before = con.execute("select count(*) from ledger_rows").fetchall()[0][0]
    run_ingest(inbox, con)  # the same files: nothing new
    assert con.execute("select count(*) from ledger_rows").fetchall()[0][0] == before
    later = [row[:] for row in LEDGER]
    later[1][5:8] = ["已销号", "2022-08-26", "2022-08-27"]  # item 2 signed off in the next export
    write_sheet(inbox, "工作明细表（9月1日导出）.xlsx", LEDGER_HEADER, later)
    run_ingest(inbox, con)
    assert con.execute("select count(*) from ledger_rows").fetchall()[0][0] == before
    assert con.execute("select count(*) from ledger_rows_history").fetchall()[0][0] >= 1
    evaluation = evaluate(con, AS_OF)
    assert _figure(con, evaluation, "花园小区", "overdue_items")["actual"] == 0
    con.close()


def test_the_bulletin_reads_back_as_the_views_say(ledger_db, tmp_path):
    from zhian.pipeline.outputs.bulletin import write_bulletin

    con, evaluation = ledger_db[:2]
    path = write_bulletin(con, tmp_path / "督导通报.xlsx", evaluation)
    sheet = openpyxl.load_workbook(path)["督导通报"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "小区整治督导通报（截至 2022-08-31）"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    start = next(i for i, r in enumerate(rows) if r[0] == "排名") + 1
    units = con.sql(
        "select rank, unit, items, overdue, lagging from unit_progress($d) order by rank", params={"d": AS_OF}
    )
    expected = units.fetchall()
    listed = [(r[0], r[1], r[3], r[6], r[9] == "靠后") for r in rows[start : start + len(expected)]]
    assert listed == expected
    overdue = next(i for i, r in enumerate(rows) if str(r[0]).startswith("二、逾期未销号事项"))
    assert rows[overdue][0] == "二、逾期未销号事项（1 项）"
    assert rows[overdue + 2][:7] == (
        "挂牌整治",
        "花园小区",
        "出租房屋分类管理",
        "派出所",
        dt.datetime(2022, 8, 22),
        9,
        "推进中",
    )
    soon = next(i for i, r in enumerate(rows) if str(r[0]).startswith("三、"))
    assert rows[soon][0].endswith("到期事项（3 项）")  # item 3 in both compounds (due today), item 8 (09-10)
    ready = next(i for i, r in enumerate(rows) if str(r[0]).startswith("五、验收摘牌条件"))
    readiness = con.execute(
        "select compound, ready, blockers from readiness($e) order by compound", {"e": evaluation.evaluation_id}
    ).fetchall()
    assert rows[ready][0] == f"五、验收摘牌条件（0 / {len(readiness)} 个小区已具备）"
    listed = {r[1]: (r[2] == "具备", r[3]) for r in rows[ready + 2 : ready + 2 + len(readiness)]}
    assert listed == {compound: (is_ready, blockers) for compound, is_ready, blockers in readiness}
    text = "\n".join(str(c) for r in rows for c in r if c is not None)
    assert "139" not in text  # no 责任人 or phone anywhere


def test_the_views_other_tools_rely_on_exist_with_their_columns(ledger_db):
    con = ledger_db[0]
    columns = {
        name: [r[0] for r in con.execute(f"describe {name}").fetchall()]
        for name in ("ledger_items", "ledger_unit_progress", "acceptance_readiness")
    }
    assert {"campaign", "compound", "item", "units", "deadline", "status", "done_on", "signed_off_on",
            "source_file", "source_row"} <= set(columns["ledger_items"])  # fmt: skip
    assert {"campaign", "unit", "items", "signed_off", "overdue", "signed_off_share", "rank"} <= set(
        columns["ledger_unit_progress"]
    )
    assert {"campaign", "compound", "as_of", "ready", "blockers"} <= set(columns["acceptance_readiness"])
    codes = {r[0] for r in con.execute("select distinct metric from metric_results").fetchall()}
    assert {"ledger_signoff_rate", "overdue_items", "cctv_coverage_rate", "lighting_ok_rate", "five_haves_met",
            "satisfaction_rate"} <= codes  # fmt: skip


def test_the_items_behind_the_signoff_rate_and_the_overdue_count_are_listed(ledger_db):
    from zhian.pipeline.metrics.explain import PARTS, explain

    con, evaluation = ledger_db[:2]
    rate = explain(con, evaluation.evaluation_id, "挂牌整治", "花园小区", "ledger_signoff_rate")
    assert rate.mismatches() == {} and rate.counts == {"numerator": 2, "denominator": 4}
    signed = rate.records.filter(rate.records["部分"] == PARTS["numerator"])
    assert signed["记录编号"].to_list() == ["1 建立人口管理工作站", "5 垃圾分类"]
    assert set(signed["进度"]) == {"已销号"} and signed["牵头单位"].to_list() == ["镇人口办、派出所", "城管中队"]
    overdue = explain(con, evaluation.evaluation_id, "挂牌整治", "花园小区", "overdue_items")
    assert overdue.records["记录编号"].to_list() == ["2 出租房屋分类管理"] and overdue.mismatches() == {}
    five = explain(con, evaluation.evaluation_id, "挂牌整治", "花园小区", "five_haves_met")
    assert five.figures == {} and five.note.startswith("该指标来自五有核验表的统计，不是逐条记录")
