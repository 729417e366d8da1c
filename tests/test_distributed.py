"""Ingest over several machines (pipeline/distributed.py): files are claimed once, batches
are staged atomically, and the loader gives the same tables as a local ingest without ever
loading a file twice — through the functions, and once for real: a Prefect server, a
process work pool and two `prefect worker start` processes (timed in benchmarks/workpool.py)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.conftest import write_registry
from tests.dbcheck import consistent, fingerprint
from zhian.pipeline.db import connect
from zhian.pipeline.ingest import distributed


def _stage_everything(inbox, shared, batch_seconds=0.01, smallest=None) -> list[str]:
    files = distributed.claim_new_files(inbox, shared).new
    if smallest is not None:  # parsing costs time, not coverage: the same path with fewer files
        files = sorted(files, key=lambda f: f.size)[:smallest]
    ids = distributed.write_batches(shared, distributed.plan_batches(files, batch_seconds))
    for batch_id in ids:
        distributed.prepare_batch(inbox, shared, batch_id)
    return ids


def _load(inbox, shared, db):
    con = connect(db)
    try:
        return distributed.load_staged(con, inbox, shared)
    finally:
        con.close()


@pytest.fixture(scope="module")
def staged_demo(demo_inbox, tmp_path_factory):
    """The demo inbox prepared in batches and loaded by the loader."""
    inbox, _ = demo_inbox
    folder = tmp_path_factory.mktemp("distributed")
    shared, db = folder / "shared", folder / "z.duckdb"
    ids = _stage_everything(inbox, shared, batch_seconds=0.05)
    report = _load(inbox, shared, db)
    return inbox, shared, db, ids, report


def test_a_file_is_claimed_once_however_often_the_planner_runs(demo_inbox, tmp_path):
    inbox, _ = demo_inbox
    first = distributed.claim_new_files(inbox, tmp_path / "shared")
    assert first.new
    again = distributed.claim_new_files(inbox, tmp_path / "shared")
    assert again.new == []
    # nothing passed over silently: every file of the second pass is named with its reason
    assert sorted(name for name, _ in again.passed_over) == sorted(
        [f.name for f in first.new] + [name for name, _ in first.passed_over]
    )
    assert {why for _, why in again.passed_over} >= {"已处理过（内容未变）"}


def test_batches_hold_about_the_parse_work_asked_for(demo_inbox, tmp_path):
    inbox, _ = demo_inbox
    files = distributed.claim_new_files(inbox, tmp_path / "shared").new
    total = sum(f.size for f in files)
    one = distributed.plan_batches(files, batch_seconds=total / distributed.BYTES_PER_SECOND + 1)
    assert len(one) == 1
    many = distributed.plan_batches(files, batch_seconds=0.0)
    assert len(many) == len(files)  # every file alone when the budget is smaller than any file
    half = distributed.plan_batches(files, batch_seconds=total / 2 / distributed.BYTES_PER_SECOND)
    assert 2 <= len(half) < len(files)
    assert sorted(f.name for batch in half for f in batch) == sorted(f.name for f in files)


def test_loader_gives_the_tables_of_a_local_ingest(staged_demo, demo_db):
    _, _, db, ids, _ = staged_demo
    assert len(ids) > 1
    assert fingerprint(db) == fingerprint(demo_db[0])
    consistent(db)


def test_loaded_batches_leave_a_receipt_and_no_staged_folder(staged_demo):
    _, shared, _, ids, _ = staged_demo
    assert distributed.staged_batches(shared) == []
    assert sorted(p.stem for p in (shared / "loaded").glob("*.json")) == sorted(ids)


def test_a_batch_staged_again_is_not_loaded_twice(staged_demo, tmp_path):
    inbox, _, db, _, _ = staged_demo
    copy = tmp_path / "z.duckdb"
    shutil.copy(db, copy)
    before = fingerprint(copy)
    # the claims are lost (a new shared folder): files are batched and prepared again
    assert len(_stage_everything(inbox, tmp_path / "other", batch_seconds=0, smallest=8)) == 8
    report = _load(inbox, tmp_path / "other", copy)
    assert len(report.files) == 8
    assert {f.outcome for f in report.files} <= {"unchanged", "duplicate"}
    assert fingerprint(copy) == before


def test_an_unfinished_batch_is_invisible_to_the_loader(demo_inbox, tmp_path):
    inbox, _ = demo_inbox
    shared = tmp_path / "shared"
    files = distributed.claim_new_files(inbox, shared).new
    (batch_id,) = distributed.write_batches(shared, [files[:1]])
    (shared / "staged" / f".{batch_id}.abc.tmp").mkdir(parents=True)  # a worker still writing
    report = _load(inbox, shared, tmp_path / "z.duckdb")
    assert report.files == []
    con = duckdb.connect(str(tmp_path / "z.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from ingest_files").fetchone()[0] == 0
    finally:
        con.close()


class _Planted:
    """What an attacker who can write the shared folder would plant: unpickling it runs code."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (shutil.copyfile, (__file__, str(self.marker)))


