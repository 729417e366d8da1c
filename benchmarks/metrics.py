"""Metrics benchmark: every metric of every campaign on 10,000,000 alerts and 1,000,000 cases
over 300 compounds — the DuckDB SQL of zhian against the same computation in polars, in one
run, with the results compared.

    python benchmarks/metrics.py [--alerts 10000000] [--cases 1000000] [--compounds 300]
    python benchmarks/metrics.py --alerts 50000000 --layout parquet
    python benchmarks/metrics.py --explain      # zhian explain, one compound × metric, against a hand query

With `--layout parquet` the alerts are then written as Parquet partitioned by year/month
(the layout of the distributed ingest, docs/scale.md) and `alerts` becomes a view over
those files: zhian's SQL is timed on the native table and on the Parquet layout, in the
same run, and the statuses compared (the polars comparison is skipped).

Synthetic rows are generated inside DuckDB (seeded), then both engines compute the same
statuses: DuckDB runs `sql/metrics/*` (timed: a whole `evaluate` — count, sum, decide, and
store or, when identical to the latest, roll back — median of 3);
polars gets the same staging rows as frames (not timed) and runs `polars_metrics` below
(timed the same way). Prints both times and the ratio; appends to results/metrics.jsonl.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from zhian.pipeline.db import connect  # noqa: E402
from zhian.pipeline.ingest import census  # noqa: E402
from zhian.pipeline.metrics import catalogue  # noqa: E402
from zhian.pipeline.metrics.evaluate import evaluate  # noqa: E402

AS_OF = dt.date(2022, 8, 31)


BUREAU_CAMPAIGN = ("分局重点小区整治", dt.date(2022, 10, 1), dt.date(2023, 3, 31))
BUREAU_AS_OF = dt.date(2023, 1, 15)


def build(con, alerts: int, cases: int, compounds: int, only: list[str] | None = None, bureau: bool = False) -> None:
    """Synthetic records; the targets: three campaigns over all compounds with every metric
    (`only`: these metrics), or, `bureau`, the bureau's campaign (running, as of BUREAU_AS_OF)."""
    con.execute("select setseed(0.42)")
    con.execute(
        """
        insert into compounds (compound, population_base)
        select 'C' || lpad(i::varchar, 4, '0'), 500 + (i * 37) % 2500 from range($n) t(i)
    """,
        {"n": compounds},
    )
    con.execute(
        """
        insert into alerts (alert_id, alarm_at, nature, category, offence, is_major, compound, export_at)
        select
            'J' || i,
            timestamp '2021-01-01' + to_seconds((random() * 2 * 365 * 86400)::bigint),
            ['报警', '报警', '报警', '求助', '求助', '咨询', '投诉', '举报', '无效'][1 + (i % 9)],
            ['刑事', '治安', '治安', '纠纷', '交通', '火灾', '其他'][1 + (i * 7 % 7)],
            ['盗窃', '赌博', '纠纷', '火灾', null, null, '殴打他人', null][1 + (i * 13 % 8)],
            random() < 0.02,
            'C' || lpad(((i * 2654435761) % $c)::varchar, 4, '0'),
            timestamp '2022-09-01'
        from range($n) t(i)
    """,
        {"n": alerts, "c": compounds},
    )
    con.execute(
        """
        insert into cases (case_id, case_kind, offence, is_economic_fraud, event_at, solved_at, closed_at,
                           status, has_penalty, is_completed, is_victim_accountant, compound, export_at)
        select
            'A' || i,
            case when i % 2 = 0 then 'criminal' else 'public_order' end,
            ['盗窃', '诈骗', '电信网络诈骗', '抢劫', '殴打他人', '赌博', '卖淫嫖娼', '寻衅滋事',
             '故意损毁财物'][1 + (i * 7 % 9)],
            i % 50 = 0,
            timestamp '2021-01-01' + to_seconds((random() * 2 * 365 * 86400)::bigint) as event_at,
            case when i % 2 = 0 and random() < 0.6
                then timestamp '2021-02-01' + to_seconds((random() * 700 * 86400)::bigint) end,
            case when i % 2 = 1 and random() < 0.7
                then timestamp '2021-02-01' + to_seconds((random() * 700 * 86400)::bigint) end,
            case when i % 40 = 0 then 'withdrawn' when i % 2 = 0 then 'filed' else 'accepted' end,
            i % 2 = 1 and random() < 0.5,
            random() < 0.7,
            random() < 0.01,
            'C' || lpad(((i * 40503) % $c)::varchar, 4, '0'),
            timestamp '2022-09-01'
        from range($n) t(i)
    """,
        {"n": cases, "c": compounds},
    )
    con.execute(
        """
        insert into residents (person_id, registered_at, verification, compound, export_at)
        select 'P' || i, date '2019-01-01' + (i % 1500)::integer,
               ['准确', '准确', '准确', '不准确', '未核查'][1 + i % 5],
               'C' || lpad((i % $c)::varchar, 4, '0'), timestamp '2022-09-01'
        from range($c * 1000) t(i)
    """,
        {"c": compounds},
    )
    every = [m for m in catalogue.CATALOGUE if not only or m.code in only]
    rows = []
    campaigns = (
        ("全区夏季整治", "全部", dt.date(2022, 7, 1), dt.date(2022, 9, 30), every),
        ("全年整治", "全部", dt.date(2022, 1, 1), dt.date(2022, 12, 31), every),
        ("春季整治", "全部", dt.date(2022, 3, 1), dt.date(2022, 5, 31), every),
    )
    if bureau:
        name, start, end = BUREAU_CAMPAIGN
        campaigns = ((name, "全部", start, end, every),)
    for campaign, names, start, end, metrics in campaigns:
        for metric in metrics:
            op, value = {"count_change": ("<=", -20), "zero_count": ("=", 0)}.get(metric.kind, (">=", 70))
            rows.append((campaign, names, [names], start, end, metric.code, op, value))
    con.executemany(
        """
        insert into targets (campaign, compounds, compound_list, start_date, end_date, metric_code, target_op,
                             target_percent, target_raw) values (?, ?, ?, ?, ?, ?, ?, ?, 'bench')
    """,
        rows,
    )
    # what the ingest keeps: the census, and what exports stating their time (2022-09-01, or
    # 2023-02-01 for the bureau's campaign) cover — every source to the day before (a database
    # of zhian before data coverage, issue 15, has no export_coverage: then nothing)
    exported = dt.date(2023, 2, 1) if bureau else dt.date(2022, 9, 1)
    if con.execute("select count(*) from duckdb_tables() where table_name = 'export_coverage'").fetchall()[0][0]:
        con.execute(
            """insert into export_coverage (file_id, sheet, kind, source, station, covered_to, basis, export_at)
               select null, 'bench', kind, source, null, $day - 1, '标题行', $day::timestamp from record_sources""",
            {"day": exported},
        )
    census.refresh(con)


