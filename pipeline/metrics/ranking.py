"""Remediation priority of compounds (seed 002): rank, batch, keep in `compound_ranking`.
The rule is in sql/ranking/compound_ranking.sql and docs/metrics.md."""

from __future__ import annotations

import duckdb
import polars as pl

from zhian.pipeline.db import query, transaction


def rank_compounds(con: duckdb.DuckDBPyConnection, year: int, per_thousand: bool = False) -> pl.DataFrame:
    """Rank the registry's compounds by the year's alerts and cases; replace that year's
    ranking in the table and return it (priority 1 first)."""
    with transaction(con):
        frame = query(con, "ranking/compound_ranking.sql", {"year": year, "per_thousand": per_thousand}).pl()
        con.execute(
            "delete from compound_ranking where year = $year and per_thousand = $per",
            {"year": year, "per": per_thousand},
        )
        con.register("ranking", frame.to_arrow())
        con.execute(f"insert into compound_ranking ({', '.join(frame.columns)}) select * from ranking")
        con.unregister("ranking")
    return frame
