"""Shared fixtures: the demo inbox (generated once per session), its database, a fresh
database, and helpers that write small workbooks with the fixture writers."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from zhian.fixtures.generator import generate
from zhian.fixtures.writers import SheetSpec, write_xlsx
from zhian.pipeline.db import connect
from zhian.pipeline.ingest import ingest
from zhian.pipeline.settings import Settings


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


def run_ingest(inbox: Path, con: duckdb.DuckDBPyConnection, settings: Settings | None = None):
    return ingest(inbox, con, settings)


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
