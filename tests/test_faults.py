"""Faults around a run: the disk fills up (during the load, during the outputs), the output
folder cannot be written, two runs start at once. Each gives one clear Chinese line and a
non-zero exit, and the database stays consistent: a later run completes the work and equals a
clean run. (SIGKILL mid-load is in test_idempotence_and_atomicity.py; a database held by
another process in test_cli.py.)"""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.dbcheck import consistent, fingerprint
from zhian.fixtures.hostile import valid_xlsx

pytestmark = pytest.mark.slow
AS_OF = "2022-08-31"


def _run(inbox: Path, db: Path, out: Path, *extra: str, file_limit: int | None = None, **popen):
    """`zhian run` in a child process; `file_limit` caps the size of any file it writes
    (RLIMIT_FSIZE: the kernel's "File too large", as a full disk gives "No space left")."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    command = [sys.executable, "-m", "zhian", "run", "--inbox", inbox, "--db", db, "--out", out, "--as-of", AS_OF]
    return subprocess.Popen(
        [str(part) for part in (*command, *extra)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit if file_limit else None,
        **popen,
    )


def _finish(process) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=300)
    return process.returncode, stdout, stderr


def test_disk_full_during_the_load_is_one_line_and_a_rerun_equals_a_clean_run(demo_inbox, demo_db, tmp_path):
    inbox = demo_inbox[0]
    db = tmp_path / "z.duckdb"
    code, _, stderr = _finish(_run(inbox, db, tmp_path / "out", file_limit=5_000_000))
    assert code == 2, stderr
    assert stderr.count("\n") == 1 and "数据库写入失败" in stderr and "撤销" in stderr
    consistent(db)

    code, _, stderr = _finish(_run(inbox, db, tmp_path / "out"))
    assert code == 0, stderr
    assert fingerprint(db) == fingerprint(demo_db[0])


def test_disk_full_while_writing_the_outputs_leaves_no_partial_file(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    valid_xlsx(inbox / "警情.xlsx")
    db, out = tmp_path / "z.duckdb", tmp_path / "out"
    # the database of this tiny inbox stays under 4 MB; the dashboard (plotly.js inlined) is larger
    code, _, stderr = _finish(_run(inbox, db, out, file_limit=4_200_000))
    assert code == 2, stderr
    assert stderr.count("\n") == 1 and "文件写入失败" in stderr and "看板" in stderr
    assert list(out.iterdir()) == []  # no half-written dashboard, no temporary left behind
    consistent(db)

    code, stdout, stderr = _finish(_run(inbox, db, out))
    assert code == 0, stderr
    assert "收件箱中没有新文件" in stdout  # the load had been committed
    assert sorted(p.suffix for p in out.iterdir()) == [".html", ".xlsx"]


def test_an_output_folder_that_cannot_be_created_is_refused_before_any_work(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    valid_xlsx(inbox / "警情.xlsx")
    blocker = tmp_path / "报表"
    blocker.write_text("a file where the folder should be")
    code, _, stderr = _finish(_run(inbox, tmp_path / "z.duckdb", blocker / "本月"))
    assert code == 2
    assert stderr.count("\n") == 1 and "输出文件夹无法写入" in stderr
    assert not (tmp_path / "z.duckdb").exists()  # refused before the database was touched


def _started(process, db: Path, timeout: float = 60) -> None:
    """Wait until the first run holds the database."""
    deadline = time.monotonic() + timeout
    while not db.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_second_run_while_the_first_holds_the_database_exits_with_a_clear_message(demo_inbox, tmp_path):
    db = tmp_path / "z.duckdb"
    first = _run(demo_inbox[0], db, tmp_path / "out1")
    try:
        _started(first, db)
        code, _, stderr = _finish(_run(demo_inbox[0], db, tmp_path / "out2"))
        assert first.poll() is None, "the first run ended before the second started: the premise failed"
    finally:
        first_code, _, first_err = _finish(first)
    assert code == 2 and stderr.count("\n") == 1 and "另一个程序" in stderr
    assert first_code == 0, first_err


def test_a_second_run_with_wait_runs_after_the_first(demo_inbox, tmp_path):
    db = tmp_path / "z.duckdb"
    first = _run(demo_inbox[0], db, tmp_path / "out1")
    try:
        _started(first, db)
        second = _run(demo_inbox[0], db, tmp_path / "out2", "--wait", "240")
        code, stdout, stderr = _finish(second)
    finally:
        first_code, _, first_err = _finish(first)
    assert first_code == 0, first_err
    assert code == 0, stderr
    assert "收件箱中没有新文件" in stdout  # never two writers: the second saw the first's work
    assert sorted(p.suffix for p in (tmp_path / "out2").iterdir() if p.is_file()) == [".html", ".xlsx"]
