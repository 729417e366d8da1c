"""What Prefect adds to a run: `zhian run` against `zhian run --prefect` on the demo inbox,
each on a fresh database, in one run.

    python benchmarks/prefect_overhead.py [--repeat 3]

cold: no Prefect server configured, so `--prefect` starts a temporary one (what an analyst
gets without setting anything up); warm: against a `prefect server start` already running
on loopback (what `zhian serve` uses). Median wall time of whole processes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed_run(inbox: Path, extra: list[str], env: dict) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "zhian",
                "run",
                "--inbox",
                str(inbox),
                "--db",
                f"{tmp}/z.duckdb",
                "--out",
                f"{tmp}/out",
                "--as-of",
                "2022-08-31",
                *extra,
            ],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        subprocess.run(
            [sys.executable, "-m", "zhian", "fixtures", "--out", str(inbox)], check=True, stdout=subprocess.DEVNULL
        )
        home = Path(tmp) / "prefect-home"
        base = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        base.pop("PREFECT_API_URL", None)
        direct = [timed_run(inbox, [], base) for _ in range(args.repeat)]
        cold = [timed_run(inbox, ["--prefect"], base) for _ in range(args.repeat)]
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=base,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/api"
            deadline = time.time() + 120
            while time.time() < deadline:
                try:
                    urllib.request.urlopen(f"{url}/health", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            warm_env = {**base, "PREFECT_API_URL": url}
            warm = [timed_run(inbox, ["--prefect"], warm_env) for _ in range(args.repeat)]
        finally:
            server.terminate()
            server.wait(timeout=30)
    result = {
        "date": dt.date.today().isoformat(),
        "direct": statistics.median(direct),
        "prefect_cold": statistics.median(cold),
        "prefect_warm": statistics.median(warm),
    }
    print(
        f"zhian run: {result['direct']:.2f} s;  --prefect, temporary server: {result['prefect_cold']:.2f} s "
        f"(+{result['prefect_cold'] - result['direct']:.2f} s);  --prefect, running server: "
        f"{result['prefect_warm']:.2f} s (+{result['prefect_warm'] - result['direct']:.2f} s)"
    )
    (HERE / "results").mkdir(exist_ok=True)
    with open(HERE / "results" / "prefect.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
