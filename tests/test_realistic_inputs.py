"""The realistic-inputs corpus (fixtures/realistic.py): files typed the way clerks type them
and exported the way real systems export them. Each test asserts the numbers that come out
— where each record lands, the metric values — not only that rows loaded."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import result, run_ingest
from zhian.fixtures import realistic
from zhian.pipeline.db import connect


@pytest.fixture
def load(tmp_path):
    """Write one case of the corpus, ingest it into a fresh database, return the connection."""
    opened = []

    def _load(name: str):
        inbox = realistic.write_case(name, tmp_path / name)
        con = connect(tmp_path / f"{name}.duckdb")
        opened.append(con)
        report = run_ingest(inbox, con)
        return con, report

    yield _load
    for con in opened:
        con.close()


def counts_by_compound(con, table: str = "alerts") -> dict[str | None, int]:
    return dict(con.execute(f"select compound, count(*) from {table} group by compound").fetchall())


def log(con, source_file: str) -> dict:
    row = con.execute(
        "select outcome, file_outcome, rows_read, rows_loaded, rows_rejected, notes"
        " from ingest_log where source_file = ?",
        [source_file],
    ).fetchone()
    assert row, source_file
    return dict(zip(("outcome", "file_outcome", "read", "loaded", "rejected", "notes"), row, strict=True))


# --- the seed-002 registry typed by a clerk ---------------------------------------------------

SEED002_BY_COMPOUND = {
    "花园小区": 9 + 12,  # this July and last July
    "渝万钢门窗宿舍": 2 + 1,
    "原三峡绸厂宿舍": 1,
    "银湖鞋业宿舍": 1,
}


@pytest.mark.parametrize("case", ["seed002_registry_xlsx", "seed002_registry_html", "seed002_registry_xls"])
def test_merged_registry_cells_apply_to_every_row_of_their_block(load, case):
    con, _ = load(case)
    assert con.execute("select count(*) from rejected_rows").fetchone() == (0,)
    assert con.execute("select count(*) from compounds").fetchone() == (15,)
    assert con.execute("select count(*) from compound_addresses").fetchone() == (24,)
    addresses = con.execute("select count(*) from compound_addresses where compound = '花园小区'").fetchone()
    assert addresses == (8,)
    # every compound has its community, also where 所属社区 was merged over several rows
    communities = dict(con.execute("select compound, community from compounds").fetchall())
    assert communities["花园小区"] == "凤仙路社区"
    assert communities["渝万钢门窗宿舍"] == "申明社区"
    assert communities["原万县农机校宿舍"] == "花青路社区"
    assert None not in communities.values()
    assert counts_by_compound(con) == SEED002_BY_COMPOUND


@pytest.mark.parametrize("case", ["seed002_registry_xlsx", "seed002_registry_html", "seed002_registry_xls"])
def test_merged_registry_gives_each_compound_its_metric(load, case):
    con, _ = load(case)
    garden = result(con, dt.date(2022, 7, 31), "alarm_calls_yoy", "花园小区")
    # −25 % ≤ −20 %; the export states no time, so its last alert (07-13) is its coverage:
    # July is not known to be complete, the status is a pace status
    assert (garden["actual"], garden["baseline"], garden["covered_to"]) == (9, 12, dt.date(2022, 7, 13))
    assert garden["status"] == "on_track"
    doors = result(con, dt.date(2022, 7, 31), "alarm_calls_yoy", "渝万钢门窗宿舍")
    assert (doors["actual"], doors["baseline"], doors["status"]) == (2, 1, "at_risk")


def test_wrapped_headers_are_one_header_and_messages_show_no_line_break(load):
    con, _ = load("seed002_registry_xlsx")
    notes = log(con, "沙河街道老旧小区三年整治计划台账.xlsx")["notes"] or ""
    assert "\n" not in notes
    assert "合并单元格" in notes


def test_merged_title_rows_do_not_hide_the_header(load):
    con, _ = load("seed002_registry_xlsx")
    assert con.execute(
        "select header_row from ingest_log where source_file = '沙河街道老旧小区三年整治计划台账.xlsx'"
    ).fetchone() == (3,)


# --- names and doorplates inside addresses ----------------------------------------------------


def test_compound_names_count_only_as_whole_names_and_two_character_aliases_work(load):
    con, _ = load("names_in_addresses")
    landed = dict(con.execute("select address, compound from alerts").fetchall())
    for address, expected in realistic.NAME_ADDRESSES:
        assert landed[address] == expected, address


def test_unattributed_records_say_why(load):
    con, _ = load("names_in_addresses")
    notes = dict(con.execute("select address, attribution_note from alerts where compound is null").fetchall())
    assert set(notes) == {a for a, c in realistic.NAME_ADDRESSES if c is None}
    assert all(notes.values())


# --- date and time in two columns -------------------------------------------------------------


def test_date_and_time_in_two_columns_make_one_event_time(load):
    con, _ = load("split_date_time")
    query = "select alarm_at from alerts where source_file = ? order by alert_id"
    times = [r[0] for r in con.execute(query, ["警情_日期时间分列.xlsx"]).fetchall()]
    assert times == [expected for _, _, expected in realistic.SPLIT_TIMES]
    # one 报警时间 header typed over both columns
    times = [r[0] for r in con.execute(query, ["警情_合并表头.xlsx"]).fetchall()]
    assert times == [expected for _, _, expected in realistic.SPLIT_TIMES[:3]]
    notes = log(con, "警情_日期时间分列.xlsx")["notes"]
    assert "报警日期、报警时间" in notes and "1行只有日期" in notes


def test_case_filing_date_and_time_in_two_columns(load):
    con, _ = load("split_date_time")
    times = dict(con.execute("select case_id, event_at from cases").fetchall())
    assert times == {
        "A5001012022070001": dt.datetime(2022, 7, 3, 14, 20),
        "A5001012022070002": dt.datetime(2022, 7, 4, 9, 0),
        "A5001012022070003": dt.datetime(2022, 7, 5, 14, 20),
    }
    assert counts_by_compound(con, "cases") == {"花园小区": 3}


# --- vocabularies and kinds -------------------------------------------------------------------


def test_subtype_words_as_alert_categories_map_to_their_category(load):
    con, _ = load("subtype_categories")
    rows = {r[0]: r[1:] for r in con.execute("select category_raw, category, offence from alerts").fetchall()}
    for word, category, offence in realistic.SUBTYPE_CATEGORIES:
        assert rows[word] == (category, offence), word
    rejected = con.execute("select value, reason from rejected_rows where source_file = '反诈警情线索.xlsx'").fetchall()
    assert len(rejected) == 1 and rejected[0][0] == "神秘类" and "神秘类" in rejected[0][1]
    # 报警类 = 刑事 + 治安: the six fraud and theft rows count, the dispute does not
    assert con.execute("select count(*) from alerts where nature = '报警'").fetchone() == (6,)


def test_case_register_with_major_and_minor_class_columns(load):
    con, _ = load("subtype_categories")
    rows = {r[0]: r[1:] for r in con.execute("select case_id, case_kind, offence, status from cases").fetchall()}
    assert rows == {
        "A5001012022071001": ("criminal", "盗窃", "solved"),
        "A5001012022071002": ("criminal", "电信网络诈骗", "filed"),
        "A5001012022071003": ("public_order", "殴打他人", "closed"),
        "A5001012022071004": ("public_order", "赌博", "accepted"),
    }


def test_alert_overview_loads_its_alerts_and_the_linked_cases_once(load):
    con, _ = load("alert_overview_with_cases")
    assert con.execute("select count(*) from alerts").fetchone() == (5,)
    assert counts_by_compound(con) == {"花园小区": 5}
    cases = {
        r[0]: r[1:]
        for r in con.execute("select case_id, case_kind, offence, status, source_file from cases").fetchall()
    }
    assert set(cases) == {"A5001012022080001", "A5001012022080002", "A5001012022080003"}
    # the register wins over the overview for the case both carry
    assert cases["A5001012022080002"][2:] == ("solved", "刑事案件登记.xlsx")
    assert cases["A5001012022080003"][:2] == ("public_order", "殴打他人")
    assert con.execute("select count(*) from rejected_rows").fetchone() == (0,)


def test_residents_without_a_type_load_and_pinyin_file_names_give_the_type(load):
    con, _ = load("residents_by_pinyin")
    types = dict(con.execute("select source_file, any_value(population_type) from residents group by 1").fetchall())
    assert types == {
        "syrkexcel.xls": "未注明",
        "czrk_20220831.xlsx": "户籍",
        "ldrk_20220831.xlsx": "流动",
        "jzrk_20220831.xlsx": "寄住",
    }
    assert con.execute("select count(*) from residents where compound = '花园小区'").fetchone() == (10,)
    assert con.execute("select count(*) from rejected_rows").fetchone() == (0,)
    # every one of them counts for the registration rate, the 未注明 ones included
    rate = result(con, dt.date(2022, 8, 31), "population_registration_rate", "花园小区")
    # no file states its export time: the last registration is the coverage, a pace status
    assert (rate["numerator"], rate["denominator"], rate["status"]) == (10, 12, "on_track")


def test_every_field_a_rejection_can_name_has_a_chinese_label():
    from zhian.pipeline.sources import KINDS

    for kind in KINDS:
        labels = kind.field_labels()
        named = {*kind.rules.required, *kind.rules.parsed, *kind.rules.problems}
        assert named <= set(labels), (kind.kind, named - set(labels))
        assert all(not label.isascii() for label in labels.values()), kind.kind


def test_rejections_never_show_an_internal_field_name_or_a_raw_line_break(tmp_path):
    from zhian.fixtures.writers import GridSheet, write_grid_xlsx

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # a resident list with an unknown type word, and a case list whose kind cannot be told
    write_grid_xlsx(
        inbox / "人口.xlsx",
        [
            GridSheet(
                "Sheet1", [["姓名", "公民身份\n号码", "人口\n类型", "居住地址"], ["张三", "x", "外星", "凤仙路443号"]]
            )
        ],
    )
    write_grid_xlsx(
        inbox / "案件.xlsx",
        [
            GridSheet(
                "Sheet1",
                [["案件编号", "案件\n类型", "立案时间", "发案地点"], ["X001", "其他", "2022-07-01", "凤仙路443号"]],
            )
        ],
    )
    con = connect(tmp_path / "z.duckdb")
    run_ingest(inbox, con)
    rows = con.execute("select column_name, reason from rejected_rows").fetchall()
    con.close()
    assert rows
    for column, reason in rows:
        assert "\n" not in column and "\n" not in reason
        assert not any(part.isascii() and "_" in part for part in (column, reason)), (column, reason)
        assert not any(word in reason for word in ("population_type", "case_kind", "event_at"))


# --- targets pasted from the plan -------------------------------------------------------------


def test_targets_pasted_from_the_plan_are_split_into_metric_and_target(load):
    con, _ = load("pasted_targets")
    targets = con.execute(
        "select metric_code, target_op, target_percent::varchar, target_raw, target_note"
        " from targets order by source_row"
    ).fetchall()
    got = [(code, op, value) for code, op, value, _, _ in targets]
    assert got == [
        ("alarm_calls_yoy", "<=", "-20.0000"),
        ("public_order_closure_rate", ">=", "75.0000"),
        ("criminal_clearance_rate", ">=", "70.0000"),
        ("population_registration_rate", ">=", "98.0000"),
        ("population_accuracy_rate", ">=", "98.0000"),
        ("major_fire_incidents", "=", "0.0000"),
        ("accountant_fraud_cases", "=", "0.0000"),
        ("accountant_fraud_cases", "=", "0.0000"),
        ("major_fire_incidents", "=", "0.0000"),
        ("telecom_fraud_completed_yoy", "<=", "-20.0000"),
    ]
    notes = {(code, raw): note for code, _, _, raw, note in targets}
    assert "有影响的" in notes[("major_fire_incidents", "不发生")]
    assert "有责" in notes[("accountant_fraud_cases", "不发生")]
    two = [note for *_, note in targets if note and "2个指标" in note]
    assert len(two) == 2


def test_a_metric_not_in_the_catalogue_is_rejected_with_the_nearest_names(load):
    con, _ = load("pasted_targets")
    rows = con.execute("select value, reason from rejected_rows").fetchall()
    assert len(rows) == 1
    value, reason = rows[0]
    assert value == "确保不发生有影响的重大公共安全事故"
    assert "相近的指标" in reason and "重大火灾事故" in reason


# --- the registry split over several files, and its upkeep --------------------------------------


def test_a_registry_split_over_files_adds_up_and_a_later_file_fills_only_what_it_has(load):
    con, _ = load("split_registry")
    query = "select compound, community, population_base, aliases, address_count from compounds"
    compounds = {r[0]: r[1:] for r in con.execute(query).fetchall()}
    assert compounds == {
        "花园小区": ("凤仙路社区", 1200, "凤仙花园", 2),  # the later file's empty 底数 erased nothing
        "和祥小区": ("凤仙路社区", 950, None, 1),  # the newer file's 950 wins over 800
        "原三峡绸厂宿舍": ("沙河社区", 300, None, 1),
    }
    from zhian.pipeline import db

    disagreements = db.query(con, "quality/registry_disagreements.sql", {"station": None}).fetchall()
    disagreements = [(c, label, value, source, in_use) for c, label, value, source, _, in_use in disagreements]
    assert disagreements == [
        ("和祥小区", "实有人口底数", "950", "沙河社区名册.xlsx", True),
        ("和祥小区", "实有人口底数", "800", "凤仙路社区名册.xlsx", False),
    ]


def _doorplate_inbox(tmp_path):
    from tests.conftest import write_registry, write_sheet

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_registry(
        inbox,
        [
            ["花园小区", "凤仙路457号", "凤仙路社区", 300, None],
            ["花园小区", "凤仙路463号", "凤仙路社区", 300, None],
            ["滨湖公寓", "滨湖路1546号", "凤仙路社区", 500, None],
        ],
    )
    alerts = [
        [f"J{i}", "2022-07-01 10:00:00", "报警", "刑事", address]
        for i, address in enumerate(
            ["凤仙路461号", "凤仙路461号2单元", "凤仙路459号", "滨湖路1600号", "凤仙路461号", "无名路"]
        )
    ]
    write_sheet(inbox, "警情.xlsx", ["警情编号", "报警时间", "警情性质", "警情类别", "发生地点"], alerts)
    con = connect(tmp_path / "z.duckdb")
    run_ingest(inbox, con)
    return con


def test_unattributed_doorplates_are_listed_with_a_suggested_compound(tmp_path):
    from zhian.pipeline import db

    con = _doorplate_inbox(tmp_path)
    rows = db.query(con, "quality/unattributed_doorplates.sql", {"station": None, "limit": 10}).fetchall()
    con.close()
    assert rows == [
        ("凤仙路461号", 3, "110警情 3", "花园小区"),
        ("凤仙路459号", 1, "110警情 1", "花园小区"),
        ("滨湖路1600号", 1, "110警情 1", None),  # no registered number above it on the road
    ]


def test_registry_upkeep_is_in_the_report_the_dashboard_and_the_quality_command(tmp_path, capsys):
    from zhian.dashboards.build import write_dashboard
    from zhian.pipeline.metrics.evaluate import evaluate
    from zhian.pipeline.outputs.console import print_quality
    from zhian.pipeline.outputs.report import build_workbook

    con = _doorplate_inbox(tmp_path)
    evaluation = evaluate(con, dt.date(2022, 8, 31))
    sheet = build_workbook(con, evaluation)["名册维护"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["凤仙路461号", 3, "110警情 3", "花园小区"] in [row[:4] for row in cells]
    page = write_dashboard(con, tmp_path / "看板.html", evaluation).read_text(encoding="utf-8")
    assert "凤仙路461号" in page and "小区名册待补充" in page
    print_quality(con)
    out = capsys.readouterr().out
    assert "凤仙路461号" in out and "花园小区" in out
    con.close()


@pytest.mark.parametrize("case", ["alert_overview_with_cases", "pasted_targets"])
def test_a_row_that_loads_as_two_records_counts_once_for_its_file(load, tmp_path, case):
    from tests.dbcheck import consistent

    con, report = load(case)
    con.close()
    consistent(tmp_path / f"{case}.duckdb")
    for file in report.files:
        assert file.rows_read == file.rows_loaded + file.rows_rejected + file.rows_ignored


def test_a_date_column_alone_is_an_event_time_at_midnight_and_said_so(tmp_path):
    from tests.conftest import write_registry, write_sheet

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_registry(inbox)
    rows = [
        ["J1", "2022-07-03", "报警", "刑事", "凤仙路457号附1号"],
        ["J2", "2022年7月4日", "报警", "刑事", "滨湖路1546号"],
    ]
    write_sheet(inbox, "警情.xlsx", ["警情编号", "报警日期", "警情性质", "警情类别", "发生地点"], rows)
    con = connect(tmp_path / "z.duckdb")
    report = run_ingest(inbox, con)
    times = con.execute("select alert_id, alarm_at, compound from alerts order by alert_id").fetchall()
    con.close()
    assert times == [("J1", dt.datetime(2022, 7, 3), "花园小区"), ("J2", dt.datetime(2022, 7, 4), "滨湖公寓")]
    notes = next(f for f in report.files if f.source_file == "警情.xlsx").sheets[0].notes
    assert "“报警日期”只有日期：时间未知，按00:00计" in notes


def test_a_doorplate_added_to_the_registry_leaves_the_upkeep_list(tmp_path):
    from tests.conftest import write_registry
    from zhian.pipeline import db

    con = _doorplate_inbox(tmp_path)
    # the analyst follows the suggestion: 凤仙路461号 goes into the registry
    write_registry(tmp_path / "inbox", [["花园小区", "凤仙路461号", "凤仙路社区", 300, None]], name="名册补充.xlsx")
    run_ingest(tmp_path / "inbox", con)
    rows = db.query(con, "quality/unattributed_doorplates.sql", {"station": None, "limit": 10}).fetchall()
    placed = con.execute("select count(*), count(doorplate) from alerts where compound = '花园小区'").fetchall()
    con.close()
    assert [r[0] for r in rows] == ["凤仙路459号", "滨湖路1600号"]
    assert placed == [(3, 0)]
