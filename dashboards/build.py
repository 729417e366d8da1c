"""The leader dashboard: one self-contained HTML file (plotly.js inlined once, no external
resources), deterministic for a database and an as_of.

Data comes from one SQL file per chart (`dashboards/queries/`); figures from pure builders
(`figures.py`); this module only lays them out with the Jinja template (autoescaped: text
from input data cannot become markup). Aggregates, and per figure the IDs and dates of the
records it counts (a click on a cell lists them; resident ID numbers masked): no name or
phone of any person is read by any query here.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import jinja2
import plotly.graph_objects as go
import plotly.offline
import polars as pl
from markupsafe import Markup

from zhian.pipeline import db
from zhian.pipeline.metrics import catalogue
from zhian.pipeline.metrics.evaluate import Evaluation
from zhian.pipeline.metrics.explain import all_parts
from zhian.pipeline.outputs import wording
from zhian.pipeline.permissions import atomic_file, shared_folder
from zhian.pipeline.sources import LABELS

from . import figures


def query(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> pl.DataFrame:
    """A chart's query (`dashboards/queries/<name>.sql`) with the parameters it names."""
    sql = (importlib.resources.files("zhian.dashboards") / "queries" / f"{name}.sql").read_text(encoding="utf-8")
    names = set(re.findall(r"\$([A-Za-z_]\w*)", sql))
    return con.sql(sql, params={k: v for k, v in (params or {}).items() if k in names}).pl()


@dataclass
class Plot:
    plot_id: str
    spec: Markup  # figure JSON, safe inside <script type="application/json">


@dataclass
class CompoundSection:
    anchor: str
    compound: str
    open: bool
    cards: list[dict] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)


@dataclass
class CampaignSection:
    anchor: str
    name: str
    window: str
    state: str
    verdict: dict  # chips (counts by status), size, days left, coverage warnings
    metrics: list[dict]  # the targets of the grid
    grid: list[dict]  # one entry per compound, its cells in the order of `metrics`
    compounds: list[CompoundSection]
    transposed: bool  # targets as rows, compounds as columns (when targets outnumber compounds)
    ledger: dict | None = None  # the ledger section: timeline, items by status, units, 摘牌


def _json(figure: go.Figure) -> Markup:
    """Figure JSON that cannot close its <script> element."""
    raw = figure.to_json(validate=False, pretty=False, remove_uids=True)
    raw = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(raw)


def _card(row: dict) -> dict:
    return {
        "metric_name": row["metric_name"],
        "status": row["status"],
        "status_name": wording.STATUS_NAMES[row["status"]],
        "target": wording.target_text(row["kind"], row["target_op"], row["target_percent"]),
        "actual": wording.actual_text(row),
        "baseline": wording.baseline_text(row),
        "change": wording.change_text(row),
        "pace": wording.pace_sentence(row),
        "gap": wording.gap_text(row),
        "significance": wording.significance_text(row),
        "note": row["note"],
        "low_base": bool(row["low_base"]),
    }


def _cell(row: dict, explain: str | None = None) -> dict:
    if row["kind"] in catalogue.RATE_KINDS:
        value = wording.rate_percent(row)
    elif row["kind"] == catalogue.COUNT_CHANGE:
        value = wording.change_text(row) or "—"
    else:
        value = "—" if row["actual"] is None else f"{int(row['actual'])}{row.get('unit') or '起'}"
    return {
        "status": row["status"],
        "status_name": wording.STATUS_NAMES[row["status"]],
        "value": value,
        "gap": wording.gap_text(row),
        "low_base": bool(row["low_base"]) and row["actual"] is not None,
        "explain": explain,
    }