# --- the same computation in polars ------------------------------------------------------------


def compare(lhs: pl.Expr, op: pl.Expr, rhs: pl.Expr) -> pl.Expr:
    return (
        pl.when(op == ">=")
        .then(lhs >= rhs)
        .when(op == ">")
        .then(lhs > rhs)
        .when(op == "<=")
        .then(lhs <= rhs)
        .when(op == "<")
        .then(lhs < rhs)
        .otherwise(lhs == rhs)
    )


def polars_metrics(targets: pl.DataFrame, records: pl.DataFrame, compounds: pl.DataFrame) -> pl.DataFrame:
    """Status per target, as the SQL families decide it (cohort rates)."""
    joined = targets.join(records, on=["metric", "compound"], how="left")
    event, done = pl.col("event_date"), pl.col("done_date")
    in_window = event.is_between(pl.col("window_start"), pl.col("current_end"))
    in_baseline = event.is_between(pl.col("baseline_start"), pl.col("baseline_end"))
    in_full = event.is_between(pl.col("baseline_start"), pl.col("baseline_full_end"))
    done_by = (done <= pl.col("as_of")) | (done.is_null() & pl.col("is_done_undated"))
    counts = (
        joined.group_by("target_id")
        .agg(
            in_window.sum().alias("actual"),
            in_baseline.sum().alias("baseline"),
            in_full.sum().alias("baseline_full"),
            (in_window & done_by).sum().alias("numerator"),
            ((event <= pl.col("as_of")) & done_by).sum().alias("stock_numerator"),
            (event <= pl.col("as_of")).sum().alias("stock_records"),
        )
        .with_columns(pl.exclude("target_id").cast(pl.Int64))
    )  # sums of booleans are unsigned: differences would wrap
    frame = targets.join(counts, on="target_id").join(
        compounds.select("compound", "population_base"), on="compound", how="left"
    )
    state, op = pl.col("window_state"), pl.col("target_op")
    value = pl.col("target_percent").cast(pl.Float64)  # targets of this benchmark are integers: exact
    actual, baseline, full = pl.col("actual"), pl.col("baseline"), pl.col("baseline_full")
    decrease = op.is_in(["<=", "<"]) & (value <= 0)
    meets_change = (
        pl.when(baseline > 0)
        .then(compare((actual - baseline) * 100, op, value * baseline))
        .when(actual == 0)
        .then(decrease | compare(pl.lit(0), op, value))
        .otherwise(False)
    )
    projection = (
        pl.when(baseline > 0)
        .then(compare((actual * full - full * baseline) * 100, op, value * full * baseline))
        .when(full > 0)
        .then(
            compare(
                (actual * pl.col("window_days") - full * pl.col("elapsed_days")) * 100,
                op,
                value * full * pl.col("elapsed_days"),
            )
        )
        .otherwise((actual == 0) & (decrease | compare(pl.lit(0), op, value)))
    )
    denominator = pl.col("actual")
    rate_meets = compare(pl.col("numerator") * 100, op, value * denominator)
    stock_den = (
        pl.when(pl.col("denominator_is_population_base"))
        .then(pl.col("population_base"))
        .otherwise(pl.col("stock_records"))
    )
    stock_meets = compare(pl.col("stock_numerator") * 100, op, value * stock_den)
    kind = pl.col("kind")
    status = (
        pl.when(state == "not_started")
        .then(pl.lit("no_data"))
        .when(kind == "count_change")
        .then(
            pl.when(state == "over")
            .then(pl.when(meets_change).then(pl.lit("met")).otherwise(pl.lit("missed")))
            .otherwise(pl.when(projection).then(pl.lit("on_track")).otherwise(pl.lit("at_risk")))
        )
        .when(kind == "zero_count")
        .then(
            pl.when(compare(actual, op, value))
            .then(pl.when(state == "over").then(pl.lit("met")).otherwise(pl.lit("on_track")))
            .otherwise(pl.lit("missed"))
        )
        .when(kind == "rate")
        .then(
            pl.when(denominator == 0)
            .then(pl.lit("no_data"))
            .when(rate_meets)
            .then(pl.when(state == "over").then(pl.lit("met")).otherwise(pl.lit("on_track")))
            .otherwise(pl.when(state == "over").then(pl.lit("missed")).otherwise(pl.lit("at_risk")))
        )
        .otherwise(
            pl.when(stock_den.fill_null(0) == 0)
            .then(pl.lit("no_data"))
            .when(stock_meets)
            .then(pl.when(state == "over").then(pl.lit("met")).otherwise(pl.lit("on_track")))
            .otherwise(pl.when(state == "over").then(pl.lit("missed")).otherwise(pl.lit("at_risk")))
        )
    )
    return frame.select("campaign", "compound", "metric", status.alias("status")).sort("campaign", "compound", "metric")


