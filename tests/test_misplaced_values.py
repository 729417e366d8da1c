"""Nothing personal through a misplaced value: a row shifted by one column puts a name into a
date or a vocabulary column, where it is rejected and quoted. Masked outputs (the report's
数据质量, `zhian quality`) show such a value — and the reason quoting it — masked, in every
kind of source; the database keeps the raw value for the internal report."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import run_ingest
from zhian.fixtures.writers import SheetSpec, write_csv
from zhian.pipeline.db import connect
from zhian.pipeline.masking import mask_rejected
from zhian.pipeline.metrics.evaluate import evaluate
from zhian.pipeline.outputs.report import write_report

NAMES = {"alerts": "皇甫壬己", "cases": "欧阳秀英", "residents": "张伟", "penalties": "李秀兰"}

# per kind: a header and rows, the last of which is shifted so that a name lands in a
# date or a vocabulary column
SHIFTED = {
    "alerts": (
        ["接警编号", "报警时间", "报警人", "联系电话", "警情性质", "警情类别", "发生地址"],
        [
            ["J001", "2022-08-01 09:00", "王五", "13812341234", "报警", "刑事", "凤仙路12号"],
            ["J002", NAMES["alerts"], "13812345678", "报警", "刑事", "凤仙路12号", None],  # 报警时间 missing
        ],
    ),
    "cases": (
        ["案件编号", "案件类型", "案由", "立案时间", "案件状态", "发案地址", "报案人"],
        [
            ["A001", "刑事", "盗窃", "2022-08-02 10:00", "已立案", "凤仙路12号", "赵六"],
            ["A002", "刑事", "盗窃", NAMES["cases"], "已立案", "凤仙路12号", None],  # 立案时间 missing
        ],
    ),
    "residents": (
        ["身份证号", "姓名", "人口类型", "居住地址", "采集日期", "核查结果"],
        [
            ["11010119900307123X", "孙七", "户籍人口", "凤仙路12号", "2022-03-01", "准确"],
            ["110101199003071234", None, NAMES["residents"], "凤仙路12号", "2022-03-01", "准确"],  # 姓名 moved right
        ],
    ),
    "penalties": (
        ["案件编号", "处罚决定书ID", "处罚种类", "审批时间", "文书状态", "被处罚人"],
        [
            ["A001", "JD001", "罚款", "2022-08-03 10:00", "已审批", "周八"],
            ["A001", "JD002", "罚款", NAMES["penalties"], "已审批", None],  # 审批时间 missing
        ],
    ),
}


@pytest.fixture(scope="module")
def shifted(tmp_path_factory):
    root = tmp_path_factory.mktemp("shifted")
    inbox = root / "inbox"
    inbox.mkdir()
    for kind, (header, rows) in SHIFTED.items():
        write_csv(inbox / f"{kind}.csv", SheetSpec("CSV", header, rows))
    path = root / "zhian.duckdb"
    con = connect(path)
    run_ingest(inbox, con)
    report = write_report(con, root / "月报.xlsx", evaluate(con, dt.date(2022, 8, 31)))
    con.close()
    return path, report


@pytest.mark.parametrize("kind", sorted(NAMES))
def test_the_shifted_name_is_rejected_and_kept_raw_in_the_database(shifted, kind):
    import duckdb

    con = duckdb.connect(str(shifted[0]), read_only=True)
    rows = con.execute(
        """select column_name, reason from rejected_rows
           where kind = $k and (value = $v or reason like '%' || $v || '%')""",
        {"k": kind, "v": NAMES[kind]},
    ).fetchall()
    con.close()
    assert rows, kind


def _report_text(path: Path) -> str:
    workbook = openpyxl.load_workbook(path)
    return "\n".join(str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row if c.value)


@pytest.mark.parametrize("kind", sorted(NAMES))
def test_the_masked_report_shows_no_shifted_name(shifted, kind):
    text = _report_text(shifted[1])
    assert NAMES[kind] not in text
    assert NAMES[kind][0] + "*" in text  # shown masked, so the analyst still sees where


def test_zhian_quality_shows_no_shifted_name(shifted):
    done = subprocess.run(
        [sys.executable, "-m", "zhian", "quality", "--db", str(shifted[0])], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    for name in NAMES.values():
        assert name not in done.stdout


@pytest.mark.parametrize(
    ("field", "column_type", "value", "shown"),
    [
        ("alarm_at", "timestamp", "2022-13-45", "2022-13-45"),  # a wrong date keeps its shape: shown
        ("alarm_at", "timestamp", "下午2:20", "下午2:20"),
        ("alarm_at", "timestamp", "皇甫壬己", "皇***"),
        ("loss_amount", "double", "1,200元", "1,200元"),
        ("loss_amount", "double", "张伟", "张*"),
        ("is_major", "boolean", "是", "是"),
        ("status", "varchar", "审核中", "审核中"),  # an unknown word, not a name: shown
        ("population_type", "varchar", "欧阳秀英", "欧***"),
        ("nature", "varchar", "13812341234", "138****1234"),
        ("address", "varchar", "凤仙路12号 13812341234", "凤仙路12号 138****1234"),
    ],
)
def test_a_rejected_value_is_shown_raw_only_in_its_columns_shape(field, column_type, value, shown):
    assert mask_rejected(field, column_type, value) == shown
