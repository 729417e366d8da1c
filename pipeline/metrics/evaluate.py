"""The metric engine: every campaign target, per compound, as of a date.

    staging views (sql/staging)            one record per id, attributed, dates as dates
    metric_targets (sql/metrics)           targets × compounds, windows as of $as_of
    metric_daily                           union of sql/metrics/records/<code>.sql, counted
                                           per metric, compound and day
    one SQL file per family                count_change, cohort_rate | period_rate,
                                           zero_count, stock_rate → status, pace, low base
    metric_history + metric_evaluations    every evaluation kept; metric_results = latest

The runner only assembles: which records file and which family a metric uses comes from
the catalogue. Parameters are bound, never pasted into SQL. Statuses are decided in SQL by
exact integer/decimal comparisons (`compare` macro), never on rounded floats.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from zhian.pipeline.db import scalar, sql_text, transaction
from zhian.pipeline.metrics import catalogue

RATE_DEFINITIONS = ("cohort", "period")
STAGING_VIEWS = ("stg_alerts", "stg_cases", "stg_residents", "stg_target_compounds", "stg_target_problems")
FAMILY_SQL = {
    catalogue.COUNT_CHANGE: "metrics/count_change.sql",
    catalogue.ZERO_COUNT: "metrics/zero_count.sql",
    catalogue.STOCK_RATE: "metrics/stock_rate.sql",
}
RATE_SQL = {"cohort": "metrics/cohort_rate.sql", "period": "metrics/period_rate.sql"}

HISTORY_COLUMNS = [
    "campaign",
    "compound",
    "metric",
    "metric_name",
    "kind",
    "unit",
    "window_start",
    "window_end",
    "window_state",
    "current_end",
    "baseline_start",
    "baseline_end",
    "as_of",
    "actual",
    "baseline",
    "numerator",
    "denominator",
    "change",
    "projected",
    "projected_change",
    "baseline_full",
    "target_op",
    "target_value",
    "target_percent",
    "target_raw",
    "status",
    "low_base",
    "note",
    "rate_definition",
    "source_file",
    "source_row",
]


@dataclass
class Evaluation:
    evaluation_id: int
    as_of: dt.date
    rate_definition: str
    results: pl.DataFrame  # the HISTORY_COLUMNS, one row per campaign × compound × metric
    problems: pl.DataFrame  # target rows naming compounds the registry does not have
    stored: bool  # False when identical to the previous evaluation (nothing written)


def prepare_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the macros and staging views the metric SQL reads."""
    con.execute(sql_text("staging/macros.sql"))
    for view in STAGING_VIEWS:
        con.execute(f"create or replace view {view} as {sql_text(f'staging/{view}.sql')}")


def _register_catalogue(con: duckdb.DuckDBPyConnection) -> None:
    frame = pl.DataFrame(
        [
            {
                "code": m.code,
                "metric_name": m.name,
                "kind": m.kind,
                "unit": m.unit,
                "denominator_is_population_base": m.denominator_is_population_base,
            }
            for m in catalogue.CATALOGUE
        ]
    )
    con.register("catalogue_frame", frame.to_arrow())
    con.execute("create or replace temp table metric_catalogue as select * from catalogue_frame")
    con.unregister("catalogue_frame")


def _records_sql(metrics: list[str]) -> str:
    """The union of the metrics' records files: (metric, compound, event_date, done_date,
    is_done_undated), one row per record."""
    parts = [
        f"select '{code}' as metric, compound, event_date, done_date, is_done_undated "
        f"from ({sql_text(catalogue.BY_CODE[code].records_sql)})"
        for code in metrics  # codes come from the catalogue, never from input text
        if code in catalogue.BY_CODE
    ]
    if not parts:
        return (
            "select null::varchar as metric, null::varchar as compound, null::date as event_date, "
            "null::date as done_date, false as is_done_undated where false"
        )
    return "\nunion all\n".join(parts)


def _daily_sql(metrics: list[str]) -> tuple[str, str]:
    """Records counted per metric, compound and day — what every family sums over windows:
    by event date (with how many were done by as_of, and by as_of one year earlier), and by
    the date they were done (for the period definition of rates).

    Days before `$since` are left out for every metric but the stock rates (which count all
    history): no window, baseline or trend reads them. On a bureau's two years of alerts
    this skips most rows before they are grouped."""
    stock = {m.code for m in catalogue.CATALOGUE if m.kind == catalogue.STOCK_RATE}
    windowed = ", ".join(f"'{code}'" for code in metrics if code not in stock) or "null"
    done_by = "done_date <= {as_of} or (done_date is null and is_done_undated)"
    by_event = f"""
        select
            metric, compound, event_date as day,
            count(*) as events,
            count(*) filter (where {done_by.format(as_of="$as_of")}) as done_by_as_of,
            count(*) filter (where {done_by.format(as_of="$baseline_as_of")}) as done_by_baseline_as_of,
            count(*) filter (where done_date is null and is_done_undated) as done_undated
        from ({_records_sql(metrics)})
        where compound is not null and event_date is not null
          and (event_date >= $since or metric not in ({windowed}))
        group by metric, compound, event_date
    """
    by_done = f"""
        select metric, compound, done_date as day, count(*) as done
        from ({_records_sql(metrics)})
        where compound is not null and done_date is not null
          and (done_date >= $since or metric not in ({windowed}))
        group by metric, compound, done_date
    """
    return by_event, by_done


