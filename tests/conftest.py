"""Shared fixtures: the demo inbox (generated once per session), its database, a fresh
database, and helpers that write small workbooks with the fixture writers."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings

from zhian.fixtures.generator import generate
from zhian.fixtures.writers import SheetSpec, write_xlsx
from zhian.pipeline.db import connect
from zhian.pipeline.ingest import census
from zhian.pipeline.ingest.run import ingest
from zhian.pipeline.ingest.workers import Parser
from zhian.pipeline.settings import Settings

# property tests: 300 examples each in CI; `pytest --hypothesis-profile thorough` runs 5,000
settings.register_profile("ci", max_examples=300)
settings.register_profile("thorough", max_examples=5000)
settings.load_profile("ci")


@pytest.fixture(scope="session")
def demo_inbox(tmp_path_factory) -> tuple[Path, object]:
    """The demo inbox and its manifest (with the in-memory truth of every attribution)."""
    inbox = tmp_path_factory.mktemp("demo") / "inbox"
    manifest = generate(inbox)
    return inbox, manifest


@pytest.fixture(scope="session")
def demo_db(demo_inbox, tmp_path_factory):
    """The demo inbox ingested once: (database path, ingest report)."""
    inbox, _ = demo_inbox
    path = tmp_path_factory.mktemp("demo-db") / "zhian.duckdb"
    con = connect(path)
    report = ingest(inbox, con)
    con.close()
    return path, report


@pytest.fixture
def demo_con(demo_db):
    con = duckdb.connect(str(demo_db[0]), read_only=True)
    yield con
    con.close()


@pytest.fixture
def fresh_db(tmp_path) -> duckdb.DuckDBPyConnection:
    con = connect(tmp_path / "fresh.duckdb")
    yield con
    con.close()


@pytest.fixture
def inbox(tmp_path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    return path


def write_sheet(inbox: Path, name: str, header: list[str], rows: list[list], **spec) -> Path:
    """One .xlsx with one sheet (titles, hidden, group_row … as SheetSpec takes them)."""
    path = inbox / name
    sheet_name = spec.pop("sheet", "Sheet1")
    write_xlsx(path, [SheetSpec(sheet_name, header, rows, **spec)])
    return path


_shared_parser: Parser | None = None


def run_ingest(inbox: Path, con: duckdb.DuckDBPyConnection, settings: Settings | None = None):
    """`ingest`; with the default settings, on one worker pool kept for the whole session
    (a fresh worker imports pandera: ~0.6 s a test otherwise)."""
    global _shared_parser
    if settings is not None:
        return ingest(inbox, con, settings)
    if _shared_parser is None:
        _shared_parser = Parser(Path(tempfile.mkdtemp(prefix="zhian-tests-")), Settings.load())
    return ingest(inbox, con, parser=_shared_parser)


@pytest.fixture(scope="session", autouse=True)
def _close_shared_parser():
    yield
    if _shared_parser is not None:
        _shared_parser.close()
        shutil.rmtree(_shared_parser.out_dir, ignore_errors=True)


REGISTRY_HEADER = ["小区名称", "详细地址", "所属社区", "实有人口底数", "别名"]


def write_registry(inbox: Path, rows: list[list] | None = None, name: str = "名册.xlsx") -> Path:
    rows = rows or [
        ["花园小区", "凤仙路457号附1号", "凤仙路社区", 300, "凤仙花园"],
        ["花园小区", "凤仙路457号附2号", "凤仙路社区", 300, None],
        ["滨湖公寓", "滨湖路1546号", "凤仙路社区", 500, None],
    ]
    return write_sheet(inbox, name, REGISTRY_HEADER, rows)


def copy_inbox(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


# --- tiny hand-written datasets for the metric engine -----------------------------------------


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Insert dicts into a loaded table; missing columns stay null."""
    import polars as pl

    if not rows:
        return
    columns = con.table(table).columns
    types = dict(zip(columns, [str(t) for t in con.table(table).types], strict=True))
    frame = pl.DataFrame(rows, infer_schema_length=None)
    con.register("rows_to_insert", frame.to_arrow())
    names = [c for c in frame.columns if c in columns]
    select = ", ".join(f"cast({c} as {types[c]})" for c in names)
    con.execute(f"insert into {table} ({', '.join(names)}) select {select} from rows_to_insert")
    con.unregister("rows_to_insert")


def seed(con, *, compounds=(), alerts=(), cases=(), residents=(), decisions=(), targets=()) -> None:
    """Load a tiny dataset straight into the tables the metric SQL reads.

    compounds: names, or (name, population_base[, aliases]); alerts/cases/residents/decisions:
    dicts (compound, dates, …); targets: (campaign, compounds, start, end, metric_code, op, value)."""
    import datetime as dt

    for item in compounds:
        name, base, aliases = (item, None, None) if isinstance(item, str) else (tuple(item) + (None,) * 2)[:3]
        con.execute(
            "insert into compounds (compound, population_base, aliases) values ($n, $b, $a)",
            {"n": name, "b": base, "a": aliases},
        )
    stamp = dt.datetime(2030, 1, 1)
    insert_rows(con, "alerts", [{"alert_id": f"J{i}", "export_at": stamp, **a} for i, a in enumerate(alerts)])
    insert_rows(con, "cases", [{"case_id": f"C{i}", "export_at": stamp, **c} for i, c in enumerate(cases)])
    insert_rows(con, "residents", [{"person_id": f"P{i}", "export_at": stamp, **r} for i, r in enumerate(residents)])
    insert_rows(con, "penalty_decisions", [{"decision_key": f"D{i}", **d} for i, d in enumerate(decisions)])
    insert_rows(
        con,
        "targets",
        [
            {
                "campaign": c,
                "compounds": names,
                "compound_list": names.split("、"),
                "start_date": start,
                "end_date": end,
                "metric_code": metric,
                "target_op": op,
                "target_percent": value,
                "target_raw": f"{op}{value}",
            }
            for c, names, start, end, metric, op, value in targets
        ],
    )
    census.refresh(con)  # what the ingest counts after loading records
    # what the ingest keeps of an export that states its time: the seeded data is complete
    # up to the day before the stamp, for every source (tests of coverage replace this)
    con.execute(
        """insert into export_coverage (file_id, sheet, kind, source, station, covered_to, basis, export_at)
           select null, null, kind, source, null, $day, '标题行', $stamp from record_sources""",
        {"day": stamp.date() - dt.timedelta(days=1), "stamp": stamp},
    )


def result(con, as_of, metric=None, compound=None, rate_definition="cohort") -> dict:
    """Evaluate and return the one row of `metric` (and `compound`)."""
    from zhian.pipeline.metrics.evaluate import evaluate

    rows = evaluate(con, as_of, rate_definition).results
    if metric:
        rows = rows.filter(rows["metric"] == metric)
    if compound:
        rows = rows.filter(rows["compound"] == compound)
    assert rows.height == 1, rows
    return rows.row(0, named=True)


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect server (its own SQLite database) for the session; yields the
    database URL."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_DATABASE_CONNECTION_URL.value()
