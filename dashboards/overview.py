"""The bureau overview: one page over every station — per station and target, how many of
its compounds meet it (达标 k/n), with links to each station's own dashboard.

Written by a by-station run (`zhian run --by-station`) beside the station folders. Like the
station pages it is one offline HTML file (or loads the shared plotly.min.js), autoescaped,
aggregates only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import polars as pl

from zhian.pipeline.metrics import catalogue
from zhian.pipeline.metrics.evaluate import Evaluation
from zhian.pipeline.outputs import wording

from . import figures
from .build import Plot, _json, query, render_page, write_page

NO_STATION = "（未标明管辖单位）"
STATUSES = ("met", "on_track", "at_risk", "missed", "no_data")


def overview_name(as_of: dt.date) -> str:
    return f"分局总览_{as_of.isoformat()}.html"


def _good(row: dict) -> int:
    """Compounds meeting the target, or on pace to while the campaign runs."""
    return row["met"] + row["on_track"]


def _cell(row: dict) -> dict:
    good, total = _good(row), row["compounds"]
    if row["no_data"] == total:
        status = "no_data"
    elif good == total:
        status = "met"
    elif row["missed"]:
        status = "missed"
    else:
        status = "at_risk"
    return {"text": f"{good}/{total}", "status": status, "title": _breakdown(row)}


def _breakdown(row: dict) -> str:
    return "，".join(f"{wording.STATUS_NAMES[s]}{row[s]}" for s in STATUSES if row[s])


TARGET = ("metric", "kind", "target_op", "target_percent")
COUNTS = ("compounds", *STATUSES)


def _by_target(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per station and target (metric and its target value), summed over the
    station's campaigns: each station runs its own campaign, the columns are what they share."""
    return frame.group_by("station", *TARGET, maintain_order=True).agg(
        pl.col("metric_name").first(), *(pl.col(c).sum() for c in COUNTS)
    )


def _columns(frame: pl.DataFrame) -> list[dict]:
    order = {m.code: i for i, m in enumerate(catalogue.CATALOGUE)}
    seen = frame.select(*TARGET, "metric_name").unique(list(TARGET), keep="first", maintain_order=True)
    rows = sorted(seen.to_dicts(), key=lambda r: (order.get(r["metric"], 999), r["metric"], str(r["target_percent"])))
    return [
        {
            "key": tuple(r[c] for c in TARGET),
            "name": r["metric_name"],
            "target": wording.target_text(r["kind"], r["target_op"], r["target_percent"]),
        }
        for r in rows
    ]


def status_figure(stations: list[dict]) -> go.Figure:
    """Per station, its target rows by status (stacked), the weakest station on top."""
    ordered = sorted(stations, key=lambda s: (s["share"], s["name"]), reverse=True)
    names = [figures.text(s["name"]) for s in ordered]
    figure = go.Figure()
    for status in STATUSES:
        figure.add_trace(
            go.Bar(
                y=names,
                x=[s["counts"][status] for s in ordered],
                orientation="h",
                name=wording.STATUS_NAMES[status],
                marker={"color": figures.STATUS_COLORS[status]},
            )
        )
    figure.update_layout(
        barmode="stack",
        height=max(260, 60 + 16 * len(ordered)),
        margin={"l": 10, "r": 10, "t": 30, "b": 30},
        font={"family": figures.FONT, "size": 12},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        xaxis={"title": "小区指标数"},
        yaxis={"automargin": True},
        plot_bgcolor="#ffffff",
    )
    return figure


def render(
    con: duckdb.DuckDBPyConnection,
    evaluation: Evaluation,
    links: dict[str, str] | None = None,
    plotly_src: str | None = None,
) -> str:
    params = {"evaluation": evaluation.evaluation_id}
    frame = _by_target(query(con, "overview", params))
    columns = _columns(frame)
    links = links or {}
    compounds = dict(query(con, "station_compounds", params).iter_rows())
    stations = []
    for (station,), rows in frame.group_by("station", maintain_order=True):
        by_key = {tuple(r[c] for c in TARGET): r for r in rows.iter_rows(named=True)}
        counts = {s: int(rows[s].sum()) for s in STATUSES}
        total = sum(counts.values())
        good = counts["met"] + counts["on_track"]
        stations.append(
            {
                "name": station or NO_STATION,
                "link": links.get(station) if station else None,
                "compounds": compounds.get(station, 0),
                "cells": [_cell(by_key[c["key"]]) if c["key"] in by_key else None for c in columns],
                "counts": counts,
                "good": good,
                "total": total,
                "share": good / total if total else 0.0,
            }
        )
    totals = {s: sum(st["counts"][s] for st in stations) for s in STATUSES}
    return render_page(
        "overview.html.j2",
        plotly_src,
        as_of=evaluation.as_of.isoformat(),
        stations=stations,
        columns=columns,
        totals=[{"status": s, "name": wording.STATUS_NAMES[s], "count": totals[s]} for s in STATUSES if totals[s]],
        met_stations=sum(1 for s in stations if s["total"] and s["good"] == s["total"]),
        plot=Plot("station-chart", _json(status_figure(stations))) if stations else None,
        problems=evaluation.problems.to_dicts(),
    )


def write_overview(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    evaluation: Evaluation,
    links: dict[str, str] | None = None,
    plotly_src: str | None = None,
) -> Path:
    return write_page(path, render(con, evaluation, links, plotly_src))


__all__ = ["overview_name", "render", "write_overview"]