def test_a_staged_batch_is_data_and_a_planted_pickle_is_never_read(tmp_path, demo_inbox):
    # issue #13: batches used to travel as prepared.pkl, read by the process holding the database
    import json
    import pickle

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(next(demo_inbox[0].rglob("*名册*.xlsx")), inbox / "名册.xlsx")
    shared = tmp_path / "shared"
    (batch_id,) = _stage_everything(inbox, shared, batch_seconds=1000)
    staged = shared / "staged" / batch_id
    assert {p.suffix for p in staged.iterdir()} == {".json", ".parquet"}
    marker = tmp_path / "code-ran"
    (staged / "prepared.pkl").write_bytes(pickle.dumps(_Planted(marker)))
    report = _load(inbox, shared, tmp_path / "z.duckdb")
    assert [f.outcome for f in report.files] == ["loaded"] and not marker.exists()

    # a staged report that points a frame outside its batch folder is refused, not followed
    other = tmp_path / "inbox2"
    other.mkdir()
    write_registry(other)
    (batch_id,) = _stage_everything(other, shared, batch_seconds=1000)
    path = shared / "staged" / batch_id / "prepared.json"
    staged = json.loads(path.read_text(encoding="utf-8"))
    staged[0]["prepared"]["valid_paths"] = ["../../../elsewhere.parquet"]
    path.write_text(json.dumps(staged), encoding="utf-8")
    with pytest.raises(ValueError, match="outside its folder"):
        _load(other, shared, tmp_path / "z.duckdb")


def test_a_file_that_crashes_the_parser_is_rejected_and_its_batch_still_loads(tmp_path, demo_inbox):
    from zhian.fixtures.hostile import CORPUS

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(next(demo_inbox[0].rglob("*名册*.xlsx")), inbox / "名册.xlsx")
    CORPUS["超大单元格XFD1048576.xlsx"][0](inbox / "a_crash.xlsx")  # calamine aborts its process
    shared = tmp_path / "shared"
    _stage_everything(inbox, shared, batch_seconds=1000)  # one batch with both files
    report = _load(inbox, shared, tmp_path / "z.duckdb")
    outcomes = {f.source_file: f.outcome for f in report.files}
    assert outcomes == {"名册.xlsx": "loaded", "a_crash.xlsx": "rejected"}


@pytest.mark.slow
def test_two_process_workers_on_a_work_pool_prepare_the_batches_and_the_loader_matches_a_local_ingest(
    prefect_harness, demo_inbox, demo_db, tmp_path
):
    """The real thing on this machine: a Prefect server, a process work pool, the
    ingest-batch deployment and two `prefect worker start` processes."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.settings import PREFECT_API_URL

    from zhian.flows.distributed import deploy, plan_ingest_flow

    pool = "zhian-test"
    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
    deploy(pool)
    env = {
        **os.environ,
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    prefect = Path(sys.executable).parent / "prefect"
    workers = [
        subprocess.Popen(
            [str(prefect), "worker", "start", "--pool", pool, "--limit", "1", "--name", f"w{i}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(2)
    ]
    try:
        inbox, _ = demo_inbox
        db = tmp_path / "z.duckdb"
        quarter = sum(p.stat().st_size for p in inbox.rglob("*") if p.is_file()) / distributed.BYTES_PER_SECOND / 4
        summary = plan_ingest_flow(str(inbox), str(tmp_path / "shared"), str(db), batch_seconds=quarter)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    assert summary["batches"] >= 2
    assert summary["batch_states"] == {"COMPLETED": summary["batches"]}
    assert fingerprint(db) == fingerprint(demo_db[0])


def test_a_copy_under_another_name_is_named_with_the_file_it_copies(demo_inbox, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = next(demo_inbox[0].rglob("*名册*.xlsx"))
    shutil.copy(source, inbox / "a名册.xlsx")
    shutil.copy(source, inbox / "b名册副本.xlsx")
    claims = distributed.claim_new_files(inbox, tmp_path / "shared")
    assert [f.name for f in claims.new] == ["a名册.xlsx"]
    assert claims.passed_over == [("b名册副本.xlsx", "与“a名册.xlsx”内容完全相同")]
