"""The monthly report: numbers as numbers, statuses as metric_results says, no formulas
from input text, personal data masked, every planted bad row listed, printable."""

import datetime as dt
import re
import shutil
import zipfile

import duckdb
import openpyxl
import pytest

from tests.conftest import run_ingest, seed, write_registry, write_sheet
from tests.pii import digit_windows
from zhian.pipeline.db import connect
from zhian.pipeline.metrics.evaluate import evaluate
from zhian.pipeline.outputs import wording
from zhian.pipeline.outputs.report import default_name, month_as_of, month_bounds, write_report

D = dt.date


@pytest.fixture(scope="module")
def demo_report(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    db = folder / "z.duckdb"
    shutil.copy(demo_db[0], db)
    con = connect(db)
    from zhian.pipeline.metrics.ranking import rank_compounds

    rank_compounds(con, 2021)
    path = write_report(con, folder / default_name(D(2022, 8, 31)), evaluate(con, D(2022, 8, 31)))
    con.close()
    return path, db


def _cells(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet.title, cell


def test_sheets_in_order(demo_report):
    workbook = openpyxl.load_workbook(demo_report[0])
    assert workbook.sheetnames == [
        "摘要", "指标明细", "指标溯源", "警情时段", "整治台账", "月度趋势", "排名", "数据质量", "拒绝行", "名册维护",
        "口径说明",
    ]  # fmt: skip
    assert demo_report[0].name == "小区整治月报_2022年08月.xlsx"


def test_details_match_metric_results_with_one_meaning_per_column(demo_report):
    workbook = openpyxl.load_workbook(demo_report[0])
    sheet = workbook["指标明细"]
    assert sheet["A1"].value.startswith("指标明细（评估日期 2022-08-31") and "A1:M1" in sheet.merged_cells
    header = [c.value for c in sheet[2]]
    assert header == [
        "整治项目", "小区", "指标", "本期值", "同期值", "变化", "分子", "分母",
        "目标", "差距", "状态", "说明", "溯源", "指标代码",
    ]  # fmt: skip
    assert sheet.column_dimensions["N"].hidden  # the codes, for tools
    con = duckdb.connect(str(demo_report[1]), read_only=True)
    results = con.execute("""select campaign, compound, metric_name, kind, actual, baseline, change, numerator,
                             denominator, status, metric from metric_results
                             order by campaign, compound, metric""").fetchall()
    con.close()
    assert sheet.max_row - 2 == len(results)
    for index, row in enumerate(results, start=3):
        campaign, compound, name, kind, actual, baseline, change, num, den, status, code = row
        cells = {h: sheet.cell(index, i + 1) for i, h in enumerate(header)}
        assert (cells["整治项目"].value, cells["小区"].value, cells["指标"].value) == (campaign, compound, name)
        assert cells["状态"].value == wording.STATUS_NAMES[status] and cells["指标代码"].value == code
        if kind in ("rate", "stock_rate", "ledger_rate"):
            assert cells["本期值"].value == (None if actual is None else pytest.approx(actual))
            assert cells["本期值"].number_format.endswith("%")
            assert (cells["分子"].value, cells["分母"].value) == (num, den)
            if kind == "rate" and actual is not None and baseline is not None:
                assert cells["同期值"].value == pytest.approx(baseline) and cells["同期值"].number_format == "0.0%"
                assert cells["变化"].value == pytest.approx((actual - baseline) * 100)  # 个百分点
                assert "个百分点" in cells["变化"].number_format
        else:
            assert cells["本期值"].value == (None if actual is None else int(actual))
            assert cells["本期值"].number_format in ('0"起"', '0"件"', '0"项"')
            assert cells["同期值"].value == (None if baseline is None else int(baseline))
            assert cells["变化"].value == (None if change is None or kind == "zero_count" else pytest.approx(change))
            assert cells["分子"].value is None and cells["分母"].value is None
        fill = cells["状态"].fill.fgColor.rgb
        assert fill.endswith(
            {"met": "C8E6C9", "missed": "FFCDD2", "on_track": "BBDEFB", "at_risk": "FFE0B2", "no_data": "E0E0E0"}[
                status
            ]
        )


def test_every_column_of_the_details_holds_one_type(demo_report):
    # sortable, filterable, summable: numbers never share a column with text
    sheet = openpyxl.load_workbook(demo_report[0])["指标明细"]
    header = [c.value for c in sheet[2]]
    numeric = {"本期值", "同期值", "变化", "分子", "分母", "差距"}
    for column, name in enumerate(header, start=1):
        kinds = {
            type(sheet.cell(row, column).value).__name__
            for row in range(3, sheet.max_row + 1)
            if sheet.cell(row, column).value is not None
        }
        assert kinds <= ({"int", "float"} if name in numeric else {"str"}), (name, kinds)


def test_each_figure_links_to_the_records_it_counts(demo_report):
    workbook = openpyxl.load_workbook(demo_report[0])
    details, explained = workbook["指标明细"], workbook["指标溯源"]
    con = duckdb.connect(str(demo_report[1]), read_only=True)
    results = con.execute(
        """select campaign, compound, metric_name, kind, actual, baseline, numerator, denominator
           from metric_results order by campaign, compound, metric"""
    ).fetchall()
    con.close()
    linked = 0
    for index, (campaign, compound, name, kind, actual, baseline, numerator, denominator) in enumerate(
        results, start=3
    ):
        cell = details.cell(index, 13)
        if cell.hyperlink is None:
            continue
        linked += 1
        top = int(re.fullmatch(r"#'指标溯源'!A(\d+)", cell.hyperlink.location or cell.hyperlink.target).group(1))
        counts = {}
        for row in range(top, explained.max_row + 1):
            if [explained.cell(row, c).value for c in (1, 2, 3)] != [campaign, compound, name]:
                break
            counts[explained.cell(row, 4).value] = explained.cell(row, 5).value
            listed = explained.cell(row, 6).value
            shown = len(re.findall(r"\d{4}-\d{2}-\d{2} ", listed))
            assert shown == min(explained.cell(row, 5).value, 30)
        assert counts, (campaign, compound, name)
        if kind in ("count_change", "zero_count"):
            assert (counts.get("本期", 0), counts.get("同期", 0)) == (int(actual), int(baseline))
        elif kind == "rate":
            assert (counts.get("本期分子", 0), counts.get("本期分母", 0)) == (numerator or 0, denominator or 0)
        else:
            assert counts.get("本期分子", 0) == (numerator or 0)
    assert linked > 40


def test_summary_names_each_missed_or_at_risk_target_with_numbers(demo_report):
    sheet = openpyxl.load_workbook(demo_report[0])["摘要"]
    lines = [c.value for c in sheet["A"] if c.value]
    assert lines[0].endswith("2022年8月 小区整治工作月报")
    assert any(line.startswith("茵芳小区挂牌整治（2022-07-01至2022-09-30，进行中）") for line in lines)
    con = duckdb.connect(str(demo_report[1]), read_only=True)
    flagged = con.execute("select count(*) from metric_results where status in ('missed', 'at_risk')").fetchone()[0]
    con.close()
    sentences = [line for line in lines if line.startswith("　")]
    assert len(sentences) == flagged
    assert any(re.search(r"（本期\d+起，同期\d+起），目标下降\d+%", s) for s in sentences)
    assert any("按当前进度" in s for s in sentences)


def test_no_phone_or_id_number_of_the_demo_data_appears_unmasked(demo_report):
    workbook = openpyxl.load_workbook(demo_report[0])
    text = "\n".join(str(cell.value) for _, cell in _cells(workbook))
    con = duckdb.connect(str(demo_report[1]), read_only=True)
    secrets = {
        r[0]
        for r in con.execute("""
        select caller_phone from alerts where caller_phone is not null union select person_id from residents
        union select phone from residents where phone is not null
        union select value from rejected_rows where column_name in ('身份证号', '公民身份号码') and value is not null
    """).fetchall()
    }
    con.close()
    assert secrets.isdisjoint(digit_windows(text))


def test_the_quality_sheet_lists_every_planted_bad_row(demo_report, demo_inbox):
    sheet = openpyxl.load_workbook(demo_report[0])["拒绝行"]
    listed = {(r[0], r[2], r[3]) for r in sheet.iter_rows(values_only=True) if isinstance(r[2], int)}
    planted = [p for p in demo_inbox[1].plants if p.expect == "rejected"]
    assert planted
    for plant in planted:
        assert (plant.file, plant.row, plant.column) in listed, plant


def test_rejected_resident_ids_are_masked_in_the_quality_sheet(demo_report):
    sheet = openpyxl.load_workbook(demo_report[0])["拒绝行"]
    values = [r[4] for r in sheet.iter_rows(values_only=True) if r[3] == "身份证号" and r[4]]
    assert values and all("*" in v for v in values if len(v) >= 15)


def test_hostile_input_text_comes_out_as_text_not_formulas(inbox, fresh_db, tmp_path):
    write_registry(inbox, [['=HYPERLINK("http://x","y")', "凤仙路457号附1号", "凤仙路社区", 300, None]])
    write_sheet(
        inbox,
        "警情.xlsx",
        ["警情编号", "报警时间", "警情性质", "事发地址"],
        [["J1", "2022-07-01", "@SUM(1)", "凤仙路457号附1号"], ["J2", "-2+3", "报警", "凤仙路457号附1号"]],
    )
    run_ingest(inbox, fresh_db)
    seed(
        fresh_db,
        targets=[("+整治", '=HYPERLINK("http://x","y")', D(2022, 7, 1), D(2022, 9, 30), "alarm_calls_yoy", "<=", -20)],
    )
    path = write_report(fresh_db, tmp_path / "r.xlsx", evaluate(fresh_db, D(2022, 8, 31)))
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml
    workbook = openpyxl.load_workbook(path)
    hostile = [
        (title, cell)
        for title, cell in _cells(workbook)
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@"))
    ]
    values = {cell.value for _, cell in hostile}
    assert {'=HYPERLINK("http://x","y")', "@SUM(1)", "-2+3", "+整治"} <= values
    assert all(cell.data_type == "s" for _, cell in hostile)


def test_report_content_is_deterministic(demo_report, tmp_path):
    copy = tmp_path / "z.duckdb"
    shutil.copy(demo_report[1], copy)
    con = connect(copy)
    again = write_report(con, tmp_path / "again.xlsx", evaluate(con, D(2022, 8, 31)))
    con.close()
    first = [(t, c.coordinate, c.value, c.number_format) for t, c in _cells(openpyxl.load_workbook(demo_report[0]))]
    second = [(t, c.coordinate, c.value, c.number_format) for t, c in _cells(openpyxl.load_workbook(again))]
    assert first == second


def test_print_setup_frozen_headers_and_widths(demo_report):
    workbook = openpyxl.load_workbook(demo_report[0])
    details = workbook["指标明细"]
    assert details.freeze_panes == "D3"
    assert details.page_setup.orientation == "landscape" and details.page_setup.paperSize == 9
    assert details.sheet_properties.pageSetUpPr.fitToPage and details.page_setup.fitToWidth == 1
    assert details.print_title_rows == "$2:$2"
    assert details.column_dimensions["C"].width >= 18  # 报警类110警情同比 fits
    assert details["A1"].font.name == "Microsoft YaHei"


@pytest.mark.parametrize(
    ("month", "today", "expected"),
    [
        ("2022-08", D(2022, 9, 15), D(2022, 8, 31)),
        ("2022-09", D(2022, 9, 15), D(2022, 9, 15)),
        ("2024-02", D(2024, 6, 1), D(2024, 2, 29)),
    ],
)
def test_report_month_is_as_of_its_last_day_or_today(month, today, expected):
    assert month_as_of(month, today) == expected


def test_bad_month_is_refused():
    with pytest.raises(ValueError):
        month_bounds("2022/08")


def test_every_sheet_has_a_merged_title_the_report_header_and_page_numbers(demo_report):
    workbook = openpyxl.load_workbook(demo_report[0])
    for sheet in workbook.worksheets:
        assert sheet.oddHeader.center.text.endswith("2022年8月 小区整治工作月报"), sheet.title
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页", sheet.title
        if sheet.title != "摘要":  # one column of sentences
            merged = [r for r in sheet.merged_cells.ranges if r.min_row == r.max_row == 1]
            assert merged and merged[0].max_col >= 3, sheet.title  # the title across the table
    ranking = workbook["排名"]
    assert "A1:J1" in ranking.merged_cells and re.match(r"\d{4}年小区整治优先顺序", ranking["A1"].value)
    assert ranking.row_dimensions[1].height  # its height holds the wrapped title


def test_wrapped_cells_have_the_row_height_their_lines_need(demo_report):
    sheet = openpyxl.load_workbook(demo_report[0])["指标明细"]
    header = [c.value for c in sheet[2]]
    notes = header.index("说明") + 1
    width = sheet.column_dimensions["L"].width
    checked = 0
    for row in range(3, sheet.max_row + 1):
        text = sheet.cell(row, notes).value
        if text and sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) > 2 * width:  # three lines or more
            assert sheet.row_dimensions[row].height >= 3 * 13, (row, text)
            checked += 1
    assert checked


def test_no_english_is_visible_outside_file_names_and_record_ids(demo_report):
    con = duckdb.connect(str(demo_report[1]), read_only=True)
    names = {
        r[0] for r in con.execute("select source_file from ingest_files union select sheet from ingest_log").fetchall()
    }
    con.close()
    names.discard(None)
    workbook = openpyxl.load_workbook(demo_report[0])
    for title, cell in _cells(workbook):
        sheet = workbook[title]
        if not isinstance(cell.value, str) or sheet.column_dimensions[cell.column_letter].hidden:
            continue
        above = (sheet.cell(row, cell.column) for row in range(cell.row - 1, 0, -1))
        header = next((c.value for c in above if c.style == "zhian-header"), None)  # of the table it is in
        if header in ("记录（日期 编号）", "值", "示例值"):  # record IDs, values as the input had them
            continue
        text = cell.value
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, "")
        text = re.sub(r"\.(xlsx|xls|csv)\b", "", text)  # file types
        assert not re.search(r"[A-Za-z]", text), (title, cell.coordinate, cell.value)


def test_the_quality_sheet_adds_up(demo_report):
    sheet = openpyxl.load_workbook(demo_report[0])["数据质量"]
    header = [c.value for c in sheet[2]]
    assert "读取行 = 载入行 + 拒绝行 + 空行 + 合计行" in sheet["A1"].value
    column = {name: header.index(name) for name in ("结果", "读取行", "载入行", "拒绝行", "空行", "合计行")}
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[column["结果"]] in ("已载入", "部分载入")]
    assert rows
    for r in rows:
        parts = r[column["载入行"]] + r[column["拒绝行"]] + r[column["空行"]] + r[column["合计行"]]
        assert r[column["读取行"]] == parts, r
    assert any(r[column["空行"]] or r[column["合计行"]] for r in rows)  # the demo plants blank and 合计 rows
