"""Figure builders: frames in, `go.Figure` out. Pure (no I/O), so tests check their data.

Every figure uses the "none" template (plotly's default template adds ~7 KB to each
figure; the page must stay under 6 MB with plotly.js inlined) and a CJK font stack.
Text that came from input data (compound names, categories) is HTML-escaped before it
reaches plotly, which would otherwise interpret tags in labels.
"""

from __future__ import annotations

import datetime as dt
import html

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from zhian.pipeline.outputs.wording import LEDGER_STATUS_NAMES

FONT = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, SimHei, sans-serif"
STATUS_COLORS = {
    "met": "#2e7d32",
    "missed": "#c62828",
    "on_track": "#1565c0",
    "at_risk": "#ef6c00",
    "no_data": "#9e9e9e",
}
CATEGORY_COLORS = {
    "刑事": "#c62828",
    "治安": "#ef6c00",
    "纠纷": "#f9a825",
    "交通": "#1565c0",
    "火灾": "#6a1b9a",
    "灾害事故": "#4e342e",
    "其他": "#78909c",
    "未分类": "#bdbdbd",
}
BATCH_COLORS = {1: "#c62828", 2: "#ef6c00", 3: "#1565c0"}


def text(value: object) -> str:
    """Input-derived text for plotly: tags shown as text, not interpreted."""
    return html.escape(str(value), quote=False)


def _layout(figure: go.Figure, height: int, **extra) -> go.Figure:
    settings = {
        "template": "none",
        "font": {"family": FONT, "size": 12},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 40},
        "legend": {"orientation": "h", "y": -0.15},
    }
    figure.update_layout(**{**settings, **extra})
    return figure


def _steps(days: list[int], counts: list[int], last_day: int) -> tuple[list[int], list[int]]:
    """A cumulative step line from per-day counts, with points only where it changes."""
    xs, ys, total = [0], [0], 0
    for day, count in sorted(zip(days, counts, strict=True)):
        total += count
        xs.append(day)
        ys.append(total)
    xs.append(last_day)
    ys.append(total)
    return xs, ys


def cumulative_figure(rows: list[dict], daily: pl.DataFrame) -> go.Figure:
    """One panel per count target of a compound: this year's cumulative count against the
    same dates last year, the target trajectory, and the pace projection."""
    figure = make_subplots(
        rows=len(rows),
        cols=1,
        subplot_titles=[text(r["metric_name"]) for r in rows],
        vertical_spacing=min(0.12, 0.5 / max(len(rows), 1)),
    )
    for index, row in enumerate(rows, start=1):
        series = daily.filter(pl.col("metric") == row["metric"])
        window_days = (row["window_end"] - row["window_start"]).days
        elapsed = (row["current_end"] - row["window_start"]).days
        last = series.filter(pl.col("is_baseline"))
        now = series.filter(~pl.col("is_baseline"))
        lx, ly = _steps(last["day_index"].to_list(), last["events"].to_list(), window_days)
        nx, ny = _steps(now["day_index"].to_list(), now["events"].to_list(), elapsed)
        show = index == 1
        figure.add_trace(
            go.Scatter(
                x=lx,
                y=ly,
                mode="lines",
                line={"shape": "hv", "color": "#9e9e9e"},
                name="去年同期",
                showlegend=show,
                legendgroup="last",
            ),
            row=index,
            col=1,
        )
        if row["kind"] == "count_change" and row["target_percent"] is not None:
            factor = 1 + float(row["target_percent"]) / 100
            figure.add_trace(
                go.Scatter(
                    x=lx,
                    y=[round(v * factor, 2) for v in ly],
                    mode="lines",
                    line={"shape": "hv", "color": STATUS_COLORS["missed"], "dash": "dot"},
                    name="目标线",
                    showlegend=show,
                    legendgroup="target",
                ),
                row=index,
                col=1,
            )
        figure.add_trace(
            go.Scatter(
                x=nx,
                y=ny,
                mode="lines",
                line={"shape": "hv", "color": STATUS_COLORS["on_track"], "width": 3},
                name="本期",
                showlegend=show,
                legendgroup="now",
            ),
            row=index,
            col=1,
        )
        if row["window_state"] == "running" and row["projected"] is not None:
            figure.add_trace(
                go.Scatter(
                    x=[elapsed, window_days],
                    y=[ny[-1], round(row["projected"], 2)],
                    mode="lines",
                    line={"color": STATUS_COLORS[row["status"]], "dash": "dash"},
                    name="按当前进度预测",
                    showlegend=show,
                    legendgroup="pace",
                ),
                row=index,
                col=1,
            )
        figure.update_xaxes(title_text="整治第几天" if index == len(rows) else None, row=index, col=1)
        figure.update_yaxes(title_text=f"累计（{text(row.get('unit') or '起')}）", rangemode="tozero", row=index, col=1)
    title = f"{text(rows[0].get('compound', ''))}：计数指标逐日累计，本期与去年同期" if rows else ""
    return _layout(
        figure,
        height=220 * len(rows) + 110,
        title={"text": title, "x": 0, "font": {"size": 15}},
        margin={"l": 70, "r": 20, "t": 80, "b": 40},
    )


