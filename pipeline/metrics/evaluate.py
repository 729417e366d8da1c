"""The metric engine: every campaign target, per compound, as of a date — one evaluation.

Every step is a relation in the database (`pipeline/schema.py` creates them), each runnable
alone in a DuckDB shell; this module only runs them in order and keeps the result:

    metric_records          view   the records of every metric, one sql/metrics/records/<code>.sql each
    metric_targets(d)       macro  targets × compounds, with their windows as of date d
    metric_daily_counts(…)  macro  the records counted per metric, compound and day
    metric_daily            table  those counts, stored with the evaluation (its charts read them)
    target_counts(e, kind)  macro  the counts summed over each target's windows
    count_change(e), rate(e, definition), zero_count(e), stock_rate(e)
                            macros one family per kind → actual, baseline, status, pace, low base
    metric_evaluation(e)    macro  every target with its result → metric_history
    metric_results          view   the latest evaluation

Statuses are decided in SQL by exact integer/decimal comparisons (`compare`, `rate_status`),
never on rounded floats. An evaluation identical to the latest one (same date, definition,
results and daily counts) is not stored again, so re-running changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from zhian.pipeline.db import scalar, transaction
from zhian.pipeline.metrics.catalogue import LOW_BASE_CUTOFF

RATE_DEFINITIONS = ("cohort", "period")


@dataclass
class Evaluation:
    """One evaluation: what the outputs of a run show (they take it as an argument)."""

    evaluation_id: int
    as_of: dt.date
    rate_definition: str
    results: pl.DataFrame  # metric_history's columns, one row per campaign × compound × metric
    problems: pl.DataFrame  # target rows naming compounds the registry does not have
    stored: bool  # False when identical to the previous evaluation (nothing written)
    # the records behind every figure (pipeline/metrics/explain.py all_parts), once asked for
    explained: pl.DataFrame | None = field(default=None, repr=False, compare=False)


def _fingerprint(con: duckdb.DuckDBPyConnection, evaluation_id: int, results: pl.DataFrame) -> str:
    rows = sorted(map(repr, results.iter_rows()))
    daily = scalar(
        con,
        """select bit_xor(hash(metric, compound, day, events, done_by_as_of, done_by_baseline_as_of,
                               done_undated, done))
           from metric_daily where evaluation_id = $id""",
        {"id": evaluation_id},
    )
    return hashlib.sha256("\n".join([*rows, f"daily {daily}"]).encode("utf-8")).hexdigest()


def evaluate(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, rate_definition: str = "cohort", *, publish: bool = True
) -> Evaluation:
    """Compute every target as of `as_of` and keep the evaluation (metric_evaluations,
    metric_daily, metric_history) unless it is identical to the latest one. A published
    evaluation (`zhian run`, the refresh flow) becomes `metric_results`; an unpublished one (a
    look at another date: `zhian metrics`, `dashboard`, `report`) is kept in the history but
    never replaces what other tools read."""
    if rate_definition not in RATE_DEFINITIONS:
        raise ValueError(f"比率口径只能是 cohort 或 period：{rate_definition}")
    with transaction(con) as tx:
        latest = con.execute("""
            select evaluation_id, as_of, rate_definition, fingerprint, published from metric_evaluations
            order by evaluation_id desc limit 1
        """).fetchall()
        evaluation_id = (latest[0][0] if latest else 0) + 1
        run_at = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0)
        con.execute(
            """insert into metric_evaluations
                   (evaluation_id, run_at, as_of, rate_definition, low_base_cutoff, published)
               values ($id, $run_at, $as_of, $definition, $cutoff, $published)""",
            {
                "id": evaluation_id,
                "run_at": run_at,
                "as_of": as_of,
                "definition": rate_definition,
                "cutoff": LOW_BASE_CUTOFF,
                "published": publish,
            },
        )
        _store_daily_counts(con, evaluation_id, as_of, by_done_date=rate_definition == "period")
        results = con.sql("select * from metric_evaluation($id)", params={"id": evaluation_id}).pl()
        problems = con.sql("select * from stg_target_problems order by source_file, source_row, named_compound").pl()
        fingerprint = _fingerprint(con, evaluation_id, results)
        if latest and latest[0][1:4] == (as_of, rate_definition, fingerprint):
            tx.rollback()
            if publish and not latest[0][4]:  # the same figures, now published
                con.execute(
                    "update metric_evaluations set published = true where evaluation_id = $id", {"id": latest[0][0]}
                )
            return Evaluation(latest[0][0], as_of, rate_definition, results, problems, stored=False)
        con.execute(
            "update metric_evaluations set targets = $n, fingerprint = $fp where evaluation_id = $id",
            {"n": results.height, "fp": fingerprint, "id": evaluation_id},
        )
        # the daily counts of this evaluation and of the published one (the charts read them)
        con.execute(
            """delete from metric_daily where evaluation_id <> $id and evaluation_id is distinct from
               (select max(evaluation_id) from metric_evaluations where published)""",
            {"id": evaluation_id},
        )
        stored = results.with_columns(pl.lit(evaluation_id, dtype=pl.Int32).alias("evaluation_id"))
        con.register("stored_results", stored.to_arrow())
        con.execute("insert into metric_history by name select * from stored_results")
        con.unregister("stored_results")
        con.execute("delete from target_problems")
        con.execute("insert into target_problems select * from stg_target_problems")
    return Evaluation(evaluation_id, as_of, rate_definition, results, problems, stored=True)


def _store_daily_counts(
    con: duckdb.DuckDBPyConnection, evaluation_id: int, as_of: dt.date, *, by_done_date: bool
) -> None:
    """The daily counts of the metrics that have targets, from the earliest day anything
    reads: a window or baseline start, or January of last year (the report's monthly trend
    compares this year's months with last year's). On a bureau's two years of alerts this
    skips most rows before they are counted. Records are also counted by the day they were
    done only for the period definition of rates, the one family that reads those counts."""
    metrics, since = con.execute(
        """select list(distinct metric order by metric),
                  least(min(baseline_start), min(window_start), make_date(year($as_of) - 1, 1, 1))
           from metric_targets($as_of)""",
        {"as_of": as_of},
    ).fetchall()[0]
    if not metrics:
        return
    con.execute(
        """insert into metric_daily by name
           select $id as evaluation_id, * from metric_daily_counts($as_of, $metrics, $since, $by_done)""",
        {"id": evaluation_id, "as_of": as_of, "metrics": metrics, "since": since, "by_done": by_done_date},
    )
