"""Database checks shared by the fault tests: a fingerprint of every loaded table (equal
fingerprints = same data, whatever the file ids), and the consistency of a database a run
was killed or starved in."""

import hashlib

import duckdb

from zhian.pipeline.schema import KINDS_TABLES

# where a file's loaded rows go (every source kind's table, current versions and superseded ones)
LOADED = tuple(KINDS_TABLES)
TABLES = (
    *LOADED,
    "compounds",
    "compound_addresses",
    "targets",
    "rejected_rows",
    "ingest_log",
    "attribution_lookup",
    "record_counts",
    "compound_stations",
)


def fingerprint(path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in TABLES:
            columns = con.table(table).columns
            ids = [c for c in ("file_id", "superseded_by_file_id") if c in columns]
            # file ids are not the same from run to run: compare the files' names instead
            names = "".join(
                f", (select source_file from ingest_files as f where f.file_id = t.{c}) as {c}_name" for c in ids
            )
            exclude = f" exclude ({', '.join(ids)})" if ids else ""
            rows = con.execute(f"select *{exclude}{names} from {table} as t").fetchall()
            out[table] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        return out
    finally:
        con.close()


def consistent(path) -> None:
    """Every file recorded in ingest_files has exactly its loaded and rejected rows — rows of
    its sheets: a row that loads as two records (a target sentence naming two metrics, an
    alert with its linked case) is one row, and a row whose own record loaded is not a
    rejected row of the file even when the case it carries was rejected; no row belongs to
    an unrecorded file (a failed or killed load left nothing behind)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        if "ingest_files" not in tables:
            # killed before the schema's one transaction committed: nothing at all, never a part
            assert tables == set(), sorted(tables)
            return
        union = " union all ".join(f"select file_id, source_sheet, source_row from {table}" for table in LOADED)
        rows = con.execute(f"""
            with loaded_rows as (select distinct file_id, source_sheet as sheet, source_row as row_number
                                 from ({union})),
                 loaded as (select file_id, count(*) as n from loaded_rows group by file_id),
                 rejected as (select file_id, count(*) as n
                              from (select distinct file_id, sheet, row_number from rejected_rows
                                    except select file_id, sheet, row_number from loaded_rows)
                              group by file_id)
            select files.file_id, files.rows_loaded, files.rows_rejected,
                   coalesce(loaded.n, 0), coalesce(rejected.n, 0)
            from ingest_files as files
            left join loaded using (file_id)
            left join rejected using (file_id)
        """).fetchall()
        for file_id, rows_loaded, rows_rejected, loaded, rejected in rows:
            assert (loaded, rejected) == (rows_loaded, rows_rejected), file_id
        orphans = con.execute(f"""
            select count(*) from (select file_id from ({union}) union all select file_id from rejected_rows)
            where file_id not in (select file_id from ingest_files)
        """).fetchone()[0]
        assert orphans == 0
    finally:
        con.close()
