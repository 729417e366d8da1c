"""Work-pool benchmark (issue 9): the bureau backlog prepared by Prefect `process` workers —
one worker against two, in one run — then loaded by the one loader.

    python benchmarks/workpool.py [--fraction 1.0] [--batches 40]

Starts a private Prefect server (its own PREFECT_HOME, port 4300), creates the process work
pool `zhian-bench`, registers the `ingest-batch` deployment (flows/distributed.py), then for
1 and 2 workers (each `prefect worker start --limit 1`: one flow run at a time, as one
machine each): a fresh shared folder and database, `plan-ingest` over the bureau inbox cut
into `--batches` batches (it waits until every batch run is final), and `load-staged`.
Checks that every file was loaded exactly once and that both databases are identical.
Appends to results/workpool.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from scale import RESULTS, bureau_inbox, machine  # noqa: E402

from tests.dbcheck import fingerprint  # noqa: E402

PORT = 4300
POOL = "zhian-bench"
BIN = Path(sys.executable).parent


def wait_for_server(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the Prefect server did not start")


def run_backlog(inbox: Path, folder: Path, workers: int, batch_seconds: float, env: dict) -> dict:
    from zhian.flows.distributed import load_staged_flow, plan_ingest_flow

    shared, db = folder / "shared", folder / "z.duckdb"
    logs = [open(folder / f"worker{i}.log", "w") for i in range(workers)]  # noqa: SIM115
    processes = [
        subprocess.Popen(
            [str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--limit", "1", "--name", f"w{i}"],
            env=env,
            stdout=logs[i],
            stderr=subprocess.STDOUT,
        )
        for i in range(workers)
    ]
    try:
        time.sleep(3)  # the workers register with the pool
        started = time.perf_counter()
        plan = plan_ingest_flow(str(inbox), str(shared), batch_seconds=batch_seconds)
        prepare_seconds = time.perf_counter() - started
        started = time.perf_counter()
        load = load_staged_flow(str(inbox), str(shared), str(db))
        load_seconds = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        for log in logs:
            log.close()
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        files, hashes = con.execute("select count(*), count(distinct content_hash) from ingest_files").fetchone()
    finally:
        con.close()
    return {
        "workers": workers,
        "batches": plan["batches"],
        "batch_states": plan["batch_states"],
        "prepare_seconds": round(prepare_seconds, 1),
        "load_seconds": round(load_seconds, 1),
        "files_loaded": files,
        "distinct_contents": hashes,
        "rows_loaded": load["rows_loaded"],
        "fingerprint": fingerprint(db),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--batches", type=int, default=40)
    args = parser.parse_args(argv)
    inbox, _ = bureau_inbox(args.fraction)
    from zhian.pipeline.ingest import distributed

    size = sum(p.stat().st_size for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))
    batch_seconds = size / distributed.BYTES_PER_SECOND / args.batches
    home = Path(tempfile.mkdtemp(prefix="zhian-prefect-"))
    api = f"http://127.0.0.1:{PORT}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",  # pick up the next batch within a second
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    os.environ.update({k: v for k, v in env.items() if k.startswith("PREFECT_")})
    server_log = open(home / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--port", str(PORT)], env=env, stdout=server_log, stderr=server_log
    )
    results = {**machine(), "benchmark": "workpool", "fraction": args.fraction, "inbox_mb": round(size / 2**20, 1)}
    try:
        wait_for_server(api)
        subprocess.run([str(BIN / "prefect"), "work-pool", "create", POOL, "--type", "process"], env=env, check=True)
        from zhian.flows.distributed import deploy

        deploy(POOL)
        runs = []
        for workers in (1, 2):
            with tempfile.TemporaryDirectory() as tmp:
                run = run_backlog(inbox, Path(tmp), workers, batch_seconds, env)
            print(f"{workers} worker(s): { ({k: v for k, v in run.items() if k != 'fingerprint'}) }")
            runs.append(run)
        one, two = runs
        results["runs"] = [{k: v for k, v in r.items() if k != "fingerprint"} for r in runs]
        results["speedup_prepare"] = round(one["prepare_seconds"] / two["prepare_seconds"], 2)
        results["identical_tables"] = one["fingerprint"] == two["fingerprint"]
        results["loaded_once"] = all(r["files_loaded"] == r["distinct_contents"] for r in runs)
        print(
            f"two workers over one: {results['speedup_prepare']}× on {one['batches']} batches; "
            f"identical tables: {results['identical_tables']}; every file loaded once: {results['loaded_once']}"
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
        server_log.close()
        shutil.rmtree(home, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / "workpool.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(results, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
