"""Monthly-report benchmark: 30 compounds with all 19 targets and 10,000 rejected rows.

    python benchmarks/report.py [--compounds 30] [--rejected 10000]

Times, in one run: zhian's report (evaluation + styled, masked, formula-safe openpyxl
workbook) against the obvious alternative — the same tables dumped with
`pandas.DataFrame.to_excel` (openpyxl engine, no styles, no masking). Median of three.
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

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from zhian.pipeline.db import connect, sql_text  # noqa: E402
from zhian.pipeline.ingest import census  # noqa: E402
from zhian.pipeline.metrics import catalogue  # noqa: E402
from zhian.pipeline.metrics.evaluate import evaluate  # noqa: E402
from zhian.pipeline.outputs.report import write_report  # noqa: E402

AS_OF = dt.date(2022, 8, 31)


def build(con, compounds: int, rejected: int) -> None:
    con.execute("select setseed(0.7)")
    con.execute(
        "insert into compounds (compound, population_base) select '测试小区' || lpad(i::varchar, 2, '0'), 800 "
        "from range($n) t(i)",
        {"n": compounds},
    )
    con.execute(
        """
        insert into alerts (alert_id, alarm_at, nature, category, offence, compound, export_at)
        select 'J' || i, timestamp '2021-01-01' + to_seconds((random() * 600 * 86400)::bigint),
               ['报警', '求助', '报警'][1 + i % 3], ['治安', '刑事', '纠纷'][1 + i % 3],
               ['盗窃', '赌博', null][1 + i % 3],
               '测试小区' || lpad((i % $n)::varchar, 2, '0'), timestamp '2022-09-01'
        from range(60000) t(i)
    """,
        {"n": compounds},
    )
    con.execute(
        """
        insert into cases (case_id, case_kind, offence, event_at, status, solved_at, compound, export_at)
        select 'A' || i, ['criminal', 'public_order'][1 + i % 2], ['盗窃', '诈骗', '殴打他人'][1 + i % 3],
               timestamp '2021-01-01' + to_seconds((random() * 600 * 86400)::bigint),
               ['filed', 'accepted'][1 + i % 2], null, '测试小区' || lpad((i % $n)::varchar, 2, '0'),
               timestamp '2022-09-01'
        from range(6000) t(i)
    """,
        {"n": compounds},
    )
    con.execute(
        """
        insert into rejected_rows (file_id, source_file, sheet, row_number, column_name, value, reason, kind, rule)
        select 1, '警情' || (i // 2000) || '.xlsx', 'Sheet1', 3 + i, ['报警时间', '联系电话', '警情性质'][1 + i % 3],
               ['2022-13-45', '13812345678', '乱写'][1 + i % 3],
               ['“报警时间”不是可识别的日期时间：“2022-13-45”', '联系电话格式错误：“13812345678”',
                '警情性质“乱写”无法识别'][1 + i % 3],
               'alerts', 'parsed'
        from range($n) t(i)
    """,
        {"n": rejected},
    )
    rows = []
    for metric in catalogue.CATALOGUE:
        op, value = {"count_change": ("<=", -20), "zero_count": ("=", 0)}.get(metric.kind, (">=", 70))
        rows.append(("全年整治", "全部", ["全部"], dt.date(2022, 1, 1), dt.date(2022, 12, 31), metric.code, op, value))
    con.executemany(
        "insert into targets (campaign, compounds, compound_list, start_date, end_date, metric_code, "
        "target_op, target_percent, target_raw) values (?, ?, ?, ?, ?, ?, ?, ?, 'bench')",
        rows,
    )
    # what the ingest keeps: the census, and what exports stating 2022-09-01 cover (a database
    # of zhian before data coverage, issue 15, has no export_coverage)
    if con.execute("select count(*) from duckdb_tables() where table_name = 'export_coverage'").fetchall()[0][0]:
        con.execute(
            """insert into export_coverage (file_id, sheet, kind, source, station, covered_to, basis, export_at)
               select null, 'bench', kind, source, null, date '2022-08-31', '标题行', timestamp '2022-09-01'
               from record_sources"""
        )
    census.refresh(con)


def median(function, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compounds", type=int, default=30)
    parser.add_argument("--rejected", type=int, default=10_000)
    args = parser.parse_args(argv)
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        build(con, args.compounds, args.rejected)
        evaluate(con, AS_OF)
        zhian_seconds = median(lambda: write_report(con, Path(tmp) / "zhian.xlsx", evaluate(con, AS_OF)))

        def baseline() -> None:
            evaluation = evaluate(con, AS_OF)
            params = {"evaluation": evaluation.evaluation_id, "station": None}
            tables = {
                "指标明细": con.sql("select * from metric_results").df(),
                "月度趋势": con.sql(sql_text("outputs/target_trend.sql"), params=params).df(),
                "数据质量": con.sql("select * from rejected_rows").df(),
            }
            with pd.ExcelWriter(Path(tmp) / "pandas.xlsx", engine="openpyxl") as writer:
                for name, frame in tables.items():
                    frame.to_excel(writer, sheet_name=name, index=False)

        pandas_seconds = median(baseline)
        targets = con.sql("select count(*) from metric_results").fetchall()[0][0]
        con.close()
    print(f"{args.compounds} compounds, {targets} targets, {args.rejected:,} rejected rows")
    print(
        f"zhian report (styled, masked, safe): {zhian_seconds:.2f} s;  pandas.to_excel of the same tables: "
        f"{pandas_seconds:.2f} s;  ratio {pandas_seconds / zhian_seconds:.2f}×"
    )
    result = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.node()} {os.cpu_count()} cpu",
        "compounds": args.compounds,
        "rejected": args.rejected,
        "targets": targets,
        "zhian_seconds": round(zhian_seconds, 3),
        "pandas_seconds": round(pandas_seconds, 3),
    }
    (HERE / "results").mkdir(exist_ok=True)
    with open(HERE / "results" / "report.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
