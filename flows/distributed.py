"""Ingest on a Prefect work pool: workers on any number of machines prepare batches of files
into a shared folder; one loader merges them into the database (pipeline/distributed.py).

    plan-ingest    claim the inbox's new files (by content hash, never twice), group them
                   into batches of ~40 s of parse work, start one `ingest-batch` run per
                   batch on the work pool, wait for them, then run the loader
    ingest-batch   (deployment on a `process` work pool) prepare one batch into the shared
                   folder: read, normalise, validate; frames as Parquet, renamed when complete
    load-staged    merge every complete batch into DuckDB; held to one at a time by the
                   global concurrency limit `zhian-loader` (DuckDB has one writer)

Set-up for a bureau: docs/scale.md. `zhian cluster deploy` registers the deployment.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound
from prefect.flow_runs import wait_for_flow_run
from prefect.utilities.asyncutils import run_coro_as_sync

from zhian.flows.refresh import database
from zhian.pipeline.ingest import distributed
from zhian.pipeline.permissions import keep_private
from zhian.pipeline.settings import Settings

BATCH_DEPLOYMENT = "ingest-batch/ingest-batch"
LOADER_LIMIT = "zhian-loader"


@flow(name="ingest-batch", log_prints=False)
def ingest_batch_flow(inbox: str, shared: str, batch_id: str) -> dict:
    """Prepare one batch on this worker (runs on the work pool). The staged frames hold the
    records as the inbox does (names, phones, ID numbers): owner-only, like the database."""
    keep_private()
    staged = distributed.prepare_batch(Path(inbox), Path(shared), batch_id, Settings.load())
    files = len(distributed.read_batch(Path(shared), batch_id))
    get_run_logger().info("批次 %s：%d 个文件已解析", batch_id, files)
    return {"batch": batch_id, "files": files, "staged": str(staged)}


def ensure_loader_limit() -> None:
    """The global concurrency limit that keeps loaders to one at a time (created once)."""
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(LOADER_LIMIT)
        except ObjectNotFound:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=LOADER_LIMIT, limit=1))


@flow(name="load-staged", log_prints=False)
def load_staged_flow(inbox: str, shared: str, db: str) -> dict:
    """Merge the staged batches into the database: one loader at a time, bureau-wide."""
    ensure_loader_limit()
    with concurrency(LOADER_LIMIT, occupy=1, strict=True), database(db) as con:
        report = distributed.load_staged(con, Path(inbox), Path(shared), Settings.load())
    loaded = [f for f in report.files if f.outcome not in ("unchanged", "duplicate")]
    summary = {
        "files": len(loaded),
        "skipped_as_known": len(report.files) - len(loaded),
        "rows_loaded": sum(f.rows_loaded for f in loaded),
        "rows_rejected": sum(f.rows_rejected for f in loaded),
    }
    get_run_logger().info("载入：%s", summary)
    return summary


def _wait(flow_run_ids: list) -> dict[str, int]:
    """Wait for every run to end (Prefect's own wait); how many ended in each state."""

    async def all_runs():
        return await asyncio.gather(*(wait_for_flow_run(run_id, timeout=None) for run_id in flow_run_ids))

    runs = run_coro_as_sync(all_runs())
    return dict(Counter(run.state_type.value for run in runs))


@flow(name="plan-ingest", log_prints=False)
def plan_ingest_flow(
    inbox: str,
    shared: str,
    db: str | None = None,
    batch_seconds: float = distributed.BATCH_SECONDS,
    deployment: str = BATCH_DEPLOYMENT,
) -> dict:
    """Claim, batch, prepare on the work pool; then load (when `db` is given)."""
    logger = get_run_logger()
    claims = distributed.claim_new_files(Path(inbox), Path(shared))
    files = claims.new
    batches = distributed.plan_batches(files, batch_seconds)
    ids = distributed.write_batches(Path(shared), batches)
    logger.info("新文件 %d 个，分为 %d 个批次；未再处理 %d 个", len(files), len(ids), len(claims.passed_over))
    for name, why in claims.passed_over:
        logger.info("未再处理：%s（%s）", name, why)
    runs = [
        run_deployment(
            deployment,
            parameters={"inbox": inbox, "shared": shared, "batch_id": batch_id},
            timeout=0,
            idempotency_key=f"ingest-batch-{batch_id}",  # a batch is submitted once
            as_subflow=False,
        )
        for batch_id in ids
    ]
    states = _wait([run.id for run in runs]) if runs else {}
    logger.info("批次运行结果：%s", states)
    summary = {
        "files": len(files),
        "batches": len(ids),
        "batch_states": states,
        "passed_over": [f"{name}（{why}）" for name, why in claims.passed_over],
    }
    if db:
        summary["load"] = load_staged_flow(inbox, shared, db)
    return summary


def deploy(pool: str, name: str = "ingest-batch") -> str:
    """Register `ingest-batch` on a process work pool. The workers load the flow from this
    installation's folder: install zhian at the same path on every machine."""
    source = Path(__file__).resolve().parent
    return str(
        ingest_batch_flow.from_source(source=str(source), entrypoint="distributed.py:ingest_batch_flow").deploy(
            name=name, work_pool_name=pool, print_next_steps=False
        )
    )
