"""Scale (issue 9): parallel parsing and batched loading change nothing in the database;
outputs for one station, for every station (with the bureau overview) and with one shared
plotly.js. Timings live in benchmarks/scale.py, never here."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.dbcheck import consistent, fingerprint
from zhian.fixtures.bureau import MANIFEST, generate_bureau
from zhian.pipeline.db import connect
from zhian.pipeline.ingest.run import ingest
from zhian.pipeline.settings import Settings

AS_OF = "2023-01-15"
FRACTION = 0.003  # 6 stations, 90 compounds, ~15,000 alerts in ~60 files


def zhian(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zhian", *map(str, args)], capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="session")
def bureau(tmp_path_factory):
    inbox = tmp_path_factory.mktemp("bureau") / "inbox"
    return inbox, generate_bureau(inbox, fraction=FRACTION)


@pytest.fixture(scope="session")
def bureau_db(bureau, tmp_path_factory):
    inbox, _ = bureau
    path = tmp_path_factory.mktemp("bureau-db") / "zhian.duckdb"
    con = connect(path)
    try:
        ingest(inbox, con, replace(Settings.load(), workers=2))
    finally:
        con.close()
    return path


def _ingest(inbox: Path, path: Path, settings: Settings) -> Path:
    con = connect(path)
    try:
        ingest(inbox, con, settings)
    finally:
        con.close()
    return path


def _stations(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in con.execute("select distinct station from compound_stations order by 1").fetchall()]
    finally:
        con.close()


def _compounds_of(path: Path, station: str) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select compound from compound_stations where station = ?", [station]).fetchall()
        return {r[0] for r in rows}
    finally:
        con.close()


def test_one_and_two_workers_load_identical_tables(bureau, bureau_db, tmp_path):
    inbox, _ = bureau
    serial = _ingest(inbox, tmp_path / "one.duckdb", replace(Settings.load(), workers=1))
    assert fingerprint(serial) == fingerprint(bureau_db)


def test_loading_in_batches_equals_loading_file_by_file(demo_inbox, demo_db, tmp_path):
    # the demo inbox re-exports the same records in several files: the versions a batch
    # of files resolves inside one transaction must be the ones file-by-file loading keeps
    inbox, _ = demo_inbox
    one_by_one = _ingest(inbox, tmp_path / "single.duckdb", replace(Settings.load(), load_batch_files=1))
    assert fingerprint(one_by_one) == fingerprint(demo_db[0])
    consistent(one_by_one)


def test_every_bureau_alert_is_loaded_or_rejected(bureau, bureau_db):
    _, manifest = bureau
    con = duckdb.connect(str(bureau_db), read_only=True)
    try:
        con.execute("create temp table expected (name varchar)")
        con.executemany("insert into expected values (?)", [[name] for name in manifest.files])
        files, loaded, rejected, alerts = con.execute(
            """select count(*), sum(rows_loaded), sum(rows_rejected), (select count(*) from alerts)
               from ingest_files where source_file in (select name from expected)"""
        ).fetchone()
    finally:
        con.close()
    assert files == len(manifest.files)
    assert loaded + rejected == manifest.alerts
    assert alerts == loaded
    consistent(bureau_db)


def test_bureau_registry_gives_every_compound_its_station(bureau, bureau_db):
    _, manifest = bureau
    con = duckdb.connect(str(bureau_db), read_only=True)
    try:
        sources = dict(con.execute("select station_source, count(*) from compound_stations group by 1").fetchall())
    finally:
        con.close()
    assert sources == {"registry": manifest.compounds}
    assert len(_stations(bureau_db)) == manifest.stations


def test_bureau_generator_gives_the_same_files_for_a_seed(bureau, tmp_path):
    inbox, manifest = bureau
    again = generate_bureau(tmp_path / "again", fraction=FRACTION, processes=1)
    assert again == manifest
    for name in manifest.files:
        assert (tmp_path / "again" / name).read_bytes() == (inbox / name).read_bytes(), name
    assert json.loads((inbox / MANIFEST).read_text(encoding="utf-8"))["alerts"] == manifest.alerts


def test_station_option_limits_dashboard_and_report_to_that_station(bureau, bureau_db, tmp_path):
    inbox, _ = bureau
    station, other = _stations(bureau_db)[:2]
    db = tmp_path / "z.duckdb"
    db.write_bytes(bureau_db.read_bytes())
    out = tmp_path / "out"
    result = zhian("run", "--inbox", inbox, "--db", db, "--out", out, "--as-of", AS_OF, "--station", station)
    assert result.returncode == 0, result.stderr
    page = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert f"<h1>{station} 小区整治看板</h1>" in page
    mine, theirs = _compounds_of(db, station), _compounds_of(db, other)
    targeted = {c for c in mine if c in page}
    assert targeted, "the station's campaign compounds are on its page"
    assert not any(c in page for c in theirs)
    book = openpyxl.load_workbook(next(out.glob("*.xlsx")), read_only=True)
    text = "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    book.close()
    assert not any(c in text for c in theirs)
    assert any(c in text for c in targeted)
    assert not any(c in result.stdout for c in theirs)


def test_by_station_writes_a_pair_per_station_and_an_overview_linking_them(bureau, bureau_db, tmp_path):
    inbox, manifest = bureau
    db = tmp_path / "z.duckdb"
    db.write_bytes(bureau_db.read_bytes())
    out = tmp_path / "out"
    result = zhian("run", "--inbox", inbox, "--db", db, "--out", out, "--as-of", AS_OF, "--by-station")
    assert result.returncode == 0, result.stderr
    stations = _stations(db)
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(stations)
    for station in stations:
        assert len(list((out / station).glob("*.html"))) == 1
        assert len(list((out / station).glob("*.xlsx"))) == 1
    overview = (out / f"分局总览_{AS_OF}.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">', overview)
    assert len(links) == manifest.stations
    assert all((out / link).is_file() for link in links)
    assert "plotly" in overview.lower() and "<script src=" not in overview  # inlined by default


def test_shared_plotlyjs_is_written_once_and_referenced_by_every_page(bureau, bureau_db, tmp_path):
    inbox, _ = bureau
    db = tmp_path / "z.duckdb"
    db.write_bytes(bureau_db.read_bytes())
    out = tmp_path / "out"
    result = zhian(
        "run", "--inbox", inbox, "--db", db, "--out", out, "--as-of", AS_OF, "--by-station", "--plotlyjs", "shared"
    )
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.rglob("*.js")] == ["plotly.min.js"]
    pages = list(out.rglob("*.html"))
    assert len(pages) == len(_stations(db)) + 1
    for page in pages:
        html = page.read_text(encoding="utf-8")
        match = re.search(r'<script src="([^"]+)"></script>', html)
        assert match and (page.parent / match.group(1)).resolve() == (out / "plotly.min.js").resolve()
        assert len(html) < 1_000_000  # plotly.js (4.7 MB) is not inlined


def test_unknown_station_stops_with_one_line_and_writes_nothing(demo_inbox, demo_db, tmp_path):
    inbox, _ = demo_inbox
    db = tmp_path / "z.duckdb"
    db.write_bytes(demo_db[0].read_bytes())
    out = tmp_path / "out"
    result = zhian("run", "--inbox", inbox, "--db", db, "--out", out, "--as-of", AS_OF, "--station", "不存在派出所")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "不存在派出所" in result.stderr
    assert not list(out.glob("*.html")) and not list(out.glob("*.xlsx"))


def test_metrics_station_option_lists_only_that_stations_compounds(demo_db, tmp_path):
    db = tmp_path / "z.duckdb"
    db.write_bytes(demo_db[0].read_bytes())
    stations = _stations(db)
    assert len(stations) >= 2
    for station in stations:
        result = zhian("metrics", "--db", db, "--as-of", AS_OF, "--station", station)
        assert result.returncode == 0, result.stderr
        for other in stations:
            if other != station:
                assert not any(c in result.stdout for c in _compounds_of(db, other) - _compounds_of(db, station))


def test_dashboard_and_report_commands_take_a_station(demo_db, tmp_path):
    db = tmp_path / "z.duckdb"
    db.write_bytes(demo_db[0].read_bytes())
    station = _stations(db)[0]
    page, book = tmp_path / "p.html", tmp_path / "r.xlsx"
    assert zhian("dashboard", "--db", db, "--out", page, "--as-of", AS_OF, "--station", station).returncode == 0
    assert zhian("report", "--db", db, "--out", book, "--month", AS_OF[:7], "--station", station).returncode == 0
    assert f"<h1>{station} 小区整治看板</h1>" in page.read_text(encoding="utf-8")
    workbook = openpyxl.load_workbook(book, read_only=True)
    cells = [str(v) for row in workbook.worksheets[0].iter_rows(values_only=True) for v in row if v]
    workbook.close()
    assert any(station in cell for cell in cells)


def test_a_fresh_parse_worker_imports_what_it_validates_with_before_its_first_file():
    # the warm-up runs in a new interpreter while the main process hashes the inbox; an import
    # cycle made it fail silently (issue #13), and pandera (1.1-1.4 s) was imported on the
    # first file instead
    code = (
        "import sys; from zhian.pipeline.ingest.prepare import warm_imports; warm_imports(); "
        "print('pandera' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "True", result.stderr
