"""The steps of a run, written once: the command line (`zhian run`, `zhian dashboard` …) and
every Prefect flow (`flows/`) call these and nothing else.

    ingest(con, inbox, settings)          → IngestReport    new files of the inbox into the tables
    evaluate(con, as_of, …)               → Evaluation      rank the compounds, evaluate every target once
    outputs(con, evaluation, out, …)      → Outputs         dashboard(s), report(s), bureau overview
    run(…)                                                  the three on one connection

A run evaluates once; the outputs take that evaluation as an argument. A step takes an open
connection and returns plain values: the caller opens the database (the command line once
for the whole run, so no other writer slips in between its steps; a flow once per task).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from zhian.pipeline.ingest.file_reports import IngestReport
from zhian.pipeline.ingest.run import ingest as ingest_inbox
from zhian.pipeline.ingest.workers import Parser
from zhian.pipeline.metrics.evaluate import Evaluation
from zhian.pipeline.metrics.evaluate import evaluate as evaluate_targets
from zhian.pipeline.metrics.ranking import rank_compounds
from zhian.pipeline.outputs import stations
from zhian.pipeline.permissions import shared_folder
from zhian.pipeline.settings import Settings
from zhian.pipeline.timing import stage

PLOTLYJS_CHOICES = ("inline", "shared")


def ingest(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    settings: Settings,
    *,
    parser: Parser | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Load the inbox's new files (`pipeline/ingest/run.py`)."""
    return ingest_inbox(Path(inbox), con, settings, on_progress=on_progress, parser=parser)


def evaluate(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, rate_definition: str = "cohort", *, publish: bool = False
) -> Evaluation:
    """Rank the compounds on last year's records (seed 002), then evaluate every target.
    `publish`: the evaluation becomes `metric_results` (a run, the refresh flow); otherwise it
    is a look at a date, kept in the history only."""
    with stage("rank compounds"):
        rank_compounds(con, as_of.year - 1)
    with stage("evaluate"):
        return evaluate_targets(con, as_of, rate_definition, publish=publish)


BULLETIN_FOLDER = "督导通报"


@dataclass
class Outputs:
    dashboards: list[Path] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    bulletins: list[Path] = field(default_factory=list)
    overview: Path | None = None
    plotly_js: Path | None = None
    stations: list[str] = field(default_factory=list)


def folder_name(station: str) -> str:
    """A station's folder: its name, with the characters no file system takes replaced."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", station).strip(" .") or "_"


def outputs(
    con: duckdb.DuckDBPyConnection,
    evaluation: Evaluation,
    out: Path,
    *,
    station: str | None = None,
    by_station: bool = False,
    plotlyjs: str = "inline",
) -> Outputs:
    """The pages and workbooks of an evaluation:

        out/小区整治看板_<date>.html, out/小区整治月报_<year>年<month>月.xlsx    (default, or one station)
        out/督导通报/督导通报_<date>.xlsx                                       (when there is a ledger)
        out/<station>/…看板…, …月报…, out/分局总览_<date>.html                 (by station)

    With `plotlyjs="shared"`, plotly.js is written once as `out/plotly.min.js` and every page
    loads it from there (4.7 MB saved per page; the pages then only open beside that file).
    An unknown station stops before any file is written."""
    from zhian.dashboards.build import PLOTLY_FILE, write_dashboard, write_plotly_js
    from zhian.dashboards.build import default_name as dashboard_name
    from zhian.dashboards.overview import overview_name, write_overview
    from zhian.pipeline.outputs.bulletin import default_name as bulletin_name
    from zhian.pipeline.outputs.bulletin import has_ledger, write_bulletin
    from zhian.pipeline.outputs.report import default_name as report_name
    from zhian.pipeline.outputs.report import write_report

    out = shared_folder(Path(out))
    stations.check(con, station)
    as_of = evaluation.as_of
    result = Outputs()
    if plotlyjs == "shared":
        result.plotly_js = write_plotly_js(out)
    if not by_station:
        src = PLOTLY_FILE if plotlyjs == "shared" else None
        with stage("dashboard"):
            result.dashboards.append(
                write_dashboard(con, out / dashboard_name(as_of), evaluation, station=station, plotly_src=src)
            )
        with stage("report"):
            result.reports.append(write_report(con, out / report_name(as_of), evaluation, station=station))
        if station is None and has_ledger(con):  # the town's ledgers: the 领导小组's fortnightly page
            # in a folder of its own: --out keeps one dashboard and one report (tools rely on it)
            with stage("bulletin"):
                path = out / BULLETIN_FOLDER / bulletin_name(as_of)
                result.bulletins.append(write_bulletin(con, path, evaluation))
        return result
    result.stations = stations.stations(con)
    src = f"../{PLOTLY_FILE}" if plotlyjs == "shared" else None
    for name in result.stations:
        folder = out / folder_name(name)
        with stage(f"outputs of {name}"):
            result.dashboards.append(
                write_dashboard(con, folder / dashboard_name(as_of), evaluation, station=name, plotly_src=src)
            )
            result.reports.append(write_report(con, folder / report_name(as_of), evaluation, station=name))
    with stage("overview"):
        result.overview = write_overview(
            con,
            out / overview_name(as_of),
            evaluation,
            links={name: f"{folder_name(name)}/{dashboard_name(as_of)}" for name in result.stations},
            plotly_src=PLOTLY_FILE if plotlyjs == "shared" else None,
        )
    return result


@dataclass
class Run:
    ingested: IngestReport
    evaluation: Evaluation
    written: Outputs


def run(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    out: Path,
    as_of: dt.date,
    settings: Settings,
    *,
    rate_definition: str = "cohort",
    station: str | None = None,
    by_station: bool = False,
    plotlyjs: str = "inline",
    parser: Parser | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Run:
    """The whole job on one connection: ingest, evaluate once, write the outputs."""
    ingested = ingest(con, inbox, settings, parser=parser, on_progress=on_progress)
    stations.check(con, station)  # before the evaluation is stored
    evaluation = evaluate(con, as_of, rate_definition, publish=True)
    written = outputs(con, evaluation, out, station=station, by_station=by_station, plotlyjs=plotlyjs)
    return Run(ingested, evaluation, written)