def rates_figure(rows: list[dict]) -> go.Figure:
    """Rates of a compound against their targets, with numerator/denominator as labels."""
    names = [text(r["metric_name"]) for r in rows]
    values = [0 if r["actual"] is None else round(r["actual"] * 100, 1) for r in rows]
    labels = [
        "无数据" if r["actual"] is None else f"{r['actual'] * 100:.1f}%（{r['numerator']}/{r['denominator']}）"
        for r in rows
    ]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            y=names,
            x=values,
            orientation="h",
            text=labels,
            textposition="outside",
            marker={"color": [STATUS_COLORS[r["status"]] for r in rows]},
            name="本期",
            cliponaxis=False,
        )
    )
    figure.add_trace(
        go.Scatter(
            y=names,
            x=[float(r["target_percent"]) for r in rows],
            mode="markers",
            name="目标",
            marker={"symbol": "line-ns-open", "size": 22, "color": "#212121", "line": {"width": 3}},
        )
    )
    ticks = [0, 20, 40, 60, 80, 100]
    figure.update_xaxes(range=[0, 125], tickvals=ticks, ticktext=[f"{t}%" for t in ticks], title_text="比率")
    figure.update_yaxes(autorange="reversed", title_text="指标")
    return _layout(
        figure,
        height=170 + 34 * len(rows),
        title={"text": f"{text(rows[0].get('compound', ''))}：各项比率与目标", "x": 0, "font": {"size": 15}},
        margin={"l": 190, "r": 40, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.3 if len(rows) < 3 else -0.15},
    )


def _months(as_of: dt.date, count: int = 24) -> list[dt.date]:
    """The first days of the `count` months up to as_of's, oldest first."""
    index = as_of.year * 12 + as_of.month - 1
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def trend_figure(
    trend: pl.DataFrame, as_of: dt.date, compound: str = "", data_from: dt.date | None = None
) -> go.Figure:
    """Monthly alerts of a compound by category over the 24 months up to as_of, every month
    shown (a month without alerts is a zero bar, not a missing one), on a date axis. Months
    before `data_from` (the first alert loaded at all) are left out: no data is not zero."""
    figure = go.Figure()
    months = [m for m in _months(as_of) if data_from is None or m >= data_from.replace(day=1)] or _months(as_of, 1)
    for category in sorted(
        set(trend["category"].to_list()), key=lambda c: list(CATEGORY_COLORS).index(c) if c in CATEGORY_COLORS else 99
    ):
        part = dict(trend.filter(pl.col("category") == category).select("month", "alerts").iter_rows())
        figure.add_trace(
            go.Bar(
                x=[m.isoformat() for m in months],
                y=[part.get(f"{m:%Y-%m}", 0) for m in months],
                name=text(category),
                marker={"color": CATEGORY_COLORS.get(category, "#90a4ae")},
                hovertemplate="%{x|%Y年%-m月}：%{y}起<extra>" + text(category) + "</extra>",
            )
        )
    figure.update_xaxes(
        type="date",
        tickformat="%Y年%-m月",
        dtick="M2",
        range=[(months[0] - dt.timedelta(days=20)).isoformat(), (months[-1] + dt.timedelta(days=20)).isoformat()],
        title_text="月份",
    )
    figure.update_yaxes(title_text="警情（起）", rangemode="tozero")
    return _layout(
        figure,
        height=330,
        barmode="stack",
        title={"text": f"{text(compound)}：近24个月每月110警情（按类别）", "x": 0, "font": {"size": 15}},
        margin={"l": 70, "r": 20, "t": 50, "b": 60},
        legend={"orientation": "h", "y": -0.3},
    )


WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def hours_figure(hours: pl.DataFrame, compound: str = "") -> go.Figure:
    """Alerts of a compound by weekday and hour: the campaign window so far (本期) beside
    the same dates last year (同期), on one colour scale — where and when patrols help."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=["本期（整治期内）", "去年同期"], horizontal_spacing=0.06)
    grids = {}
    for period in ("本期", "同期"):
        part = hours.filter(pl.col("period") == period)
        grid = [[0] * 24 for _ in WEEKDAYS]
        for weekday, hour, alerts in part.select("weekday", "hour", "alerts").iter_rows():
            grid[weekday - 1][hour] += alerts
        grids[period] = grid
    top = max([1] + [v for grid in grids.values() for row in grid for v in row])
    for column, period in enumerate(("本期", "同期"), start=1):
        figure.add_trace(
            go.Heatmap(
                z=grids[period],
                x=[f"{h}时" for h in range(24)],
                y=WEEKDAYS,
                zmin=0,
                zmax=top,
                colorscale=[[0, "#ffffff"], [0.25, "#ffe0b2"], [1, "#c62828"]],
                showscale=column == 2,
                colorbar={"title": {"text": "警情（起）"}},
                hovertemplate="%{y} %{x}：%{z}起<extra>" + period + "</extra>",
                xgap=1,
                ygap=1,
            ),
            row=1,
            col=column,
        )
        figure.update_xaxes(title_text="时段", tickangle=0, dtick=3, row=1, col=column)
        figure.update_yaxes(autorange="reversed", row=1, col=column)
    missing = int(hours["without_time"].sum()) if hours.height else 0
    note = f"（另有 {missing} 起只有日期、没有时间，未计入）" if missing else ""
    return _layout(
        figure,
        height=330,
        title={"text": f"{text(compound)}：警情时段分布（星期 × 小时）{note}", "x": 0, "font": {"size": 15}},
        margin={"l": 50, "r": 20, "t": 70, "b": 50},
    )


def ranking_figure(ranking: pl.DataFrame) -> go.Figure:
    """Remediation priority (seed 002): the sum of ranks per compound, coloured by batch."""
    rows = ranking.sort("priority").to_dicts()
    figure = go.Figure(
        go.Bar(
            y=[f"{r['priority']}. {text(r['compound'])}" for r in rows],
            x=[r["rank_sum"] for r in rows],
            orientation="h",
            marker={"color": [BATCH_COLORS.get(r["batch"], "#9e9e9e") for r in rows]},
            text=[f"第{r['batch']}批（{r['batch_year']}年）" for r in rows],
            textposition="outside",
            cliponaxis=False,
        )
    )
    figure.update_yaxes(autorange="reversed", title_text="小区（按优先顺序）")
    figure.update_xaxes(title_text="五项指标名次之和（越小越优先）")
    return _layout(figure, height=80 + 26 * len(rows), margin={"l": 200, "r": 110, "t": 20, "b": 50}, showlegend=False)


LEDGER_COLORS = {"signed_off": "#2e7d32", "done": "#1565c0", "in_progress": "#ef6c00", "not_started": "#9e9e9e"}


def timeline_figure(
    campaign: str, window: tuple[dt.date, dt.date], phases: pl.DataFrame, items: pl.DataFrame, as_of: dt.date
) -> go.Figure:
    """A campaign's phases on a date axis, the items' deadlines as points (coloured by their
    progress, overdue ones as crosses) and today's marker."""
    figure = go.Figure()
    rows = phases.sort("start_date").to_dicts() or [{"phase": "整治期", "start_date": window[0], "end_date": window[1]}]
    names = [text(r["phase"]) for r in rows]
    for r, name in zip(rows, names, strict=True):
        figure.add_trace(
            go.Bar(
                y=[name],
                x=[(r["end_date"] - r["start_date"]).days + 1],
                base=[r["start_date"].isoformat()],
                orientation="h",
                marker={"color": "#bbdefb"},
                showlegend=False,
                hovertemplate=f"{name}：{r['start_date']} 至 {r['end_date']}<extra></extra>",
            )
        )
    for trace in figure.data:  # on a date axis a bar's length is in milliseconds
        trace.x = [trace.x[0] * 86_400_000]

    def lane(day: dt.date) -> str:  # the phase a deadline falls in (the last one after them all)
        return next((n for r, n in zip(rows, names, strict=True) if r["start_date"] <= day <= r["end_date"]), names[-1])

    items = items.filter(pl.col("deadline").is_not_null())
    if items.height:
        for status in LEDGER_COLORS:
            word = LEDGER_STATUS_NAMES[status]
            part = items.filter(pl.col("status") == status)
            if part.height == 0:
                continue
            overdue = [d < as_of and status != "signed_off" for d in part["deadline"].to_list()]
            figure.add_trace(
                go.Scatter(
                    x=[d.isoformat() for d in part["deadline"].to_list()],
                    y=[lane(d) for d in part["deadline"].to_list()],
                    mode="markers",
                    name=word,
                    marker={
                        "color": LEDGER_COLORS[status],
                        "size": 10,
                        "symbol": ["x" if o else "circle" for o in overdue],
                        "line": {"width": 1, "color": "#ffffff"},
                    },
                    text=[text(i) for i in part["item"].to_list()],
                    hovertemplate="%{text}<br>完成时限 %{x|%Y-%m-%d}<extra>" + word + "</extra>",
                )
            )
    figure.add_vline(x=as_of.isoformat(), line={"color": "#c62828", "width": 2, "dash": "dot"})
    figure.add_annotation(
        x=as_of.isoformat(), y=1.02, yref="paper", text=f"评估日期 {as_of}", showarrow=False, font={"color": "#c62828"}
    )
    figure.update_xaxes(type="date", tickformat="%-m月%-d日", title_text="日期")
    figure.update_yaxes(autorange="reversed", title_text="阶段")
    return _layout(
        figure,
        height=170 + 46 * len(rows),
        barmode="overlay",
        title={"text": f"{text(campaign)}：整治阶段与事项完成时限（× 为逾期未销号）", "x": 0, "font": {"size": 15}},
        margin={"l": 170, "r": 30, "t": 70, "b": 50},
        legend={"orientation": "h", "y": -0.35},
    )