def _explain_data(results: pl.DataFrame, parts: pl.DataFrame) -> tuple[dict, Markup]:
    """Per figure, what a click on its cell lists: the records of each part (IDs and dates;
    resident IDs masked), up to LIST_LIMIT per part. Returns the cell ids by (campaign,
    compound, metric) and the JSON the page embeds (it cannot close its <script>)."""
    from zhian.pipeline.metrics.explain import LIST_LIMIT, parts_by_figure

    figures = parts_by_figure(parts)
    ids, data = {}, {}
    for index, r in enumerate(results.iter_rows(named=True)):
        key = (r["campaign"], r["compound"], r["metric"])
        if key not in figures:
            continue
        listed = []
        for name, rows in figures[key]:
            records = [
                [i, d.isoformat()] for i, d in rows.head(LIST_LIMIT).select("record_id", "event_date").iter_rows()
            ]
            listed.append({"name": name, "count": rows.height, "records": records, "more": rows.height > LIST_LIMIT})
        ids[key] = f"x{index}"
        status = wording.STATUS_NAMES[r["status"]]
        data[f"x{index}"] = {
            "title": f"{r['compound']} · {r['metric_name']}",
            "figure": f"本期 {wording.actual_text(r)}；同期 {wording.baseline_text(r)}；{status}",
            "parts": listed,
        }
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return ids, Markup(raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _verdict(rows: pl.DataFrame) -> dict:
    """The campaign's card: how many figures have each status, how many days are left, and
    what its data does not cover yet."""
    listed = rows.to_dicts()
    counts = wording.status_counts(listed)
    compounds = rows["compound"].n_unique()
    notes = sorted(
        {
            r["note"]
            for r in listed
            if r["note"]
            and r["window_state"] != "not_started"
            and (r["covered_to"] is None or r["covered_to"] < min(r["window_end"], r["as_of"]))
        }
    )
    return {
        "chips": [{"status": s, "name": wording.STATUS_NAMES[s], "count": n} for s, n in counts.items()],
        "size": f"{rows.height} 项指标" if compounds == 1 else f"{compounds} 个小区共 {rows.height} 项指标",
        "days": wording.days_left_text(listed[0]),
        "warnings": notes[:3] + ([f"另有 {len(notes) - 3} 条数据覆盖说明，见各小区卡片"] if len(notes) > 3 else []),
    }


def _ledgers(con: duckdb.DuckDBPyConnection, evaluation: Evaluation, station: str | None) -> dict[str, dict]:
    """Per campaign with a ledger or phases: its phase timeline with the items' deadlines,
    its items by progress per compound, its units' progress, and 摘牌 readiness per compound."""
    as_of = evaluation.as_of
    params = {"as_of": as_of, "station": station}
    items = con.sql(
        """select campaign, compound, item, deadline,
                  case when signed_off_by(is_signed_off, signed_off_on, $as_of) then 'signed_off'
                       when status = 'signed_off' then 'in_progress' else status end as status
           from ledger_items where compound_in_station(compound, $station)""",
        params=params,
    ).pl()
    phases = con.sql("select campaign, phase, start_date, end_date from campaign_phases").pl()
    status = con.sql(
        "select * from item_status($as_of) where compound_in_station(compound, $station)", params=params
    ).pl()
    units = con.sql(
        "select * from unit_progress($as_of, station := $station) order by campaign, rank", params=params
    ).pl()
    ready = con.sql(
        "select * from readiness($e) where compound_in_station(compound, $station) order by campaign, compound",
        params={"e": evaluation.evaluation_id, "station": station},
    ).pl()
    windows = con.sql("select campaign, min(start_date), max(end_date) from targets group by campaign").fetchall()
    out = {}
    for campaign, start, end in windows:
        mine = items.filter(pl.col("campaign") == campaign)
        steps = phases.filter(pl.col("campaign") == campaign)
        has_ledger_metric = evaluation.results.filter(
            (pl.col("campaign") == campaign) & pl.col("kind").is_in(list(catalogue.LEDGER_KINDS))
        ).height
        if not (mine.height or steps.height or has_ledger_metric):
            continue
        timeline = figures.timeline_figure(campaign, (start, end), steps, mine, as_of)
        rows = ready.filter(pl.col("campaign") == campaign)
        out[campaign] = {
            "timeline": Plot(f"ledger-{len(out)}", _json(timeline)),
            "status": status.filter(pl.col("campaign") == campaign).to_dicts(),
            "units": units.filter(pl.col("campaign") == campaign).to_dicts(),
            "ready": rows.to_dicts(),
            "ready_count": rows.filter(pl.col("ready")).height,
        }
    return out


def _campaigns(
    results: pl.DataFrame,
    daily: pl.DataFrame,
    trend: pl.DataFrame,
    hours: pl.DataFrame,
    explain_ids: dict,
    alerts_from: dt.date | None = None,
    ledgers: dict[str, dict] | None = None,
) -> list[CampaignSection]:
    sections = []
    for c_index, name in enumerate(results["campaign"].unique(maintain_order=True).to_list()):
        rows = results.filter(pl.col("campaign") == name)
        first = rows.row(0, named=True)
        metric_order = [m.code for m in catalogue.CATALOGUE if m.code in set(rows["metric"])]
        columns = []
        for code in metric_order:
            sample = rows.filter(pl.col("metric") == code).row(0, named=True)
            columns.append(
                {
                    "code": code,
                    "name": sample["metric_name"],
                    "target": wording.target_text(sample["kind"], sample["target_op"], sample["target_percent"]),
                }
            )
        grid, compounds = [], []
        names = rows["compound"].unique(maintain_order=True).to_list()
        for k_index, compound in enumerate(names):
            anchor = f"c{c_index}-k{k_index}"
            mine = {r["metric"]: r for r in rows.filter(pl.col("compound") == compound).iter_rows(named=True)}
            grid.append(
                {
                    "compound": compound,
                    "anchor": anchor,
                    "cells": [
                        _cell(mine[code], explain_ids.get((name, compound, code))) if code in mine else None
                        for code in metric_order
                    ],
                }
            )
            ordered = [mine[code] for code in metric_order if code in mine]
            section = CompoundSection(anchor, compound, open=len(names) == 1, cards=[_card(r) for r in ordered])
            counts = [r for r in ordered if r["kind"] == catalogue.COUNT_CHANGE and r["window_state"] != "not_started"]
            if counts:
                series = daily.filter((pl.col("campaign") == name) & (pl.col("compound") == compound))
                section.plots.append(Plot(f"{anchor}-counts", _json(figures.cumulative_figure(counts, series))))
            rates = [r for r in ordered if r["kind"] in catalogue.RATE_KINDS]
            if rates:
                section.plots.append(Plot(f"{anchor}-rates", _json(figures.rates_figure(rates))))
            history = trend.filter(pl.col("compound") == compound)
            if history.height:
                section.plots.append(
                    Plot(
                        f"{anchor}-trend",
                        _json(figures.trend_figure(history, first["as_of"], compound, alerts_from)),
                    )
                )
            when = hours.filter((pl.col("campaign") == name) & (pl.col("compound") == compound))
            if when.height:
                section.plots.append(Plot(f"{anchor}-hours", _json(figures.hours_figure(when, compound))))
            compounds.append(section)
        sections.append(
            CampaignSection(
                anchor=f"c{c_index}",
                name=name,
                window=f"{first['window_start']} 至 {first['window_end']}",
                state=wording.campaign_state(first),
                verdict=_verdict(rows),
                metrics=columns,
                grid=grid,
                compounds=compounds,
                transposed=len(columns) > len(grid),
                ledger=(ledgers or {}).get(name),
            )
        )
    return sections


def _quality(con: duckdb.DuckDBPyConnection, station: str | None) -> dict:
    sources = db.query(con, "quality/quality_sources.sql", {"station": station}).pl().to_dicts()
    for row in sources:
        row["label"] = LABELS.get(row["kind"], row["kind"])
    reasons = db.query(con, "quality/rejection_rules.sql", {"station": station}).pl().to_dicts()
    for row in reasons:
        row["label"] = LABELS.get(row["kind"], row["kind"])
        row["rule_name"] = wording.RULE_NAMES.get(row["rule"], "其他") if row["rule"] else ""
    files = sources[0] if sources else {"files": 0, "files_rejected": 0, "files_skipped": 0, "sheets_skipped": 0}
    limit = {"station": station, "limit": wording.DOORPLATE_LIMIT}
    doorplates = db.query(con, "quality/unattributed_doorplates.sql", limit).pl().to_dicts()
    disagreements = db.query(con, "quality/registry_disagreements.sql", {"station": station}).pl().to_dicts()
    for row in disagreements:
        row["in_use_word"] = wording.in_use_word(row["in_use"])
    return {
        "sources": sources,
        "reasons": reasons,
        "files": files,
        "doorplates": doorplates,
        "disagreements": disagreements,
        "read_sum_note": wording.READ_SUM_NOTE,
        "upkeep": {
            "doorplates_title": wording.DOORPLATES_TITLE,
            "doorplates_note": wording.DOORPLATES_NOTE,
            "doorplate_headers": wording.DOORPLATE_HEADERS,
            "disagreements_title": wording.DISAGREEMENTS_TITLE,
            "disagreement_headers": wording.DISAGREEMENT_HEADERS,
        },
    }


def render(
    con: duckdb.DuckDBPyConnection,
    evaluation: Evaluation,
    *,
    station: str | None = None,
    plotly_src: str | None = None,
) -> str:
    """The page of an evaluation — for one station when `station` is given. plotly.js is
    inlined, or, with `plotly_src`, loaded from that relative path (one shared copy beside
    many pages)."""
    params = {"evaluation": evaluation.evaluation_id, "station": station, "as_of": evaluation.as_of}
    results = db.query(con, "outputs/evaluation_results.sql", params).pl()
    daily = query(con, "cumulative", params)
    trend = query(con, "alerts_by_month", params)
    hours = db.query(con, "outputs/alert_hours.sql", {**params, "alert_metrics": catalogue.ALERT_METRICS}).pl()
    ranking = db.query(con, "outputs/ranking.sql", params).pl()
    freshness = db.query(con, "quality/data_freshness.sql", params).pl().to_dicts()
    coverage = db.query(con, "quality/data_coverage.sql", params).pl().to_dicts()
    for row, covered in zip(freshness, coverage, strict=True):
        row["covered_to"] = covered["covered_to"]
    coverage_lines, coverage_warning = wording.coverage_lines(coverage, evaluation.as_of)
    parts = all_parts(con, evaluation)
    if station is not None:
        parts = parts.filter(pl.col("compound").is_in(results["compound"].unique().to_list()))
    explain_ids, explain_data = _explain_data(results, parts)
    ranking_plot = Plot("ranking-chart", _json(figures.ranking_figure(ranking))) if ranking.height else None
    return render_page(
        "dashboard.html.j2",
        plotly_src,
        as_of=evaluation.as_of.isoformat(),
        rate_definition=wording.rate_definition_text(evaluation.rate_definition),
        freshness=freshness,
        coverage_lines=coverage_lines,
        coverage_warning=coverage_warning,
        explain_data=explain_data,
        campaigns=_campaigns(
            results,
            daily,
            trend,
            hours,
            explain_ids,
            db.scalar(con, "select min(alarm_date) from stg_alerts"),
            _ledgers(con, evaluation, station),
        ),
        problems=evaluation.problems.to_dicts() if station is None else [],  # the bureau-wide list
        ranking=ranking.to_dicts(),
        ranking_year=ranking["year"][0] if ranking.height else None,
        ranking_plot=ranking_plot,
        quality=_quality(con, station),
        catalogue=[
            {"name": m.name, "kind": catalogue.KIND_NAMES[m.kind], "definition": m.definition}
            for m in catalogue.CATALOGUE
        ],
        station=station,
    )


def render_page(template: str, plotly_src: str | None, **context) -> str:
    """A page from its template (autoescaped), with plotly.js inlined or loaded from
    `plotly_src`, the font and the status colours."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("zhian.dashboards", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template(template).render(
        **context,
        plotly_js=None if plotly_src else Markup(plotly.offline.get_plotlyjs()),
        low_base_note=wording.LOW_BASE_NOTE,
        plotly_src=plotly_src,
        font=figures.FONT,
        colors=figures.STATUS_COLORS,
    )


def write_page(path: Path, html_text: str) -> Path:
    """Write a page atomically, readable by others (masked: made to be handed on)."""
    path = Path(path)
    shared_folder(path.parent)
    with atomic_file(path, shared=True) as temporary:
        temporary.write_text(html_text, encoding="utf-8")
    return path


def write_dashboard(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    evaluation: Evaluation,
    *,
    station: str | None = None,
    plotly_src: str | None = None,
) -> Path:
    return write_page(path, render(con, evaluation, station=station, plotly_src=plotly_src))


PLOTLY_FILE = "plotly.min.js"


def write_plotly_js(out: Path) -> Path:
    """plotly.js once, beside pages that load it (`plotly_src`) instead of inlining it."""
    path = Path(out) / PLOTLY_FILE
    with atomic_file(path, shared=True) as temporary:
        temporary.write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
    return path


def default_name(as_of: dt.date) -> str:
    return f"小区整治看板_{as_of.isoformat()}.html"


__all__ = ["PLOTLY_FILE", "default_name", "render", "write_dashboard", "write_plotly_js"]
