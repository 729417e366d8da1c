"""What is loaded, counted: `record_counts` (the records of every kind placed in compounds,
counted per source, file, unit, station and compound, with their latest record and export
times) and `compound_stations` (the station of each compound).

The ingest keeps both in the transaction that changes the records: a batch of files
refreshes the counts of its files and of the files whose records it superseded; a registry
change (new attributions) refreshes everything. The freshness table, the quality summaries,
the unattributed counts and the station maps then read thousands of counts instead of
scanning millions of records — once per station in a bureau's run.
"""

from __future__ import annotations

import duckdb

from zhian.pipeline.db import run_script
from zhian.pipeline.sources import RECORD_KINDS


def refresh(con: duckdb.DuckDBPyConnection, file_ids: list[int] | None = None) -> None:
    """Count again the records of `file_ids` (None: of every file); then the stations."""
    run_script(con, "ingest/refresh_record_counts.sql", {"file_ids": file_ids})


def superseded_files(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> list[int]:
    """The files whose records the files `file_ids` superseded (moved to history)."""
    union = " union ".join(
        f"select file_id from {kind.history_table} where list_contains($ids, superseded_by_file_id)"
        for kind in RECORD_KINDS
    )
    return [row[0] for row in con.execute(union, {"ids": file_ids}).fetchall()]


def unattributed_by_file(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> dict[int, int]:
    return dict(
        con.execute(
            """select file_id, sum(records)::bigint from record_counts
               where compound is null and list_contains($ids, file_id) group by file_id""",
            {"ids": file_ids},
        ).fetchall()
    )
