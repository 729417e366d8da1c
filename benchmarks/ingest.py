"""Ingest benchmark: `zhian ingest` (whole process, cold) against the obvious alternative,
`pandas.read_excel(engine="openpyxl")` of the same file, in one run.

    python benchmarks/ingest.py [--rows 200000] [--seed 1] [--repeat 3] [--skip-baseline]

Generates an alerts workbook of N rows and a registry of 90 compounds (cached in
benchmarks/results/), then times, each
in a fresh process: the baseline read, `zhian ingest` into a new database, and a re-run
on the unchanged inbox — `--repeat` times, interleaved, the ratio being the median of the
pairs' ratios (this machine's speed drifts by tens of per cent within minutes). Peak
memory is the largest sum of RSS over the process tree
(parent + parse worker), sampled every 100 ms. Prints the ratios; appends a JSON line to
benchmarks/results/ingest.jsonl. Needs the `bench` extra (pandas, psutil).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).parent
RESULTS = HERE / "results"

HEADER = [
    "警情编号",
    "报警时间",
    "警情性质",
    "警情类别",
    "警情类型",
    "事发地址",
    "所属小区",
    "管辖单位",
    "报警人",
    "联系电话",
    "是否重大",
    "简要警情",
]
NATURES = [
    ("报警", "治安", "殴打他人"),
    ("报警", "刑事", "入室盗窃"),
    ("求助", "其他", "开锁求助"),
    ("报警", "纠纷", "邻里纠纷"),
    ("咨询", None, None),
    ("报警", "交通", "交通事故"),
    ("无效", None, None),
]


def make_workbook(path: Path, rows: int, seed: int, first_id: int = 0) -> None:
    import xlsxwriter

    rng = random.Random(seed)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"created": dt.datetime(2022, 9, 1)})
    sheet = workbook.add_worksheet("警情")
    date = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(0, 0, ["申明坝派出所110警情统计"])
    sheet.write_row(1, 0, ["导出时间：2022-09-01 08:00:00"])
    sheet.write_row(2, 0, HEADER)
    start = dt.datetime(2021, 1, 1)
    for i in range(rows):
        nature, category, subtype = NATURES[i % len(NATURES)]
        r = i + 3
        sheet.write_string(r, 0, f"J500101{first_id + i:013d}")
        sheet.write_datetime(r, 1, start + dt.timedelta(minutes=rng.randrange(900_000)), date)
        sheet.write_row(
            r,
            2,
            [
                nature,
                category or "",
                subtype or "",
                f"重庆市万州区沙河街道凤仙路{rng.randint(1, 900)}号{rng.randint(1, 8)}栋",
                "",
                "申明坝派出所",
                "张三",
                f"138{rng.randrange(10**8):08d}",
                "否",
                "报警人称有纠纷",
            ],
        )
    workbook.close()


def make_registry(path: Path) -> None:
    """90 compounds owning the 凤仙路 doorplates in ranges, so attribution does real work."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": dt.datetime(2022, 1, 1)})
    sheet = workbook.add_worksheet("小区名册")
    sheet.write_row(0, 0, ["小区名称", "详细地址", "所属社区", "实有人口底数"])
    for i in range(90):
        sheet.write_row(i + 1, 0, [f"测试小区{i:02d}", f"凤仙路{i * 10 + 1}号-{i * 10 + 9}号", "凤仙路社区", 500])
    workbook.close()


def measure(command: list[str], env: dict | None = None, keep_stderr: bool = False) -> dict:
    """Wall time and peak RSS (sum over the process tree) of one command; its stderr under
    "stderr" when asked (the stage timings of ZHIAN_TIMINGS=1)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        peak = 0
        while process.poll() is None:
            try:
                tree = [process, *process.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{stderr}")
    result = {"seconds": round(elapsed, 3), "peak_rss_mb": round(peak / 2**20, 1)}
    if keep_stderr:
        result["stderr"] = stderr
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-baseline", action="store_true", help="only zhian (for 1,000,000 rows)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved pairs (default 3)")
    args = parser.parse_args(argv)

    RESULTS.mkdir(exist_ok=True)
    inbox = RESULTS / f"inbox-{args.rows}-{args.seed}"
    workbook = inbox / f"警情{args.rows}.xlsx"
    if not workbook.exists():
        inbox.mkdir(exist_ok=True)
        print(f"generating {args.rows:,} rows → {workbook}")
        make_workbook(workbook, args.rows, args.seed)
        make_registry(inbox / "小区名册.xlsx")
    size_mb = workbook.stat().st_size / 2**20

    results: dict = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.node()} {os.cpu_count()} cpu "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB {platform.machine()}",
        "python": platform.python_version(),
        "rows": args.rows,
        "seed": args.seed,
        "file_mb": round(size_mb, 1),
    }
    python = sys.executable
    baseline = (
        "import pandas as pd, sys; "
        "df = pd.read_excel(sys.argv[1], engine='openpyxl', header=2, dtype=str); print(len(df))"
    )
    runs: list[dict] = []
    # pairs interleaved (baseline, zhian cold, zhian unchanged), so that the machine's drift
    # reaches both sides of a pair alike; the ratio is the median of the pairs' ratios
    for index in range(args.repeat):
        run: dict = {}
        if not args.skip_baseline:
            run["pandas_openpyxl"] = measure([python, "-c", baseline, str(workbook)])
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.duckdb"
            zhian = [python, "-m", "zhian", "ingest", "--inbox", str(inbox), "--db", str(db)]
            run["zhian_ingest"] = measure(zhian)
            run["zhian_rerun"] = measure(zhian)
            import duckdb

            con = duckdb.connect(str(db), read_only=True)
            results["rows_loaded"] = con.execute("select count(*) from alerts").fetchone()[0]
            con.close()
        if not args.skip_baseline:
            run["ratio"] = round(run["pandas_openpyxl"]["seconds"] / run["zhian_ingest"]["seconds"], 2)
        print(f"run {index + 1}: {run}")
        runs.append(run)
    results["runs"] = runs
    for key in ("pandas_openpyxl", "zhian_ingest", "zhian_rerun"):
        if key in runs[0]:
            results[key] = {
                "seconds": statistics.median(r[key]["seconds"] for r in runs),
                "peak_rss_mb": max(r[key]["peak_rss_mb"] for r in runs),
            }
    if not args.skip_baseline:
        results["speedup_vs_pandas"] = statistics.median(r["ratio"] for r in runs)
        ratios = sorted(r["ratio"] for r in runs)
        print(
            f"speed-up: {results['speedup_vs_pandas']}× median of {len(runs)} pairs ({ratios[0]}–{ratios[-1]}×; "
            "zhian does parse + validate + attribute + load; the baseline only parses)"
        )
    with open(RESULTS / "ingest.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(results, ensure_ascii=False) + "\n")
    if shutil.which("true"):
        print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
