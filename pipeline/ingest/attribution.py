"""Placing records in compounds, in the database.

The rules live in `attribute.py`; this module applies them once per distinct
(所属小区, address) pair and keeps the answers in `attribution_lookup`, so a sheet's rows
are attributed as they load (no second pass over the table). When the registry changes,
the lookup is rebuilt and every record whose answer changed is updated.
"""

from __future__ import annotations

import hashlib

import duckdb
import polars as pl

from zhian.pipeline.db import get_meta, scalar, set_meta
from zhian.pipeline.ingest.attribute import Registry
from zhian.pipeline.sources import RECORD_KINDS

# the answer each record keeps (kind.ATTRIBUTION): where, how, why not, and for registry
# upkeep the doorplate of an unattributed address with the compound the registry suggests
ATTRIBUTION_COLUMNS = ("compound", "attribution", "attribution_note", "doorplate", "suggestion")
_LOOKUP_SCHEMA = {
    "compound_hint": pl.String,
    "address": pl.String,
    "compound": pl.String,
    "attribution": pl.String,
    "attribution_note": pl.String,
    "doorplate": pl.String,
    "suggestion": pl.String,
}
_registries: dict[str, Registry] = {}


def registry_version(con: duckdb.DuckDBPyConnection) -> str:
    names = scalar(
        con,
        """
        select coalesce(string_agg(compound || '|' || coalesce(aliases, ''), '\n' order by compound), '')
        from compounds
    """,
    )
    addresses = scalar(
        con,
        """
        select coalesce(string_agg(compound || '|' || address, '\n' order by compound, address), '')
        from compound_addresses
    """,
    )
    return hashlib.sha256((names + "\n#\n" + addresses).encode("utf-8")).hexdigest()


def _registry(con: duckdb.DuckDBPyConnection, version: str) -> Registry:
    if version not in _registries:
        _registries.clear()
        _registries[version] = Registry.build(
            con.execute("select compound, aliases from compounds").fetchall(),
            con.execute("select compound, address from compound_addresses").fetchall(),
        )
    return _registries[version]


def _fill_lookup(con: duckdb.DuckDBPyConnection, pairs: pl.DataFrame) -> None:
    """Compute and store the attribution of pairs not yet in the lookup."""
    con.register("pairs", pairs.to_arrow())
    missing = con.execute("""
        select compound_hint, address from pairs
        except select compound_hint, address from attribution_lookup
    """).fetchall()
    con.unregister("pairs")
    if not missing:
        return
    version = get_meta(con, "registry_version") or ""
    registry = _registry(con, version)
    rows = []
    for hint, address in missing:
        result = registry.attribute(hint or None, address or None)
        rows.append((hint, address, result.compound, result.method, result.note, result.doorplate, result.suggestion))
    frame = pl.DataFrame(rows, schema=_LOOKUP_SCHEMA, orient="row")
    con.register("new_lookup", frame.to_arrow())
    con.execute("insert into attribution_lookup select * from new_lookup")
    con.unregister("new_lookup")


def _keys(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("compound_hint").fill_null("").alias("_hint"),
        pl.col("address").fill_null("").alias("_address"),
    )


def attribute_frame(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> pl.DataFrame:
    """The rows with their compound, how it was found, and why not (inside the caller's
    transaction)."""
    if frame.height == 0:
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in ATTRIBUTION_COLUMNS)
    keys = _keys(frame)
    pairs = keys.unique().rename({"_hint": "compound_hint", "_address": "address"})
    _fill_lookup(con, pairs)
    con.register("pairs", pairs.to_arrow())
    answers = con.sql("""
        select lookup.* from attribution_lookup as lookup
        join pairs using (compound_hint, address)
    """).pl()
    con.unregister("pairs")
    answers = answers.rename({"compound_hint": "_hint", "address": "_address"})
    # join only the two key columns, then attach the answers: the record columns
    # themselves are not copied (a join of the whole frame copied them all)
    placed = keys.join(answers, on=["_hint", "_address"], how="left", maintain_order="left")
    return frame.drop(ATTRIBUTION_COLUMNS, strict=False).with_columns(placed.get_column(c) for c in ATTRIBUTION_COLUMNS)


def refresh_all(con: duckdb.DuckDBPyConnection) -> None:
    """After a registry change: rebuild the lookup and update every record whose
    attribution changed (inside the caller's transaction)."""
    version = registry_version(con)
    if get_meta(con, "registry_version") == version:
        return
    con.execute("delete from attribution_lookup")
    set_meta(con, "registry_version", version)
    pairs = con.sql(
        " union ".join(
            f"select coalesce(compound_hint, '') as compound_hint, coalesce(address, '') as address from {k.table}"
            for k in RECORD_KINDS
        )
    ).pl()
    if pairs.height:
        _fill_lookup(con, pairs)
    for table in (k.table for k in RECORD_KINDS):
        assignments = ", ".join(f"{c} = lookup.{c}" for c in ATTRIBUTION_COLUMNS)
        changed = " or ".join(f"{table}.{c} is distinct from lookup.{c}" for c in ATTRIBUTION_COLUMNS)
        con.execute(f"""
            update {table} set {assignments}
            from attribution_lookup as lookup
            where coalesce({table}.compound_hint, '') = lookup.compound_hint
              and coalesce({table}.address, '') = lookup.address
              and ({changed})
        """)
