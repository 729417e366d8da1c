"""Prefect flows wire the same pipeline: same results as the CLI, idempotent, scheduled in
Asia/Shanghai, and no personal data in Prefect's database."""

import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from tests.pii import digit_windows
from zhian.fixtures.hostile import valid_xlsx

pytestmark = pytest.mark.slow
AS_OF = dt.date(2022, 8, 31)


def _results(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("""select campaign, compound, metric, actual, baseline, numerator, denominator, change,
                              status, low_base from metric_results order by campaign, compound, metric""").fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def flow_run(prefect_harness, demo_inbox, tmp_path_factory):
    from zhian.flows.refresh import refresh_flow

    folder = tmp_path_factory.mktemp("flows")
    inbox = folder / "inbox"
    shutil.copytree(demo_inbox[0], inbox)
    db, out = folder / "flow.duckdb", folder / "out"
    summary = refresh_flow(inbox=str(inbox), db=str(db), out=str(out), as_of=AS_OF)
    return SimpleNamespace(inbox=inbox, db=db, out=out, summary=summary)


def test_refresh_flow_metric_results_equal_the_cli(flow_run, tmp_path):
    run = flow_run
    cli_db = tmp_path / "cli.duckdb"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhian",
            "run",
            "--inbox",
            str(run.inbox),
            "--db",
            str(cli_db),
            "--out",
            str(tmp_path / "out"),
            "--as-of",
            AS_OF.isoformat(),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert _results(run.db) == _results(cli_db)
    assert run.summary["ingest"]["new_files"] == 31  # 25 police exports, 6 ledgers
    assert (run.out / "小区整治看板_2022-08-31.html").exists() and (run.out / "小区整治月报_2022年08月.xlsx").exists()


def test_rerunning_the_flow_loads_nothing_new(flow_run):
    from zhian.flows.refresh import ingest_flow

    run = flow_run
    assert ingest_flow(inbox=str(run.inbox), db=str(run.db))["new_files"] == 0


def test_a_file_dropped_between_runs_is_picked_up(flow_run):
    from zhian.flows.refresh import ingest_flow

    run = flow_run
    valid_xlsx(run.inbox / "新到的警情.xlsx", tag="-new")
    summary = ingest_flow(inbox=str(run.inbox), db=str(run.db))
    assert summary["new_files"] == 1 and summary["rows_loaded"] == 2


def test_monthly_report_flow_reports_the_previous_month(flow_run):
    from zhian.flows.refresh import monthly_report_flow

    run = flow_run
    result = monthly_report_flow(inbox=str(run.inbox), db=str(run.db), out=str(run.out), today=dt.date(2022, 9, 1))
    assert result["as_of"] == "2022-08-31" and result["report"].endswith("小区整治月报_2022年08月.xlsx")


def test_bulletin_flow_loads_what_arrived_and_writes_the_bulletin_as_of_its_day(flow_run, tmp_path):
    import openpyxl

    from zhian.flows.refresh import bulletin_flow

    run = flow_run
    valid_xlsx(run.inbox / "通报前新到的警情.xlsx", tag="-bulletin")
    result = bulletin_flow(inbox=str(run.inbox), db=str(run.db), out=str(tmp_path), today=dt.date(2022, 8, 29))
    assert result == {"bulletin": str(tmp_path / "督导通报_2022-08-29.xlsx"), "as_of": "2022-08-29"}
    con = duckdb.connect(str(run.db), read_only=True)
    arrived = con.execute("select count(*) from alerts where source_file = '通报前新到的警情.xlsx'").fetchall()[0][0]
    units = {r[0] for r in con.execute("select unit from unit_progress(date '2022-08-29')").fetchall()}
    con.close()
    assert arrived == 2 and len(units) > 3
    workbook = openpyxl.load_workbook(result["bulletin"])
    cells = {str(c.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row if c.value}
    assert "截至 2022-08-29" in " ".join(cells) and units <= cells


def test_no_phone_or_id_number_reaches_prefects_database(flow_run, prefect_harness):
    run = flow_run
    path = Path(prefect_harness.split("///", 1)[1])
    con = duckdb.connect(str(run.db), read_only=True)
    secrets = {
        r[0]
        for r in con.execute("""
        select caller_phone from alerts where caller_phone is not null union select person_id from residents
        union select phone from residents where phone is not null
        union select value from rejected_rows where value is not null and length(value) >= 8
    """).fetchall()
    }
    con.close()
    assert len(secrets) > 1000
    # every table, every text, as SQLite holds it (logs, parameters, states, artifacts)
    with sqlite3.connect(path) as prefect_db:
        tables = [r[0] for r in prefect_db.execute("select name from sqlite_master where type = 'table'")]
        dumped = "\n".join(str(row) for table in tables for row in prefect_db.execute(f'select * from "{table}"'))
    assert "ingest-summary" in dumped or "数据载入" in dumped  # the dump does hold what the flows wrote
    assert secrets.isdisjoint(digit_windows(dumped))
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert secrets.isdisjoint(digit_windows(raw.decode("utf-8", "ignore")))


def test_schedules_run_in_asia_shanghai_with_their_crons():
    from zhian.flows.deployments import SCHEDULES, deployments, next_runs

    assert {s.name: s.cron or s.rrule for s in SCHEDULES} == {
        "refresh": "*/30 8-18 * * 1-5",
        "monthly-report": "0 8 1 * *",
        "supervision-bulletin": "DTSTART:20220103T080000\n"
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=8;BYMINUTE=0;BYSECOND=0",
    }
    built = deployments(Path("/in"), Path("/db.duckdb"), Path("/out"))
    assert len(built) == 3
    for deployment in built:
        (schedule,) = deployment.schedules
        assert schedule.schedule.timezone == "Asia/Shanghai"
    monday_evening = dt.datetime(2026, 11, 23, 18, 45, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    refresh = next(s for s in SCHEDULES if s.name == "refresh")
    assert next_runs(refresh, 1, monday_evening)[0].strftime("%Y-%m-%d %H:%M") == "2026-11-24 08:00"
    monthly = next(s for s in SCHEDULES if s.name == "monthly-report")
    assert next_runs(monthly, 1, monday_evening)[0].strftime("%Y-%m-%d %H:%M") == "2026-12-01 08:00"
    # 督导通报: every other Monday at 08:00 (2026-11-23 is a week of the fortnight from 2022-01-03)
    bulletin = next(s for s in SCHEDULES if s.name == "supervision-bulletin")
    runs = [run.strftime("%Y-%m-%d %H:%M %a") for run in next_runs(bulletin, 3, monday_evening)]
    assert runs == ["2026-11-30 08:00 Mon", "2026-12-14 08:00 Mon", "2026-12-28 08:00 Mon"]


def test_schedules_command_lists_them_in_chinese():
    result = subprocess.run([sys.executable, "-m", "zhian", "schedules"], capture_output=True, text=True)
    assert result.returncode == 0 and "Asia/Shanghai" in result.stdout and "下次运行" in result.stdout


def test_the_cli_path_does_not_import_prefect(tmp_path):
    code = (
        "import sys; from zhian.cli import main; main(['quality', '--db', sys.argv[1]]) ; "
        "print('prefect' in sys.modules)"
    )
    db = tmp_path / "z.duckdb"
    from zhian.pipeline.db import connect

    connect(db).close()
    result = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True)
    assert result.stdout.strip().endswith("False"), result.stdout + result.stderr


def _attempts(flow_state) -> list[int]:
    """How many times each task of a flow run ran (retries included)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_state.state_details.flow_run_id]))
        )
    return [run.run_count for run in runs]


@pytest.fixture
def open_probe(tmp_path):
    """A flow around one of the flows' database tasks (their retry rule), with a short delay."""
    from prefect import flow

    from zhian.flows.refresh import ingest_task

    inbox = tmp_path / "empty-inbox"
    inbox.mkdir()

    @flow(name="open-probe")
    def probe(db: str) -> bool:
        ingest_task.with_options(retry_delay_seconds=1)(str(inbox), db, 1)
        return True

    return probe


def test_the_flow_retries_while_another_process_holds_the_database(prefect_harness, open_probe, tmp_path):
    db = tmp_path / "z.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect(r'{db}'); print('ok', flush=True); time.sleep(2)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        state = open_probe(str(db), return_state=True)
    finally:
        holder.wait()
        holder.stdout.close()
    assert state.is_completed()
    assert max(_attempts(state)) >= 2  # the first attempt met the lock; a retry opened it


def test_the_flow_does_not_retry_what_waiting_cannot_fix(prefect_harness, open_probe, tmp_path):
    folder = tmp_path / "a-folder.duckdb"
    folder.mkdir()  # not a database file: no retry will change that
    state = open_probe(str(folder), return_state=True)
    assert state.is_failed()
    assert _attempts(state) == [1]
