"""Ledger benchmark (issue #17): a city's campaign ledger — 100,000 items over 3,000
compounds — loaded and evaluated by zhian, against the obvious alternative in the same run:
polars reading the same workbook and computing the same two figures per compound (整改销号率,
逾期未销号事项) with no validation, no quarantine, no history.

    python benchmarks/ledger.py [--items 100000] [--compounds 3000] [--repeat 3]

The inbox (registry, targets, one ledger workbook) is written once, not timed. Timed, each
`--repeat` times, interleaved: zhian = ingest into a fresh database + evaluate (the whole
catalogue over the targets); polars = read_excel + resolve the deadlines + group by
compound. The two engines' figures are compared. Prints medians and the ratio; appends to
results/ledger.jsonl. The issue's bar: zhian under 5 s on this machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from fixtures.writers import SheetSpec, write_xlsx  # noqa: E402
from zhian.pipeline.db import connect  # noqa: E402
from zhian.pipeline.ingest.run import ingest  # noqa: E402
from zhian.pipeline.metrics.evaluate import evaluate  # noqa: E402
from zhian.pipeline.settings import Settings  # noqa: E402

AS_OF = dt.date(2022, 8, 31)
START, END = dt.date(2022, 7, 1), dt.date(2022, 12, 31)
UNITS = ["派出所", "平安办", "城管中队", "居委会", "镇人口办", "住建办", "消防站", "市场监管所"]
STATES = ["已销号", "已销号", "已完成", "推进中", "未启动"]


def write_inbox(inbox: Path, items: int, compounds: int, seed: int = 17) -> list[str]:
    rng = random.Random(seed)
    names = [f"城区{i:04d}小区" for i in range(compounds)]
    registry = [[name, f"城南路{i + 1}号", "城南社区", 500, None] for i, name in enumerate(names)]
    write_xlsx(inbox / "名册.xlsx", [SheetSpec("名册", ["小区名称", "地址", "社区", "实有人口底数", "别名"], registry)])
    targets = [
        ["全市老旧小区整治", "全部", START, END, "整改销号率", "100%"],
        ["全市老旧小区整治", "全部", START, END, "逾期未销号事项", "不发生"],
    ]
    header = ["整治项目", "小区", "开始日期", "结束日期", "指标", "目标"]
    write_xlsx(inbox / "整治目标.xlsx", [SheetSpec("整治目标", header, targets, date_format="yyyy-mm-dd")])
    rows = []
    for number in range(1, items + 1):
        day = START + dt.timedelta(days=rng.randrange(0, (END - START).days))
        deadline = f"{day.month}月{day.day}日前" if rng.random() < 0.5 else day
        state = rng.choice(STATES)
        signed = day - dt.timedelta(days=rng.randrange(0, 20)) if state == "已销号" else None
        units = "、".join(rng.sample(UNITS, 1 + (rng.random() < 0.2)))
        rows.append([number, f"问题{number}", rng.choice(names), units, deadline, state, signed])
    header = ["问题编号", "问题描述", "小区", "责任单位", "整改时限", "整改情况", "销号日期"]
    write_xlsx(inbox / "问题清单.xlsx", [SheetSpec("问题清单", header, rows, date_format="yyyy-mm-dd")])
    return names


def run_zhian(inbox: Path, folder: Path) -> tuple[float, dict]:
    db = folder / "z.duckdb"
    for path in folder.glob("z.duckdb*"):
        path.unlink()
    started = time.perf_counter()
    con = connect(db)
    ingest(inbox, con, Settings.load())
    evaluation = evaluate(con, AS_OF)
    seconds = time.perf_counter() - started
    figures = {
        (compound, metric): (numerator, denominator, actual)
        for compound, metric, numerator, denominator, actual in con.execute(
            """select compound, metric, numerator, denominator, actual from metric_history
               where evaluation_id = $e""",
            {"e": evaluation.evaluation_id},
        ).fetchall()
    }
    con.close()
    return seconds, figures


def run_polars(inbox: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    frame = pl.read_excel(inbox / "问题清单.xlsx", engine="calamine", infer_schema_length=0)
    day = frame["整改时限"].str.extract_groups(r"^(\d{1,2})月(\d{1,2})日前$")
    frame = frame.with_columns(
        pl.coalesce(
            pl.col("整改时限").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
            pl.date(2022, day.struct.field("1").cast(pl.Int32), day.struct.field("2").cast(pl.Int32)),
        ).alias("deadline"),
        pl.col("销号日期").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias("signed"),
    )
    signed = ((pl.col("signed") <= AS_OF) | ((pl.col("整改情况") == "已销号") & pl.col("signed").is_null())).fill_null(
        False
    )
    grouped = frame.group_by("小区").agg(
        (pl.col("deadline") <= AS_OF).sum().alias("due"),
        ((pl.col("deadline") <= AS_OF) & signed).sum().alias("done"),
        ((pl.col("deadline") < AS_OF) & ~signed).sum().alias("overdue"),
    )
    seconds = time.perf_counter() - started
    figures = {}
    for compound, due, done, overdue in grouped.iter_rows():
        figures[(compound, "ledger_signoff_rate")] = (done, due)
        figures[(compound, "overdue_items")] = overdue
    return seconds, figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--compounds", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="zhian-ledger-bench-"))
    inbox = folder / "inbox"
    inbox.mkdir()
    began = time.perf_counter()
    write_inbox(inbox, args.items, args.compounds)
    print(f"inbox written in {time.perf_counter() - began:.1f} s: {args.items} items, {args.compounds} compounds")
    zhian_times, polars_times = [], []
    for _ in range(args.repeat):
        seconds, ours = run_zhian(inbox, folder)
        zhian_times.append(seconds)
        seconds, theirs = run_polars(inbox)
        polars_times.append(seconds)
    # the same figures (polars has no compound without items; zhian evaluates every target)
    for (compound, metric), value in theirs.items():
        numerator, denominator, actual = ours[(compound, metric)]
        if metric == "ledger_signoff_rate":
            assert (numerator, denominator) == value, (compound, numerator, denominator, value)
        else:
            assert actual == value, (compound, actual, value)
    zhian_median, polars_median = statistics.median(zhian_times), statistics.median(polars_times)
    result = {
        "date": dt.date.today().isoformat(),
        "machine": platform.machine(),
        "items": args.items,
        "compounds": args.compounds,
        "zhian_s": round(zhian_median, 2),
        "polars_s": round(polars_median, 2),
        "ratio": round(zhian_median / polars_median, 2),
        "runs": {"zhian": [round(t, 2) for t in zhian_times], "polars": [round(t, 2) for t in polars_times]},
        "figures_equal": True,
    }
    print(json.dumps(result, ensure_ascii=False))
    (HERE / "results").mkdir(exist_ok=True)
    with (HERE / "results" / "ledger.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
