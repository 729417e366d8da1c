"""Outputs for one station (`--station`, `--by-station`) or for everything.

The output queries (dashboards/queries, sql/report) read temporary tables and one
variable: `scope_compounds`, `scope_files` and `scope_units` (the station's compounds,
files and unit spellings), and `zhian_station` (NULL: no restriction). `prepare` counts the
records per file and unit and builds the station maps once per run (sql/scope/prepare.sql);
`apply` switches the scope — cheap, so a bureau run renders 200 stations from one
evaluation. Outputs written alone (`zhian dashboard`, `zhian report`) prepare first.
"""

from __future__ import annotations

import duckdb

from zhian.pipeline.db import sql_text


class UnknownStation(ValueError):
    """The station is not among the registry's or the records' stations (message in Chinese)."""


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(sql_text("scope/prepare.sql"))
    apply(con, None)


def stations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every station that has compounds, in name order."""
    _ensure(con)
    return [r[0] for r in con.execute("select distinct station from station_compounds order by station").fetchall()]


def apply(con: duckdb.DuckDBPyConnection, station: str | None) -> None:
    """Restrict the output queries to `station` (None: everything)."""
    if station is not None:
        known = stations(con)
        if station not in known:
            listed = "、".join(known[:10]) + ("等" if len(known) > 10 else "")
            raise UnknownStation(f"没有管辖单位为“{station}”的小区（已知：{listed or '无'}）")
    con.execute("set variable zhian_station = $station", {"station": station})
    if station is None:
        con.execute("create or replace temp table scope_compounds as select null::varchar as compound limit 0")
        con.execute("create or replace temp table scope_files as select null::integer as file_id limit 0")
        con.execute("create or replace temp table scope_units as select null::varchar as unit limit 0")
        con.execute(sql_text("scope/macros.sql"))
        return
    con.execute(
        "create or replace temp table scope_compounds as select compound from station_compounds where station = $s",
        {"s": station},
    )
    con.execute(
        "create or replace temp table scope_files as select file_id from station_files where station = $s",
        {"s": station},
    )
    con.execute(
        "create or replace temp table scope_units as select unit from unit_stations where station = $s",
        {"s": station},
    )
    con.execute(sql_text("scope/macros.sql"))


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    exists = con.execute(
        "select count(*) from duckdb_tables() where temporary and table_name = 'unit_records'"
    ).fetchall()[0][0]
    if not exists:
        con.execute(sql_text("scope/prepare.sql"))
