"""Prefect flows: the same pipeline functions the CLI calls, with orchestration added.

    ingest   plan (hash the inbox) → parse batches on a thread pool → load (one writer)
    metrics  evaluate every target, rank the compounds
    outputs  dashboard + monthly report
    refresh  ingest → metrics → outputs            (every 30 minutes in working hours)
    monthly  the previous month's report             (the 1st of each month, 08:00)

Nothing here computes anything: each task wraps one `zhian.pipeline` function. Retries only
where a retry helps — the database held by another process — never on bad data. Prefect
keeps logs, parameters, results and artifacts in its database, so: logs carry file names and
counts only, task results are not persisted (`persist_result=False`), artifacts are
aggregates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from zhian.pipeline.db import DatabaseBusy, connect
from zhian.pipeline.ingest import run as pipeline_ingest
from zhian.pipeline.ingest.workers import Job
from zhian.pipeline.outputs import wording
from zhian.pipeline.permissions import keep_private, shared_folder
from zhian.pipeline.settings import Settings

TIMEZONE = ZoneInfo("Asia/Shanghai")
BATCH_BYTES = 20 * 1024 * 1024  # small files travel together: one parse task per ~20 MB
BATCH_FILES = 50


def _busy(task_, task_run, state) -> bool:
    """Retry only when another process holds the database."""
    try:
        state.result()
    except DatabaseBusy:
        return True
    except Exception:
        return False
    return False


# every task: no cache (inputs are connections and workers), nothing persisted (no rows in Prefect)
TASK_OPTIONS = {"cache_policy": NO_CACHE, "persist_result": False}


@task(name="打开数据库", retries=6, retry_delay_seconds=20, retry_condition_fn=_busy, **TASK_OPTIONS)
def open_database(db: str) -> duckdb.DuckDBPyConnection:
    keep_private()  # the database, its WAL and the parse files: owner only (docs/security.md)
    return connect(Path(db))


@task(name="清点收件箱", **TASK_OPTIONS)
def plan_task(inbox: str, con: duckdb.DuckDBPyConnection) -> pipeline_ingest.Plan:
    work = pipeline_ingest.plan_files(Path(inbox), con)
    get_run_logger().info("收件箱：%d 个文件，新文件 %d 个", len(work.report.files) + len(work.new), len(work.new))
    return work


@task(name="解析文件", **TASK_OPTIONS)
def parse_task(jobs: list[Job], parser) -> dict:
    prepared = pipeline_ingest.prepare_files(jobs, parser)
    get_run_logger().info("解析完成：%s", "、".join(job.source_file for job in jobs))
    return prepared


@task(name="载入数据库", **TASK_OPTIONS)
def load_task(con, work, parsed: dict, settings: Settings) -> pipeline_ingest.IngestReport:
    report = pipeline_ingest.load_files(con, work, parsed, settings)
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


def batches(jobs: list[Job]) -> list[list[Job]]:
    """Group files into parse tasks of about BATCH_BYTES (a large file alone)."""
    groups: list[list[Job]] = []
    current: list[Job] = []
    size = 0
    for job in sorted(jobs, key=lambda j: j.path.stat().st_size, reverse=True):
        bytes_ = job.path.stat().st_size
        if current and (size + bytes_ > BATCH_BYTES or len(current) >= BATCH_FILES):
            groups.append(current)
            current, size = [], 0
        current.append(job)
        size += bytes_
    if current:
        groups.append(current)
    return groups


def ingest_summary(report: pipeline_ingest.IngestReport) -> dict:
    new = report.new_files
    return {
        "new_files": len(new),
        "files_rejected": sum(1 for f in new if f.outcome == "rejected"),
        "rows_loaded": sum(f.rows_loaded for f in new),
        "rows_rejected": sum(f.rows_rejected for f in new),
        "rows_unattributed": sum(f.rows_unattributed for f in new),
    }


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=2), log_prints=False)
def ingest_flow(inbox: str, db: str, workers: int = 2) -> dict:
    """Load every new file of the inbox: parse in parallel, load serially."""
    settings = Settings.load()
    con = open_database(db)
    try:
        work = plan_task(inbox, con)
        parsed: dict = {}
        if work.jobs:
            with pipeline_ingest.open_parser(settings, workers=workers) as parser:
                futures = [parse_task.submit(group, parser) for group in batches(work.jobs)]
                for future in futures:
                    parsed.update(future.result())
                report = load_task(con, work, parsed, settings)
        else:
            report = load_task(con, work, parsed, settings)
    finally:
        con.close()
    summary = ingest_summary(report)
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


@task(name="计算指标", **TASK_OPTIONS)
def evaluate_task(con, as_of: dt.date, rate_definition: str):
    from zhian.pipeline.metrics.evaluate import evaluate
    from zhian.pipeline.metrics.ranking import rank_compounds

    rank_compounds(con, as_of.year - 1)
    return evaluate(con, as_of, rate_definition)


def status_counts(results) -> dict[str, int]:
    return {status: results.filter(results["status"] == status).height for status in wording.STATUS_NAMES}


@flow(name="metrics", log_prints=False)
def metrics_flow(db: str, as_of: dt.date | None = None, rate_definition: str = "cohort") -> dict:
    """Evaluate every campaign target as of `as_of` (default: today in Asia/Shanghai)."""
    as_of = as_of or dt.datetime.now(TIMEZONE).date()
    con = open_database(db)
    try:
        evaluation = evaluate_task(con, as_of, rate_definition)
    finally:
        con.close()
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
    return {"as_of": as_of.isoformat(), "targets": evaluation.results.height, **counts}


@task(name="生成看板和月报", **TASK_OPTIONS)
def outputs_task(con, out: str, as_of: dt.date, rate_definition: str, by_station: bool, plotlyjs: str):
    from zhian.pipeline.outputs.outputs import write_outputs

    return write_outputs(con, Path(out), as_of, rate_definition, by_station=by_station, plotlyjs=plotlyjs)


@task(name="生成月报", **TASK_OPTIONS)
def report_task(con, out: str, as_of: dt.date, rate_definition: str) -> str:
    from zhian.pipeline.outputs.report import default_name, write_report

    return str(write_report(con, Path(out) / default_name(as_of), as_of, rate_definition))


@flow(name="outputs", log_prints=False)
def outputs_flow(
    db: str,
    out: str,
    as_of: dt.date | None = None,
    rate_definition: str = "cohort",
    by_station: bool = False,
    plotlyjs: str = "inline",
) -> dict:
    """The dashboard and the report of the month containing `as_of`, as of that date — or,
    `by_station`, one pair per station plus the bureau overview."""
    as_of = as_of or dt.datetime.now(TIMEZONE).date()
    shared_folder(Path(out))
    con = open_database(db)
    try:
        written = outputs_task(con, out, as_of, rate_definition, by_station, plotlyjs)
    finally:
        con.close()
    if by_station:
        get_run_logger().info("分局总览：%s；%d个单位的看板和月报", written.overview.name, len(written.stations))
        return {"overview": str(written.overview), "stations": len(written.stations)}
    dashboard, report = str(written.dashboards[0]), str(written.reports[0])
    get_run_logger().info("看板：%s；月报：%s", Path(dashboard).name, Path(report).name)
    return {"dashboard": dashboard, "report": report}


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
    """The whole job: new exports in, metrics, dashboard and report out."""
    loaded = ingest_flow(inbox, db, workers)
    measured = metrics_flow(db, as_of, rate_definition)
    written = outputs_flow(db, out, as_of, rate_definition, by_station, plotlyjs)
    pages = (
        f"\n- 分局总览：{Path(written['overview']).name}（{written['stations']}个单位）"
        if by_station
        else f"\n- 看板：{Path(written['dashboard']).name}\n- 月报：{Path(written['report']).name}"
    )
    create_markdown_artifact(
        key="refresh-summary",
        markdown=(
            f"## 本次运行\n\n- 新文件 {loaded['new_files']} 个，载入 {loaded['rows_loaded']} 行，"
            f"拒绝 {loaded['rows_rejected']} 行\n- 截至 {measured['as_of']}：{measured['targets']} 项目标，"
            + "，".join(f"{wording.STATUS_NAMES[s]} {measured[s]}" for s in wording.STATUS_NAMES)
            + pages
        ),
        description="zhian 运行摘要（只含计数）",
    )
    return {"ingest": loaded, "metrics": measured, "outputs": written}


def previous_month_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


@flow(name="monthly-report", log_prints=False)
def monthly_report_flow(
    inbox: str, db: str, out: str, today: dt.date | None = None, rate_definition: str = "cohort"
) -> dict:
    """On the 1st: load what arrived, then the previous month's report as of its last day."""
    today = today or dt.datetime.now(TIMEZONE).date()
    as_of = previous_month_end(today)
    ingest_flow(inbox, db)
    shared_folder(Path(out))
    con = open_database(db)
    try:
        path = report_task(con, out, as_of, rate_definition)
    finally:
        con.close()
    create_markdown_artifact(
        key="monthly-report",
        markdown=f"## 月报\n\n{as_of.year}年{as_of.month}月月报：{Path(path).name}",
        description="zhian 月报",
    )
    return {"report": path, "as_of": as_of.isoformat()}
