"""The whole hostile corpus (`zhian fixtures --hostile`) in one inbox beside good files, run
through the real command line: the run completes, the good files load, the inbox is
untouched, and every bad file or cell is reported with a reason an analyst understands."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.conftest import run_ingest, write_registry
from zhian.fixtures.hostile import formula_without_value, valid_xlsx, write_everything
from zhian.pipeline.ingest.prepare import FORMULA_GAP_REASON


def _hashes(folder: Path) -> dict[str, tuple[int, str]]:
    return {p.name: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) for p in folder.iterdir()}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    inbox = root / "inbox"
    made = subprocess.run(
        [sys.executable, "-m", "zhian", "fixtures", "--hostile", "--out", str(inbox)], capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    expected = write_everything(root / "expected")  # same names and outcomes, written again to read them
    write_registry(inbox)
    valid_xlsx(inbox / "正常警情.xlsx")
    before = _hashes(inbox)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhian",
            "run",
            "--inbox",
            str(inbox),
            "--db",
            str(root / "z.duckdb"),
            "--out",
            str(root / "out"),
            "--as-of",
            "2022-08-31",
        ],
        capture_output=True,
        text=True,
    )
    con = duckdb.connect(str(root / "z.duckdb"), read_only=True)
    yield {"root": root, "inbox": inbox, "expected": expected, "before": before, "result": result, "con": con}
    con.close()


def test_the_run_completes_with_exit_zero_and_writes_both_outputs(hostile_run):
    result = hostile_run["result"]
    assert result.returncode == 0, result.stderr
    names = sorted(p.suffix for p in (hostile_run["root"] / "out").iterdir())
    assert names == [".html", ".xlsx"]


def test_the_inbox_is_untouched(hostile_run):
    assert _hashes(hostile_run["inbox"]) == hostile_run["before"]


def test_every_file_has_its_expected_outcome_and_reason(hostile_run):
    logged = {
        name: (outcome, reason)
        for name, outcome, reason in hostile_run["con"]
        .execute("select source_file, outcome, reason from ingest_files")
        .fetchall()
    }
    for name, expected in hostile_run["expected"].items():
        if expected == "ignored":
            assert name not in logged
            continue
        outcome, reason = logged[name]
        if expected.startswith("rejected:"):
            assert outcome == "rejected", name
            assert expected.split(":", 1)[1] in reason, (name, reason)
        else:
            assert outcome == expected, (name, outcome, reason)


def test_the_good_files_load_beside_the_bad_ones(hostile_run):
    con = hostile_run["con"]
    assert con.execute("select count(*) from alerts where source_file = '正常警情.xlsx'").fetchone()[0] == 2
    assert con.execute("select count(*) from compounds").fetchone()[0] == 3  # 花园小区, 滨湖公寓, the HTML name


def test_every_rejected_file_is_named_with_its_reason_on_the_terminal(hostile_run):
    out = hostile_run["result"].stdout
    for name, expected in hostile_run["expected"].items():
        if expected.startswith("rejected:"):
            line = next(line for line in out.splitlines() if line.startswith(f"✗ {name}"))
            assert expected.split(":", 1)[1] in line


def test_the_office_lock_file_is_skipped_silently_but_counted(hostile_run):
    assert "忽略了1个Office临时锁文件" in hostile_run["result"].stdout
    assert "~$" not in "".join(hostile_run["con"].execute("select source_file from ingest_files").fetchone())


def test_xxe_entity_is_never_resolved(hostile_run):
    con = hostile_run["con"]
    assert con.execute("select count(*) from alerts where source_file = '外部实体XXE.xlsx'").fetchone()[0] == 0
    assert con.execute("select count(*) from alerts where address like '%root:%'").fetchone()[0] == 0


def test_a_formula_without_cached_value_is_a_rejected_cell_not_a_blank(hostile_run):
    rows = (
        hostile_run["con"]
        .execute(
            "select row_number, column_name, reason from rejected_rows where source_file = '公式没有计算结果.xlsx'"
        )
        .fetchall()
    )
    assert rows == [(3, "报警时间", FORMULA_GAP_REASON)]
    loaded = hostile_run["con"].execute("select alert_id from alerts where source_file = '公式没有计算结果.xlsx'")
    assert loaded.fetchall() == [("F1",)]


def test_formula_cells_with_cached_values_load_those_values(hostile_run):
    import datetime as dt

    rows = (
        hostile_run["con"]
        .execute("select alert_id, alarm_at from alerts where source_file = '公式有计算结果.xlsx'")
        .fetchall()
    )
    assert rows == [("C1", dt.datetime(2022, 7, 3, 9, 0))]


def test_the_1904_date_system_gives_the_right_dates(hostile_run):
    import datetime as dt

    rows = (
        hostile_run["con"]
        .execute("select alert_id, alarm_at from alerts where source_file = '1904日期系统.xlsx' order by 1")
        .fetchall()
    )
    assert rows == [("M1", dt.datetime(2022, 7, 1, 8, 30)), ("M2", dt.datetime(2022, 7, 1, 12, 0))]


def _traps(hostile_run) -> dict[str, tuple]:
    rows = (
        hostile_run["con"]
        .execute("select alert_id, nature, address, summary from alerts where source_file = '单元格陷阱.xlsx'")
        .fetchall()
    )
    return {r[0]: r[1:] for r in rows}


def test_zero_width_full_width_spaces_and_line_breaks_are_normalised(hostile_run):
    nature, address, _ = _traps(hostile_run)["T1"]
    assert nature == "报警" and address == "凤仙路1号"


def test_a_100000_character_cell_loads_whole(hostile_run):
    assert len(_traps(hostile_run)["T2"][2]) == 100_000


def test_formula_like_text_stays_text(hostile_run):
    traps = _traps(hostile_run)
    assert traps["T1"][2] == '=HYPERLINK("http://x","y")'
    assert traps["T3"][2] == "@SUM(1)"


def test_an_id_excel_turned_into_a_float_is_rejected_with_a_reason(hostile_run):
    rows = (
        hostile_run["con"]
        .execute(
            "select row_number, reason from rejected_rows"
            " where source_file = '单元格陷阱.xlsx' and column_name = '警情编号'"
        )
        .fetchall()
    )
    assert len(rows) == 1
    row_number, reason = rows[0]
    assert row_number == 5 and "表格软件" in reason and "重新导出" in reason


def test_header_only_and_empty_sheets_are_reported_by_name(hostile_run):
    out = hostile_run["result"].stdout
    assert "工作表「只有表头」" in out and "只有表头，没有数据行" in out
    assert "工作表「空表」已跳过：空工作表" in out


def test_the_report_writes_hostile_text_as_text(hostile_run):
    report = next((hostile_run["root"] / "out").glob("*.xlsx"))
    workbook = openpyxl.load_workbook(report)
    values = [c.value for row in workbook["拒绝行"].iter_rows() for c in row]
    assert "=1+1" in values  # the rejected 报警时间, shown as the text it was
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert len(cell.value) <= 32_767


def test_a_formula_without_value_is_found_in_a_sheet_written_with_a_namespace_prefix(inbox, fresh_db, tmp_path):
    # some writers prefix every element (<x:c r="B3"><x:f>…); the scan before issue #13 looked
    # for `<c r=` only and let such a cell through as blank
    plain = formula_without_value(tmp_path / "plain.xlsx")
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(inbox / "前缀.xlsx", "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<(/?)([a-zA-Z]+[\s>/])", rb"<\1x:\2", data).replace(
                    main, main.replace(b"xmlns", b"xmlns:x")
                )
            target.writestr(info, data)
    run_ingest(inbox, fresh_db)
    rows = fresh_db.execute("select row_number, column_name, reason from rejected_rows").fetchall()
    assert rows == [(3, "报警时间", FORMULA_GAP_REASON)]
    assert fresh_db.execute("select alert_id from alerts").fetchall() == [("F1",)]
