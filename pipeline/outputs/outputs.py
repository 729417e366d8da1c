"""The outputs of a run, from one evaluation: the dashboard and the monthly report — for
everything, for one station, or (a bureau) one pair per station plus the bureau overview.

    out/小区整治看板_<date>.html, out/小区整治月报_<year>年<month>月.xlsx      (default)
    out/<station>/小区整治看板_<date>.html, …月报…, out/分局总览_<date>.html   (by station)

With `plotlyjs="shared"`, plotly.js is written once as `out/plotly.min.js` and every page
loads it from there (4.7 MB saved per page; the pages then only work beside that file).
The default stays one self-contained file per page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from zhian.pipeline.metrics.evaluate import Evaluation, evaluate
from zhian.pipeline.metrics.ranking import rank_compounds
from zhian.pipeline.outputs import scope
from zhian.pipeline.permissions import atomic_file, shared_folder
from zhian.pipeline.timing import stage

PLOTLY_FILE = "plotly.min.js"


@dataclass
class Outputs:
    evaluation: Evaluation
    dashboards: list[Path] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    overview: Path | None = None
    plotly_js: Path | None = None
    stations: list[str] = field(default_factory=list)


def folder_name(station: str) -> str:
    """A station's folder: its name, with the characters no file system takes replaced."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", station).strip(" .") or "_"


def write_plotly_js(out: Path) -> Path:
    import plotly.offline

    path = Path(out) / PLOTLY_FILE
    with atomic_file(path, shared=True) as temporary:
        temporary.write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
    return path


def write_outputs(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    as_of: dt.date,
    rate_definition: str = "cohort",
    *,
    station: str | None = None,
    by_station: bool = False,
    plotlyjs: str = "inline",
) -> Outputs:
    """Rank, evaluate once, then write the pages and workbooks."""
    from zhian.dashboards.build import default_name, write_dashboard
    from zhian.dashboards.overview import overview_name, write_overview
    from zhian.pipeline.outputs.report import default_name as report_name
    from zhian.pipeline.outputs.report import write_report

    out = shared_folder(Path(out))
    with stage("rank compounds"):
        rank_compounds(con, as_of.year - 1)
    with stage("evaluate"):
        evaluation = evaluate(con, as_of, rate_definition)
    scope.prepare(con)
    if station is not None:
        scope.apply(con, station)  # an unknown station stops here, before any file is written
    result = Outputs(evaluation)
    if plotlyjs == "shared":
        result.plotly_js = write_plotly_js(out)
    if not by_station:
        src = PLOTLY_FILE if plotlyjs == "shared" else None
        with stage("dashboard"):
            result.dashboards.append(
                write_dashboard(
                    con,
                    out / default_name(as_of),
                    as_of,
                    rate_definition,
                    station=station,
                    evaluation=evaluation,
                    plotly_src=src,
                )
            )
        with stage("report"):
            result.reports.append(
                write_report(
                    con, out / report_name(as_of), as_of, rate_definition, station=station, evaluation=evaluation
                )
            )
        return result
    result.stations = scope.stations(con)
    src = f"../{PLOTLY_FILE}" if plotlyjs == "shared" else None
    for name in result.stations:
        folder = out / folder_name(name)
        with stage(f"outputs of {name}"):
            result.dashboards.append(
                write_dashboard(
                    con,
                    folder / default_name(as_of),
                    as_of,
                    rate_definition,
                    station=name,
                    evaluation=evaluation,
                    plotly_src=src,
                )
            )
            result.reports.append(
                write_report(
                    con, folder / report_name(as_of), as_of, rate_definition, station=name, evaluation=evaluation
                )
            )
    with stage("overview"):
        result.overview = write_overview(
            con,
            out / overview_name(as_of),
            as_of,
            evaluation,
            links={name: f"{folder_name(name)}/{default_name(as_of)}" for name in result.stations},
            plotly_src=PLOTLY_FILE if plotlyjs == "shared" else None,
        )
    return result