def to_parquet(con, folder: Path) -> int:
    """Move the alerts into Parquet files by year/month; `alerts` becomes a view over them."""
    con.execute(
        f"""copy (select *, year(alarm_at) as year, month(alarm_at) as month from alerts)
            to '{folder}' (format parquet, partition_by (year, month), row_group_size 1000000)"""
    )
    con.execute("alter table alerts rename to alerts_native")
    con.execute(
        f"""create view alerts as select * exclude (year, month)
            from read_parquet('{folder}/*/*/*.parquet', hive_partitioning = true)"""
    )
    return len(list(folder.rglob("*.parquet")))


def parquet_main(args) -> None:
    """Native table against the Parquet layout, same SQL, same run."""
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        started = time.perf_counter()
        build(con, args.alerts, args.cases, args.compounds, args.metrics, args.campaigns == "bureau")
        print(f"built {args.alerts:,} alerts in {time.perf_counter() - started:.1f} s")
        as_of = BUREAU_AS_OF if args.campaigns == "bureau" else AS_OF
        evaluate(con, as_of)
        native_seconds, native = median_time(lambda: evaluate(con, as_of).results)
        started = time.perf_counter()
        files = to_parquet(con, Path(tmp) / "alerts")
        print(f"wrote {files} Parquet files in {time.perf_counter() - started:.1f} s")
        evaluate(con, as_of)
        parquet_seconds, parquet = median_time(lambda: evaluate(con, as_of).results)
        key = ["campaign", "compound", "metric"]
        same = (
            native.select(*key, "status", "actual").sort(key).equals(parquet.select(*key, "status", "actual").sort(key))
        )
        con.close()
    print(
        f"native table: {native_seconds:.3f} s;  Parquet by year/month ({files} files): {parquet_seconds:.3f} s;  "
        f"identical statuses: {same}"
    )
    record(
        {
            "layout": "parquet",
            "alerts": args.alerts,
            "cases": args.cases,
            "compounds": args.compounds,
            "parquet_files": files,
            "metrics": args.metrics or "all",
            "campaigns": args.campaigns,
            "targets": native.height,
            "native_seconds": round(native_seconds, 3),
            "parquet_seconds": round(parquet_seconds, 3),
            "identical": same,
        }
    )
    if not same:
        raise SystemExit("the two layouts disagree")