def _compute(con: duckdb.DuckDBPyConnection, as_of: dt.date, rate_definition: str) -> pl.DataFrame:
    prepare_views(con)
    _register_catalogue(con)
    con.execute(
        f"create or replace temp table metric_targets as {sql_text('metrics/metric_targets.sql')}", {"as_of": as_of}
    )
    metrics = [row[0] for row in con.execute("select distinct metric from metric_targets order by 1").fetchall()]
    by_event, by_done = _daily_sql(metrics)
    baseline_as_of = scalar(con, "select cast(cast($d as date) - interval 1 year as date)", {"d": as_of})
    # the earliest day anything reads: a window or baseline start, or January of last year
    # (the report's monthly trend compares this year's months with last year's)
    since = scalar(
        con,
        "select least(min(baseline_start), min(window_start), make_date(year($d) - 1, 1, 1)) from metric_targets",
        {"d": as_of},
    )
    con.execute(
        f"create or replace temp table metric_daily as {by_event}",
        {"as_of": as_of, "baseline_as_of": baseline_as_of, "since": since},
    )
    if rate_definition == "period":
        con.execute(f"create or replace temp table metric_done_daily as {by_done}", {"since": since})
    families = [*FAMILY_SQL.values(), RATE_SQL[rate_definition]]
    union = "\nunion all by name\n".join(f"select * from ({sql_text(path)})" for path in families)
    con.execute(f"create or replace temp table family_results as {union}")
    return con.sql(
        """
        select
            targets.campaign, targets.compound, targets.metric, targets.metric_name, targets.kind,
            targets.unit, targets.window_start, targets.window_end, targets.window_state,
            targets.current_end, targets.baseline_start, targets.baseline_end, targets.as_of,
            results.actual, results.baseline, results.numerator, results.denominator,
            results.change, results.projected, results.projected_change, results.baseline_full,
            targets.target_op,
            case when targets.kind = 'zero_count' then targets.target_percent::double
                 else targets.target_percent::double / 100 end as target_value,
            targets.target_percent, targets.target_raw,
            results.status, results.low_base, results.note,
            $rate_definition as rate_definition,
            targets.source_file, targets.source_row
        from metric_targets as targets
        join family_results as results using (target_id)
        order by targets.campaign, targets.compound, targets.metric
    """,
        params={"rate_definition": rate_definition},
    ).pl()


def _fingerprint(frame: pl.DataFrame) -> str:
    rows = sorted(map(repr, frame.iter_rows()))
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def evaluate(con: duckdb.DuckDBPyConnection, as_of: dt.date, rate_definition: str = "cohort") -> Evaluation:
    """Compute every target as of `as_of`; keep the evaluation in metric_history unless it is
    identical to the latest one (so re-running changes nothing)."""
    if rate_definition not in RATE_DEFINITIONS:
        raise ValueError(f"比率口径只能是 cohort 或 period：{rate_definition}")
    with transaction(con):
        results = _compute(con, as_of, rate_definition)
        problems = con.sql("select * from stg_target_problems order by source_file, source_row, named_compound").pl()
        fingerprint = _fingerprint(results)
        latest = con.execute("""
            select evaluation_id, as_of, rate_definition, fingerprint from metric_evaluations
            order by evaluation_id desc limit 1
        """).fetchall()
        if latest and latest[0][1:] == (as_of, rate_definition, fingerprint):
            return Evaluation(latest[0][0], as_of, rate_definition, results, problems, stored=False)
        evaluation_id = scalar(con, "select nextval('evaluation_id_seq')")
        run_at = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0)
        con.execute(
            "insert into metric_evaluations values ($id, $run_at, $as_of, $definition, $targets, $fp)",
            {
                "id": evaluation_id,
                "run_at": run_at,
                "as_of": as_of,
                "definition": rate_definition,
                "targets": results.height,
                "fp": fingerprint,
            },
        )
        stored = results.with_columns(pl.lit(evaluation_id, dtype=pl.Int32).alias("evaluation_id"))
        con.register("stored_results", stored.to_arrow())
        con.execute(f"""
            insert into metric_history (evaluation_id, {", ".join(HISTORY_COLUMNS)})
            select evaluation_id, {", ".join(HISTORY_COLUMNS)} from stored_results
        """)
        con.unregister("stored_results")
        con.execute("delete from target_problems")
        con.execute("insert into target_problems select * from stg_target_problems")
    return Evaluation(evaluation_id, as_of, rate_definition, results, problems, stored=True)
