"""A file that cannot be read is rejected as a whole with a reason; the others load.
Nothing in the inbox may take the run down (calamine aborts on a cell at XFD1048576)."""

import os
from dataclasses import replace

import pytest

from tests.conftest import run_ingest, write_registry
from zhian.fixtures.hostile import CORPUS, valid_xlsx, write_corpus
from zhian.pipeline.settings import Settings


def test_every_hostile_file_is_rejected_with_its_reason_and_the_good_file_loads(inbox, fresh_db):
    expected = write_corpus(inbox)
    valid_xlsx(inbox / "正常警情.xlsx")
    report = run_ingest(inbox, fresh_db)
    by_name = {f.source_file: f for f in report.files}
    for name, words in expected.items():
        assert by_name[name].outcome == "rejected", name
        assert words in by_name[name].reason, (name, by_name[name].reason)
    assert by_name["正常警情.xlsx"].outcome == "loaded"
    assert fresh_db.execute("select count(*) from alerts").fetchone()[0] == 2
    logged = dict(
        fresh_db.execute("select source_file, reason from ingest_files where outcome = 'rejected'").fetchall()
    )
    assert set(logged) == set(CORPUS)


@pytest.mark.parametrize("workers", [1, 2])
def test_crash_in_the_parser_does_not_stop_files_parsed_beside_it(inbox, fresh_db, workers):
    CORPUS["超大单元格XFD1048576.xlsx"][0](inbox / "a_crash.xlsx")
    for i in range(3):
        valid_xlsx(inbox / f"b_ok{i}.xlsx", tag=str(i))
    report = run_ingest(inbox, fresh_db, replace(Settings.load(), workers=workers))
    outcomes = {f.source_file: f.outcome for f in report.files}
    assert outcomes == {
        "a_crash.xlsx": "rejected",
        "b_ok0.xlsx": "loaded",
        "b_ok1.xlsx": "loaded",
        "b_ok2.xlsx": "loaded",
    }


def test_office_lock_files_and_hidden_files_are_skipped_silently_but_counted(inbox, fresh_db):
    (inbox / "~$警情.xlsx").write_bytes(b"\x00lock")
    (inbox / ".DS_Store").write_bytes(b"\x00")
    write_registry(inbox)
    report = run_ingest(inbox, fresh_db)
    assert report.ignored_files == 2
    assert [f.source_file for f in report.files] == ["名册.xlsx"]


def test_unsupported_file_type_is_reported_by_name(inbox, fresh_db):
    (inbox / "说明.docx").write_bytes(b"PK")
    report = run_ingest(inbox, fresh_db)
    assert report.files[0].outcome == "skipped" and "不支持" in report.files[0].reason


def test_rejected_file_is_not_retried_while_its_content_is_unchanged(inbox, fresh_db):
    CORPUS["被截断.xlsx"][0](inbox / "坏.xlsx")
    run_ingest(inbox, fresh_db)
    again = run_ingest(inbox, fresh_db)
    assert [f.outcome for f in again.files] == ["unchanged"]


def test_inbox_is_never_modified(inbox, fresh_db):
    write_corpus(inbox)
    write_registry(inbox)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in inbox.iterdir()}
    run_ingest(inbox, fresh_db)
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in inbox.iterdir()}
    assert before == after
    assert sorted(os.listdir(inbox)) == sorted(before)
