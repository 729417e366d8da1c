"""Prefect flows: the steps of `zhian.steps`, scheduled and recorded — nothing else.

    ingest          the inbox's new files into the database            (steps.ingest)
    metrics         rank the compounds, evaluate every target once      (steps.evaluate)
    outputs         the dashboard and the report of an evaluation       (steps.outputs)
    refresh         ingest → metrics → outputs, one evaluation          (every 30 minutes in working hours)
    monthly-report  the previous month's report                         (the 1st of each month, 08:00)
    supervision-bulletin  the 督导通报 as of today                         (every other Monday, 08:00)

Each task opens the database itself and hands on plain values (reports, the evaluation),
never a connection or a process pool. Retries only where a retry helps — the database held
by another process — never on bad data. Prefect keeps logs, parameters, results and
artifacts in its database, so: logs carry file names and counts only, task results are not
persisted (`persist_result=False`), artifacts are aggregates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from zhian import steps
from zhian.pipeline.db import DatabaseBusy, connect
from zhian.pipeline.ingest.file_reports import IngestReport
from zhian.pipeline.metrics.evaluate import Evaluation
from zhian.pipeline.outputs import wording
from zhian.pipeline.permissions import keep_private
from zhian.pipeline.settings import Settings

TIMEZONE = ZoneInfo("Asia/Shanghai")


def _busy(task_, task_run, state) -> bool:
    """Retry only when another process holds the database."""
    try:
        state.result()
    except DatabaseBusy:
        return True
    except Exception:
        return False
    return False


# every task: no cache, nothing persisted (no rows in Prefect); the database: retried while busy
TASK_OPTIONS = {"cache_policy": NO_CACHE, "persist_result": False}
DATABASE_TASK = {**TASK_OPTIONS, "retries": 6, "retry_delay_seconds": 20, "retry_condition_fn": _busy}


@contextlib.contextmanager
def database(db: str) -> Iterator:
    keep_private()  # the database, its WAL and the parse files: owner only (docs/security.md)
    con = connect(Path(db))
    try:
        yield con
    finally:
        con.close()


@task(name="载入收件箱", **DATABASE_TASK)
def ingest_task(inbox: str, db: str, workers: int) -> IngestReport:
    settings = Settings.load()
    if workers:
        from dataclasses import replace

        settings = replace(settings, workers=workers)
    with database(db) as con:
        report = steps.ingest(con, Path(inbox), settings)
    logger = get_run_logger()
    for file_report in report.new_files:
        logger.info(
            "%s：%s，载入 %d 行，拒绝 %d 行，未归属小区 %d 行",
            file_report.source_file,
            file_report.outcome,
            file_report.rows_loaded,
            file_report.rows_rejected,
            file_report.rows_unattributed,
        )
    return report


def ingest_summary(report: IngestReport) -> dict:
    new = report.new_files
    return {
        "new_files": len(new),
        "files_rejected": sum(1 for f in new if f.outcome == "rejected"),
        "rows_loaded": sum(f.rows_loaded for f in new),
        "rows_rejected": sum(f.rows_rejected for f in new),
        "rows_unattributed": sum(f.rows_unattributed for f in new),
    }


@flow(name="ingest", log_prints=False)
def ingest_flow(inbox: str, db: str, workers: int = 2) -> dict:
    """Load every new file of the inbox (parsed on `workers` processes, loaded by one writer)."""
    summary = ingest_summary(ingest_task(inbox, db, workers))
    create_markdown_artifact(
        key="ingest-summary",
        markdown=(
            f"## 数据载入\n\n新文件 {summary['new_files']} 个（整体被拒绝 {summary['files_rejected']} 个），"
            f"载入 {summary['rows_loaded']} 行，拒绝 {summary['rows_rejected']} 行，"
            f"未归属小区 {summary['rows_unattributed']} 行。"
        ),
        description="zhian 载入摘要（只含计数）",
    )
    return summary


@task(name="计算指标", **DATABASE_TASK)
def evaluate_task(db: str, as_of: dt.date, rate_definition: str) -> Evaluation:
    with database(db) as con:
        return steps.evaluate(con, as_of, rate_definition, publish=True)  # the scheduled refresh


def status_counts(results) -> dict[str, int]:
    return {status: results.filter(results["status"] == status).height for status in wording.STATUS_NAMES}


@flow(name="metrics", log_prints=False)
def metrics_flow(db: str, as_of: dt.date | None = None, rate_definition: str = "cohort") -> Evaluation:
    """Evaluate every campaign target as of `as_of` (default: today in Asia/Shanghai)."""
    as_of = as_of or dt.datetime.now(TIMEZONE).date()
    evaluation = evaluate_task(db, as_of, rate_definition)
    counts = status_counts(evaluation.results)
    verdict = "，".join(f"{wording.STATUS_NAMES[s]} {n}" for s, n in counts.items())
    create_markdown_artifact(
        key="metrics-summary",
        markdown=f"## 指标（截至 {as_of.isoformat()}）\n\n{evaluation.results.height} 项：{verdict}。",
        description="zhian 指标摘要（只含计数）",
    )
    create_table_artifact(
        key="target-statuses",
        table=[
            {
                "整治项目": r["campaign"],
                "小区": r["compound"],
                "指标": r["metric_name"],
                "目标": wording.target_text(r["kind"], r["target_op"], r["target_percent"]),
                "本期": wording.actual_text(r),
                "状态": wording.STATUS_NAMES[r["status"]],
            }
            for r in evaluation.results.iter_rows(named=True)
        ],
        description="各整治目标的状态（汇总数据，不含个人信息）",
    )
    get_run_logger().info("指标：%s", verdict)
    return evaluation


@task(name="生成看板和月报", **DATABASE_TASK)
def outputs_task(db: str, evaluation: Evaluation, out: str, by_station: bool, plotlyjs: str) -> dict:
    with database(db) as con:
        written = steps.outputs(con, evaluation, Path(out), by_station=by_station, plotlyjs=plotlyjs)
    if by_station:
        return {"overview": str(written.overview), "stations": len(written.stations)}
    return {"dashboard": str(written.dashboards[0]), "report": str(written.reports[0])}


@flow(name="outputs", log_prints=False)
def outputs_flow(
    db: str,
    out: str,
    as_of: dt.date | None = None,
    rate_definition: str = "cohort",
    by_station: bool = False,
    plotlyjs: str = "inline",
    evaluation: Evaluation | None = None,
) -> dict:
    """The dashboard and the report of an evaluation (the one given, else one as of `as_of`)
    — or, `by_station`, one pair per station plus the bureau overview."""
    if evaluation is None:
        evaluation = evaluate_task(db, as_of or dt.datetime.now(TIMEZONE).date(), rate_definition)
    written = outputs_task(db, evaluation, out, by_station, plotlyjs)
    if by_station:
        get_run_logger().info("分局总览：%s；%d个单位的看板和月报", Path(written["overview"]).name, written["stations"])
    else:
        get_run_logger().info("看板：%s；月报：%s", Path(written["dashboard"]).name, Path(written["report"]).name)
    return written


@flow(name="refresh", log_prints=False)
def refresh_flow(
    inbox: str,
    db: str,
    out: str,
    as_of: dt.date | None = None,
    rate_definition: str = "cohort",
    workers: int = 2,
    by_station: bool = False,
    plotlyjs: str = "inline",
) -> dict:
    """The whole job: new exports in, one evaluation, dashboard and report out."""
    as_of = as_of or dt.datetime.now(TIMEZONE).date()
    loaded = ingest_flow(inbox, db, workers)
    evaluation = metrics_flow(db, as_of, rate_definition)
    written = outputs_flow(db, out, as_of, rate_definition, by_station, plotlyjs, evaluation=evaluation)
    counts = status_counts(evaluation.results)
    pages = (
        f"\n- 分局总览：{Path(written['overview']).name}（{written['stations']}个单位）"
        if by_station
        else f"\n- 看板：{Path(written['dashboard']).name}\n- 月报：{Path(written['report']).name}"
    )
    create_markdown_artifact(
        key="refresh-summary",
        markdown=(
            f"## 本次运行\n\n- 新文件 {loaded['new_files']} 个，载入 {loaded['rows_loaded']} 行，"
            f"拒绝 {loaded['rows_rejected']} 行\n- 截至 {as_of.isoformat()}：{evaluation.results.height} 项目标，"
            + "，".join(f"{wording.STATUS_NAMES[s]} {counts[s]}" for s in wording.STATUS_NAMES)
            + pages
        ),
        description="zhian 运行摘要（只含计数）",
    )
    return {
        "ingest": loaded,
        "metrics": {"as_of": as_of.isoformat(), "targets": evaluation.results.height, **counts},
        "outputs": written,
        "evaluation": evaluation,
    }


def previous_month_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


@task(name="生成月报", **DATABASE_TASK)
def report_task(db: str, out: str, as_of: dt.date, rate_definition: str) -> str:
    from zhian.pipeline.outputs.report import default_name, write_report

    with database(db) as con:
        evaluation = steps.evaluate(con, as_of, rate_definition)
        return str(write_report(con, Path(out) / default_name(as_of), evaluation))


@flow(name="monthly-report", log_prints=False)
def monthly_report_flow(
    inbox: str, db: str, out: str, today: dt.date | None = None, rate_definition: str = "cohort"
) -> dict:
    """On the 1st: load what arrived, then the previous month's report as of its last day."""
    today = today or dt.datetime.now(TIMEZONE).date()
    as_of = previous_month_end(today)
    ingest_flow(inbox, db)
    path = report_task(db, out, as_of, rate_definition)
    create_markdown_artifact(
        key="monthly-report",
        markdown=f"## 月报\n\n{as_of.year}年{as_of.month}月月报：{Path(path).name}",
        description="zhian 月报",
    )
    return {"report": path, "as_of": as_of.isoformat()}


@task(name="生成督导通报", **DATABASE_TASK)
def bulletin_task(db: str, out: str, as_of: dt.date, rate_definition: str) -> str:
    from zhian.pipeline.outputs.bulletin import default_name, write_bulletin

    with database(db) as con:
        evaluation = steps.evaluate(con, as_of, rate_definition)
        return str(write_bulletin(con, Path(out) / default_name(as_of), evaluation))


@flow(name="supervision-bulletin", log_prints=False)
def bulletin_flow(inbox: str, db: str, out: str, today: dt.date | None = None, rate_definition: str = "cohort") -> dict:
    """Every other Monday: load what arrived, then the 督导通报 as of today."""
    today = today or dt.datetime.now(TIMEZONE).date()
    ingest_flow(inbox, db)
    path = bulletin_task(db, out, today, rate_definition)
    create_markdown_artifact(
        key="supervision-bulletin",
        markdown=f"## 督导通报\n\n截至 {today.isoformat()}：{Path(path).name}",
        description="zhian 督导通报",
    )
    return {"bulletin": path, "as_of": today.isoformat()}
