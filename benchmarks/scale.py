"""Scale benchmarks (issue 9), each against its alternative in the same run:

    python benchmarks/scale.py workers [--files 16] [--rows 100000]
        the parse stage (prepare: read, normalise, validate, hand over) on 1 and 2 worker
        processes and on 2 threads in one process; then `zhian ingest --workers 1` against
        `--workers 2`, whole processes, cold, with the two databases compared table by table.

    python benchmarks/scale.py bureau [--fraction 1.0]
        the bureau's inbox (`zhian fixtures --scale bureau`, cached in results/): a cold
        `zhian run --workers 2 --by-station --plotlyjs shared`, then one new daily file:
        the re-run of `ingest` and of `run` (bureau-wide outputs and by station).

    python benchmarks/scale.py costs [--fractions 0.01 0.05 0.2 1.0]
        the cost model: where a cold bureau run spends its time at several sizes (stage
        timings of ZHIAN_TIMINGS=1), with the whole bureau from the latest `bureau` run, as
        a Plotly chart (results/scale-costs.html, and docs/scale-costs.png when chromium is
        installed).

Wall-clock of whole processes; peak memory is the largest sum of RSS over the process tree,
sampled every 100 ms. Results are appended to results/scale.jsonl. Needs the `bench` extra.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from ingest import make_registry, make_workbook, measure  # noqa: E402

from tests.dbcheck import fingerprint  # noqa: E402

AS_OF = "2023-01-15"
PYTHON = sys.executable


def machine() -> dict:
    return {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.node()} {os.cpu_count()} cpu "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB {platform.machine()}",
        "python": platform.python_version(),
    }


def record(results: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / "scale.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(results, ensure_ascii=False) + "\n")


def zhian(*args: str) -> list[str]:
    return [PYTHON, "-m", "zhian", *args]


TIMING = re.compile(r"^\[timing\]\s+(?:([\d.]+)s|total) \+\s*([\d.]+)s\s+(.*?)(?: \((\d+)×\))?$")


def stages(stderr: str) -> dict[str, float]:
    """The stage timings a ZHIAN_TIMINGS=1 run printed, by stage family."""
    out: dict[str, float] = {}

    def add(key: str, seconds: float) -> None:
        out[key] = round(out.get(key, 0.0) + seconds, 3)

    for line in stderr.splitlines():
        match = TIMING.match(line.strip())
        if not match:
            continue
        seconds, name = float(match.group(2)), match.group(3)
        if name.startswith("outputs of "):
            add("outputs per station (sum)", seconds)
        elif name.startswith("prepare ") and " file(s) on " in name:
            add("prepare (wall)", seconds)
        elif name.startswith("prepare: "):
            add(name.split(" (")[0].replace("prepare: ", "worker: "), seconds)
        elif name.startswith("load: "):
            add(name.split(" (")[0], seconds)
        elif name in ("load", "rank compounds", "evaluate", "overview", "dashboard", "report"):
            add(name, seconds)
        elif name.startswith("plan:"):
            add("plan (list and hash)", seconds)
    return out


# --- workers ------------------------------------------------------------------------------


def workers_inbox(files: int, rows: int) -> Path:
    inbox = RESULTS / f"workers-{files}x{rows}"
    if not (inbox / "小区名册.xlsx").exists():
        inbox.mkdir(parents=True, exist_ok=True)
        print(f"generating {files} files of {rows:,} alerts → {inbox}")
        for index in range(files):
            make_workbook(inbox / f"警情{index:02d}.xlsx", rows, seed=index + 1, first_id=index * rows)
        make_registry(inbox / "小区名册.xlsx")
    return inbox


def parse_stage(inbox: Path) -> dict:
    """prepare() of every file: 1 and 2 worker processes, and 2 threads in this process
    (the alternative the issue suggests). Workers are started and have imported their
    modules before the clock starts (the CLI starts them while it hashes the inbox); the
    start-up is reported on its own."""
    from zhian.pipeline.ingest.prepare import prepare_file, warm_imports
    from zhian.pipeline.ingest.run import _mtime
    from zhian.pipeline.ingest.workers import Job, Parser
    from zhian.pipeline.settings import Settings

    settings = Settings.load()
    paths = sorted(inbox.glob("*.xlsx"), key=lambda p: -p.stat().st_size)
    jobs = [Job(p, p.name, _mtime(p)) for p in paths]
    out = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            with Parser(Path(tmp), settings, workers) as parser:
                started = time.perf_counter()
                parser.warm(wait_ready=True)
                out[f"start_up_{workers}"] = round(time.perf_counter() - started, 3)
                started = time.perf_counter()
                prepared = list(parser.prepare(jobs))
                out[f"processes_{workers}"] = round(time.perf_counter() - started, 3)
            assert not any(p.error for p in prepared)
        print(f"parse stage, {workers} process(es): {out[f'processes_{workers}']} s")
    warm_imports()
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(2) as pool:
        started = time.perf_counter()
        prepared = list(pool.map(lambda j: prepare_file(j.path, j.source_file, j.mtime, settings, Path(tmp)), jobs))
        out["threads_2"] = round(time.perf_counter() - started, 3)
    print(f"parse stage, 2 threads:      {out['threads_2']} s")
    out["speedup_processes_2"] = round(out["processes_1"] / out["processes_2"], 2)
    out["speedup_threads_2"] = round(out["processes_1"] / out["threads_2"], 2)
    return out


def cmd_workers(args) -> None:
    inbox = workers_inbox(args.files, args.rows)
    results = {**machine(), "benchmark": "workers", "files": args.files, "rows_per_file": args.rows}
    results["parse_stage"] = parse_stage(inbox)
    env = {**os.environ, "ZHIAN_TIMINGS": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            db = Path(tmp) / f"w{workers}.duckdb"
            run = measure(zhian("ingest", "--inbox", str(inbox), "--db", str(db), "--workers", str(workers)), env, True)
            run["stages"] = stages(run.pop("stderr"))
            results[f"ingest_workers_{workers}"] = run
            print(f"zhian ingest --workers {workers}: {run['seconds']} s, {run['peak_rss_mb']} MB")
        results["identical_tables"] = fingerprint(Path(tmp) / "w1.duckdb") == fingerprint(Path(tmp) / "w2.duckdb")
    results["speedup_whole"] = round(results["ingest_workers_1"]["seconds"] / results["ingest_workers_2"]["seconds"], 2)
    print(
        f"parse stage: 2 processes {results['parse_stage']['speedup_processes_2']}×, "
        f"2 threads {results['parse_stage']['speedup_threads_2']}×; whole ingest: {results['speedup_whole']}×; "
        f"identical tables: {results['identical_tables']}"
    )
    record(results)


# --- bureau -------------------------------------------------------------------------------


def bureau_inbox(fraction: float) -> tuple[Path, float | None]:
    inbox = RESULTS / f"bureau-{fraction:g}"
    if (inbox / ".zhian-bureau.json").exists():
        return inbox, None
    shutil.rmtree(inbox, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(zhian("fixtures", "--out", str(inbox), "--scale", f"bureau:{fraction:g}"), check=True)
    return inbox, round(time.perf_counter() - started, 1)


def inbox_size(inbox: Path) -> dict:
    manifest = json.loads((inbox / ".zhian-bureau.json").read_text(encoding="utf-8"))
    files = [p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")]
    return {
        "stations": manifest["stations"],
        "compounds": manifest["compounds"],
        "alerts": manifest["alerts"],
        "files": len(files),
        "inbox_mb": round(sum(p.stat().st_size for p in files) / 2**20, 1),
    }


def daily_file(inbox: Path, target: Path, rows: int = 7000) -> int:
    """A day of the bureau's alerts (2023-01-02), in one sub-bureau export: copied from the
    inbox's rows with new ids and times."""
    import polars as pl

    from zhian.fixtures.bureau import HEADER
    from zhian.fixtures.writers import SheetSpec, write_xlsx

    source = next(p for p in sorted(inbox.glob("*.xlsx")) if "名册" not in p.name and "目标" not in p.name)
    frame = pl.read_excel(source, engine="calamine", read_options={"header_row": None}, infer_schema_length=0)
    body = [r for r in frame.rows() if r[0] and str(r[0]).startswith("J")][:rows]
    out = []
    for index, row in enumerate(body):
        row = list(row[: len(HEADER)])
        row[0] = f"D20230102{index:07d}"
        row[1] = dt.datetime(2023, 1, 2) + dt.timedelta(seconds=index * 86400 // max(1, len(body)))
        out.append(row)
    write_xlsx(target, [SheetSpec("警情", HEADER, out)])
    return len(out)


def cold_run(inbox: Path, db: Path, out: Path, *extra: str) -> dict:
    env = {**os.environ, "ZHIAN_TIMINGS": "1"}
    command = zhian("run", "--inbox", str(inbox), "--db", str(db), "--out", str(out), "--as-of", AS_OF, *extra)
    run = measure(command, env, True)
    run["stages"] = stages(run.pop("stderr"))
    return run


def cmd_bureau(args) -> None:
    inbox, generated = bureau_inbox(args.fraction)
    results = {**machine(), "benchmark": "bureau", "fraction": args.fraction, **inbox_size(inbox)}
    if generated is not None:
        results["generate_seconds"] = generated
    print(f"bureau inbox: {results}")
    options = ("--workers", "2", "--by-station", "--plotlyjs", "shared")
    with tempfile.TemporaryDirectory() as tmp:
        db, out = Path(tmp) / "bureau.duckdb", Path(tmp) / "out"
        results["cold_run"] = cold_run(inbox, db, out, *options)
        print(f"cold run: {results['cold_run']}")
        results["db_mb"] = round(db.stat().st_size / 2**20, 1)
        daily = inbox / "第0分局2023年1月2日警情.xlsx"
        try:
            results["daily_rows"] = daily_file(inbox, daily)
            results["rerun_ingest"] = measure(zhian("ingest", "--inbox", str(inbox), "--db", str(db)))
            print(f"re-run with one daily file, ingest: {results['rerun_ingest']}")
            results["rerun_unchanged_run"] = measure(
                zhian("run", "--inbox", str(inbox), "--db", str(db), "--out", str(out), "--as-of", AS_OF)
            )
            print(f"then run (bureau-wide dashboard and report): {results['rerun_unchanged_run']}")
            results["rerun_unchanged_by_station"] = measure(
                zhian("run", "--inbox", str(inbox), "--db", str(db), "--out", str(out), "--as-of", AS_OF, *options)
            )
            print(f"then run --by-station: {results['rerun_unchanged_by_station']}")
        finally:
            daily.unlink(missing_ok=True)
    record(results)


# --- costs --------------------------------------------------------------------------------

ORDER = (
    "plan (list and hash)",
    "prepare (wall)",
    "load",
    "rank compounds",
    "evaluate",
    "outputs per station (sum)",
    "overview",
)


def cmd_costs(args) -> None:
    if args.chart_only:  # the latest measured row of each size, drawn again
        lines = (RESULTS / "scale.jsonl").read_text(encoding="utf-8").splitlines()
        latest = {r["fraction"]: r for r in map(json.loads, lines) if r.get("benchmark") == "costs"}
        chart(sorted([*latest.values(), *whole_bureau(list(latest))], key=lambda r: r["alerts"]))
        return
    rows = []
    for fraction in args.fractions:
        inbox, _ = bureau_inbox(fraction)
        size = inbox_size(inbox)
        with tempfile.TemporaryDirectory() as tmp:
            run = cold_run(
                inbox,
                Path(tmp) / "z.duckdb",
                Path(tmp) / "out",
                "--workers",
                "2",
                "--by-station",
                "--plotlyjs",
                "shared",
            )
        row = {**machine(), "benchmark": "costs", "fraction": fraction, **size, **run}
        rows.append(row)
        record(row)
        print(f"{fraction:g}: {size['alerts']:,} alerts, {size['files']} files: {run['seconds']} s; {run['stages']}")
    rows.extend(whole_bureau(args.fractions))
    chart(sorted(rows, key=lambda r: r["alerts"]))


def whole_bureau(measured: list[float]) -> list[dict]:
    """The latest `bureau` benchmark's cold run (the same command), when not measured here."""
    if 1.0 in measured or not (RESULTS / "scale.jsonl").exists():
        return []
    lines = (RESULTS / "scale.jsonl").read_text(encoding="utf-8").splitlines()
    runs = [json.loads(line) for line in lines]
    runs = [r for r in runs if r.get("benchmark") == "bureau" and r.get("fraction") == 1.0]
    return [{**runs[-1], **runs[-1]["cold_run"]}] if runs else []


def chart(rows: list[dict]) -> None:
    import plotly.graph_objects as go

    labels = [f"{r['alerts'] / 1e6:.2f}M 警情<br>{r['files']} 个文件<br>{r['stations']} 个派出所" for r in rows]
    figure = go.Figure()
    for name in ORDER:
        figure.add_bar(x=labels, y=[r["stages"].get(name, 0.0) for r in rows], name=name)
    figure.add_scatter(x=labels, y=[r["seconds"] for r in rows], name="whole process", mode="markers+lines")
    figure.update_layout(
        barmode="stack",
        title="zhian run --workers 2 --by-station: seconds by stage (2 cores)",
        yaxis_title="seconds",
        font={"family": "Noto Sans CJK SC, sans-serif"},
        width=1000,
        height=560,
        legend={"orientation": "h", "y": -0.22},
        margin={"b": 150},
    )
    html = RESULTS / "scale-costs.html"
    figure.write_html(html, include_plotlyjs=True, config={"displayModeBar": False})
    print(f"chart: {html}")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser:
        png = HERE.parent / "docs" / "scale-costs.png"
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--screenshot={png}",
                "--window-size=1000,620",
                html.resolve().as_uri(),
            ],
            check=False,
            capture_output=True,
            timeout=120,
        )
        print(f"chart image: {png}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    workers = sub.add_parser("workers")
    workers.add_argument("--files", type=int, default=16)
    workers.add_argument("--rows", type=int, default=100_000)
    bureau = sub.add_parser("bureau")
    bureau.add_argument("--fraction", type=float, default=1.0)
    costs = sub.add_parser("costs")
    costs.add_argument("--fractions", type=float, nargs="+", default=[0.01, 0.05, 0.2])
    costs.add_argument("--chart-only", action="store_true", help="draw the chart from the recorded runs")
    args = parser.parse_args(argv)
    {"workers": cmd_workers, "bureau": cmd_bureau, "costs": cmd_costs}[args.command](args)


if __name__ == "__main__":
    main()
