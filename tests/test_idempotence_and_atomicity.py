"""Running twice changes nothing; a killed run leaves no partial file; a re-run completes it."""

import hashlib
import os
import signal
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import copy_inbox
from tests.dbcheck import consistent as _consistent
from tests.dbcheck import fingerprint as _fingerprint
from zhian.fixtures.writers import SheetSpec, write_xlsx
from zhian.pipeline.db import connect
from zhian.pipeline.ingest.run import ingest


def test_running_twice_changes_nothing(demo_inbox, tmp_path):
    inbox, _ = demo_inbox
    path = tmp_path / "z.duckdb"
    con = connect(path)
    ingest(inbox, con)
    con.close()
    first = _fingerprint(path)
    files_before = duckdb.connect(str(path), read_only=True).execute("select count(*) from ingest_files").fetchone()
    con = connect(path)
    report = ingest(inbox, con)
    con.close()
    assert report.new_files == []
    assert _fingerprint(path) == first
    assert (
        duckdb.connect(str(path), read_only=True).execute("select count(*) from ingest_files").fetchone()
        == files_before
    )


def _big_inbox(folder, files=4, rows=15000):
    folder.mkdir()
    header = ["警情编号", "报警时间", "警情性质", "警情类别", "事发地址"]
    for f in range(files):
        data = [
            [f"J{f}-{i}", f"2022-0{f % 9 + 1}-{i % 28 + 1:02d} 08:00", "报警", "治安", f"凤仙路{i % 500}号"]
            for i in range(rows)
        ]
        write_xlsx(folder / f"警情{f}.xlsx", [SheetSpec("警情", header, data)])
    return folder


@pytest.mark.slow
def test_sigkill_mid_load_leaves_no_partial_file_and_a_rerun_matches_a_clean_run(tmp_path):
    inbox = _big_inbox(tmp_path / "inbox")
    clean = tmp_path / "clean.duckdb"
    con = connect(clean)
    ingest(inbox, con)
    con.close()

    killed = tmp_path / "killed.duckdb"
    command = [sys.executable, "-m", "zhian", "ingest", "--inbox", str(inbox), "--db", str(killed)]
    kills = 0
    for delay in (1.0, 2.0, 3.0, 4.0, 5.0):
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            process.wait(timeout=delay)  # a run that finishes first is not waited for any longer
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            kills += 1
            process.wait()
        if killed.exists():
            _consistent(killed)
    assert kills >= 1, "the run finished before any kill: make the inbox larger"
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    _consistent(killed)
    assert _fingerprint(killed) == _fingerprint(clean)


def test_the_inbox_is_untouched_by_a_full_run(demo_inbox, tmp_path):
    inbox = copy_inbox(demo_inbox[0], tmp_path / "inbox")
    before = {p: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) for p in inbox.rglob("*")}
    con = connect(tmp_path / "z.duckdb")
    ingest(inbox, con)
    con.close()
    after = {p: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) for p in inbox.rglob("*")}
    assert before == after
