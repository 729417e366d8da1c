"""Personal data: one masking module for every output; a scan of every output of a demo run
(dashboard, report, every command's terminal output) for every raw phone, ID number and name
of the demo data; `report --internal` as the one, marked and audited, way to unmasked data;
owner-only permissions on what holds personal data."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import plotly.offline
import pytest

from tests.pii import digit_windows, full_names, secrets
from zhian.pipeline.masking import mask_id, mask_name, mask_phone, mask_text
from zhian.pipeline.outputs.report import INTERNAL_MARK

pytestmark = pytest.mark.slow
AS_OF = "2022-08-31"


@pytest.mark.parametrize(
    ("function", "raw", "masked"),
    [
        (mask_name, "张三", "张*"),
        (mask_name, "欧阳修", "欧**"),
        (mask_name, "Smith", "S****"),
        (mask_phone, "13812341234", "138****1234"),
        (mask_phone, "138-1234-1234", "138****1234"),
        (mask_phone, "021-66771234", "021****1234"),
        (mask_id, "11010119900307123X", "110101********123X"),
        (mask_id, "110101900307123", "110101*****7123"),
        (mask_id, "E12345678", "E1*****78"),  # passports and other documents
    ],
)
def test_masking_keeps_only_what_identifies_nobody(function, raw, masked):
    assert function(raw) == masked


def test_mask_text_finds_phone_and_id_numbers_inside_free_text():
    text = "报警人13812341234称其身份证11010119900307123X丢失，座机021-66771234，编号J2022070100001"
    assert mask_text(text) == "报警人138****1234称其身份证110101********123X丢失，座机021-****1234，编号J2022070100001"


def _zhian(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zhian", *map(str, args)], capture_output=True, text=True)


def _workbook_text(path: Path) -> str:
    """Everything an .xlsx holds as text: every XML part (cells, shared strings, headers)."""
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "ignore") for name in archive.namelist())


@pytest.fixture(scope="module")
def demo_run(demo_inbox, tmp_path_factory):
    """The demo inbox through every command that prints or writes something."""
    root = tmp_path_factory.mktemp("personal")
    inbox = root / "inbox"
    shutil.copytree(demo_inbox[0], inbox)
    db, out = root / "z.duckdb", root / "out"
    commands = {
        "run": ("run", "--inbox", inbox, "--db", db, "--out", out, "--as-of", AS_OF),
        "quality": ("quality", "--db", db),
        "metrics": ("metrics", "--db", db, "--as-of", AS_OF),
        "rank": ("rank", "--db", db, "--year", "2021"),
        "dashboard": ("dashboard", "--db", db, "--out", out / "看板.html", "--as-of", AS_OF),
        "report": ("report", "--db", db, "--month", "2022-08", "--out", out / "月报.xlsx"),
    }
    terminal = {}
    for name, args in commands.items():
        result = _zhian(*args)
        assert result.returncode == 0, (name, result.stderr)
        terminal[name] = result.stdout + result.stderr
    bundle = plotly.offline.get_plotlyjs()
    texts = dict(terminal)
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        if path.suffix == ".html":
            page = path.read_text(encoding="utf-8")
            assert bundle in page
            texts[path.name] = page.replace(bundle, "")  # plotly.js itself holds no data of ours
        else:
            texts[path.name] = _workbook_text(path)
    con = duckdb.connect(str(db), read_only=True)
    raw = secrets(con)
    names = full_names(con)
    con.close()
    return {"root": root, "db": db, "out": out, "texts": texts, "secrets": raw, "names": names}


def test_every_output_was_scanned(demo_run):
    assert set(demo_run["texts"]) >= {"run", "quality", "metrics", "rank", "看板.html", "月报.xlsx"}
    assert sum(name.endswith(".html") for name in demo_run["texts"]) == 2
    assert sum(name.endswith(".xlsx") for name in demo_run["texts"]) == 3  # 月报 twice, 督导通报
    assert len(demo_run["secrets"]) > 10_000 and len(demo_run["names"]) > 3_000


def test_no_raw_phone_or_id_number_in_any_output_of_a_demo_run(demo_run):
    numbers = {re.sub(r"[^0-9Xx]", "", s) for s in demo_run["secrets"]}  # passports: their digits
    numbers = {n for n in numbers if len(n) >= 8}
    for name, text in demo_run["texts"].items():
        found = numbers & digit_windows(text)
        assert not found, (name, sorted(found)[:3])


def test_no_full_name_in_any_output_of_a_demo_run(demo_run):
    for name, text in demo_run["texts"].items():
        pieces = set()
        for run in re.findall(r"[\u4e00-\u9fff]{3,}", text):
            for size in (3, 4):
                pieces.update(run[i : i + size] for i in range(len(run) - size + 1))
        found = demo_run["names"] & pieces
        assert not found, (name, sorted(found)[:3])


def test_the_quality_sheet_shows_rejected_ids_masked_not_dropped(demo_run):
    text = demo_run["texts"]["月报.xlsx"]
    assert re.search(r"\d{6}\*{8}\d{3}[\dX]", text)


def test_database_and_everything_beside_it_is_owner_only(demo_run):
    for path in demo_run["root"].glob("z.duckdb*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_masked_outputs_keep_the_users_usual_permissions(demo_run):
    umask = os.umask(0)
    os.umask(umask)
    for path in demo_run["out"].rglob("*"):  # the 督导通报 folder and its file too
        usual = (0o777 if path.is_dir() else 0o666) & ~umask
        assert stat.S_IMODE(path.stat().st_mode) == usual, path


@pytest.fixture(scope="module")
def internal_report(demo_run):
    path = demo_run["root"] / "内部月报.xlsx"
    result = _zhian("report", "--db", demo_run["db"], "--month", "2022-08", "--out", path, "--internal")
    assert result.returncode == 0, result.stderr
    return path, result


def test_internal_report_says_so_on_the_command_line(internal_report):
    _, result = internal_report
    assert "未脱敏" in result.stderr and "审计" in result.stderr
    assert INTERNAL_MARK in result.stdout


def test_internal_report_marks_every_sheet(internal_report):
    workbook = openpyxl.load_workbook(internal_report[0])
    for sheet in workbook.worksheets:
        assert INTERNAL_MARK in str(sheet["A1"].value), sheet.title
        assert sheet.sheet_properties.tabColor.rgb.endswith("C62828")
        assert INTERNAL_MARK in sheet.oddHeader.right.text and INTERNAL_MARK in sheet.oddFooter.left.text


def test_internal_report_holds_the_unmasked_values(internal_report, demo_run):
    con = duckdb.connect(str(demo_run["db"]), read_only=True)
    rejected_ids = {
        r[0]
        for r in con.execute(
            "select value from rejected_rows where column_name = '身份证号' and length(value) >= 15"
        ).fetchall()
    }
    con.close()
    assert rejected_ids
    values = {str(c.value) for row in openpyxl.load_workbook(internal_report[0])["拒绝行"].iter_rows() for c in row}
    assert rejected_ids <= values


def test_internal_report_is_owner_only_and_audited(internal_report, demo_run):
    path, _ = internal_report
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    con = duckdb.connect(str(demo_run["db"]), read_only=True)
    rows = con.execute("select happened_at, os_user, host, action, detail from audit_log").fetchall()
    con.close()
    assert len(rows) == 1
    happened_at, user, host, action, detail = rows[0]
    assert action == "internal_report" and user and host and str(path.resolve()) in detail
    assert happened_at is not None


def test_a_normal_report_writes_nothing_to_the_audit_log(demo_run, tmp_path):
    db = tmp_path / "z.duckdb"
    shutil.copy(demo_run["db"], db)

    def audited() -> int:
        con = duckdb.connect(str(db), read_only=True)
        try:
            return con.execute("select count(*) from audit_log").fetchone()[0]
        finally:
            con.close()

    before = audited()
    result = _zhian("report", "--db", db, "--month", "2022-08", "--out", tmp_path / "月报.xlsx")
    assert result.returncode == 0, result.stderr
    assert audited() == before
    result = _zhian("report", "--db", db, "--month", "2022-08", "--out", tmp_path / "内部.xlsx", "--internal")
    assert result.returncode == 0, result.stderr
    assert audited() == before + 1
