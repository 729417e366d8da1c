"""Stations (管辖单位): every output can be for one station (`--station`, `--by-station`) or
for everything. The station of each compound, the files and the unit spellings of each
station are kept by the ingest (`compound_stations`, `record_counts`); every output query
takes the station as a parameter (`$station`, NULL: everything) and filters with the macros
of `sql/stations/macros.sql`. Nothing here changes the connection's state.
"""

from __future__ import annotations

import duckdb


class UnknownStation(ValueError):
    """The station is not among the registry's or the records' stations (message in Chinese)."""


def stations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every station that has compounds, in name order."""
    rows = con.execute(
        "select distinct station from compound_stations where station is not null order by station"
    ).fetchall()
    return [row[0] for row in rows]


def check(con: duckdb.DuckDBPyConnection, station: str | None) -> None:
    """Raise UnknownStation, listing the known ones, when `station` has no compounds."""
    if station is None:
        return
    known = stations(con)
    if station not in known:
        listed = "、".join(known[:10]) + ("等" if len(known) > 10 else "")
        raise UnknownStation(f"没有管辖单位为“{station}”的小区（已知：{listed or '无'}）")


def compounds_of(con: duckdb.DuckDBPyConnection, station: str) -> set[str]:
    """The compounds of a known station."""
    check(con, station)
    rows = con.execute("select compound from compound_stations where station = $s", {"s": station}).fetchall()
    return {row[0] for row in rows}