def record(results: dict) -> None:
    results = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.node()} {os.cpu_count()} cpu {platform.machine()}",
        **results,
    }
    (HERE / "results").mkdir(exist_ok=True)
    with open(HERE / "results" / "metrics.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(results, ensure_ascii=False) + "\n")


def median_time(function, repeat: int = 3) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=10_000_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--compounds", type=int, default=300)
    parser.add_argument("--layout", choices=("table", "parquet"), default="table")
    parser.add_argument("--metrics", nargs="+", help="only these metric codes (e.g. the bureau's two alert targets)")
    parser.add_argument(
        "--campaigns",
        choices=("catalogue", "bureau"),
        default="catalogue",
        help="catalogue: three 2022 campaigns (as of 2022-08-31); bureau: 2022-10..2023-03, as of 2023-01-15",
    )
    parser.add_argument("--explain", action="store_true", help="time zhian explain for one compound × metric")
    args = parser.parse_args(argv)
    if args.explain:
        explain_main(args)
        return
    if args.layout == "parquet":
        parquet_main(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        started = time.perf_counter()
        build(con, args.alerts, args.cases, args.compounds)
        print(
            f"built {args.alerts:,} alerts, {args.cases:,} cases, {args.compounds} compounds "
            f"in {time.perf_counter() - started:.1f} s"
        )
        evaluate(con, AS_OF)  # the first evaluation is stored; the timed ones are identical
        duck_seconds, duck = median_time(lambda: evaluate(con, AS_OF).results)
        targets = con.sql("select * from metric_targets($d)", params={"d": AS_OF}).pl()
        print(f"targets evaluated: {targets.height:,}")
        # the polars side gets the same records (not timed)
        metrics = sorted(set(targets["metric"]))
        records = con.sql(
            """select metric, compound, event_date, done_date, is_done_undated from metric_records
               where list_contains($m, metric)""",
            params={"m": metrics},
        ).pl()
        compounds = con.sql("select * from compounds").pl()
        polars_seconds, polars_result = median_time(lambda: polars_metrics(targets, records, compounds))
        duck_status = duck.select("campaign", "compound", "metric", "status").sort("campaign", "compound", "metric")
        same = duck_status.equals(polars_result)
        con.close()
    print(
        f"DuckDB SQL (zhian): {duck_seconds:.3f} s;  polars: {polars_seconds:.3f} s;  "
        f"ratio {polars_seconds / duck_seconds:.2f}×;  identical statuses: {same}"
    )
    results = {
        "alerts": args.alerts,
        "cases": args.cases,
        "compounds": args.compounds,
        "targets": targets.height,
        "duckdb_seconds": round(duck_seconds, 3),
        "polars_seconds": round(polars_seconds, 3),
        "identical": same,
    }
    record(results)
    if not same:
        raise SystemExit("the two engines disagree")


EXPLAINED = (("全区夏季整治", "alarm_calls_yoy"), ("全区夏季整治", "criminal_clearance_rate"))
# the query an analyst would write for the same list (the records of one compound × metric)
BY_HAND = {
    "alarm_calls_yoy": """
        select alert_id, alarm_at::date as day from alerts
        where compound = $k and nature = '报警'
          and (alarm_at::date between $start and $end or alarm_at::date between $b_start and $b_end)""",
    "criminal_clearance_rate": """
        select case_id, event_at::date as day from cases
        where compound = $k and case_kind = 'criminal' and status not in ('withdrawn', 'merged')
          and (event_at::date between $start and $end or event_at::date between $b_start and $b_end)""",
}


def explain_main(args) -> None:
    """`zhian explain` for one compound × metric (explain()), against the query an analyst
    would write by hand for the same records; the record counts compared."""
    from zhian.pipeline.metrics.explain import explain

    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        build(con, args.alerts, args.cases, args.compounds)
        evaluation = evaluate(con, AS_OF)
        compound = "C0012"  # a compound with alerts and criminal cases
        for campaign, metric in EXPLAINED:
            ours, explanation = median_time(
                lambda c=campaign, m=metric: explain(con, evaluation.evaluation_id, c, compound, m)
            )
            t = explanation.target
            params = {
                "k": compound,
                "start": t["window_start"],
                "end": t["current_end"],
                "b_start": t["baseline_start"],
                "b_end": t["baseline_end"],
            }
            theirs, rows = median_time(lambda q=BY_HAND[metric], p=params: con.sql(q, params=p).fetchall())
            listed = explanation.records["记录编号"].n_unique()
            print(
                f"explain {metric} of {compound}: {ours:.3f} s ({explanation.records.height} rows, "
                f"{listed} records, exact: {not explanation.mismatches()});  by hand: {theirs:.3f} s "
                f"({len(rows)} records);  ratio {ours / theirs:.2f}"
            )
            record(
                {
                    "explain": metric,
                    "alerts": args.alerts,
                    "cases": args.cases,
                    "explain_seconds": round(ours, 3),
                    "by_hand_seconds": round(theirs, 3),
                    "records": listed,
                    "by_hand_records": len(rows),
                    "exact": not explanation.mismatches(),
                }
            )
        con.close()


if __name__ == "__main__":
    main()
