"""Compare two zhian databases table by table (and, optionally, two output folders).

    python benchmarks/compare_databases.py BEFORE.duckdb AFTER.duckdb [--outputs BEFORE_OUT AFTER_OUT]

Used to show that a change of the code changes no result: build the demo (`zhian demo`) or
a benchmark fixture with the old and with the new code, then compare. For every table and
view of either database: the same columns and the same rows (as multisets). File ids are
replaced by the files' names (ids depend on load order, names do not); columns that hold
the wall-clock time of a run are left out. Prints one line per table and exits 1 when any
differs. `--rename table.old=new` maps a column renamed on purpose (the old name in the
first database), `--drop table` or `--drop table.column` leaves out what only one side has
on purpose, `--new-views` lists the views only the second database has as additions; say
why in the commit that uses them.

With `--outputs`, every dashboard (.html) must be byte-identical and every report (.xlsx)
must hold the same values, formats and fills in the same cells.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import duckdb

# columns that hold when a run happened, not what it computed
VOLATILE = {
    "ingest_files": {"ingested_at"},
    "metric_evaluations": {"run_at"},
    "metric_results": {"run_at"},
    "audit_log": {"happened_at"},
}
FILE_ID_COLUMNS = ("file_id", "superseded_by_file_id")


def views(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}


def relations(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every table and view of the main schema with its columns, in order."""
    rows = con.execute("""
        select table_name, column_name from information_schema.columns
        where table_schema = 'main' order by table_name, ordinal_position
    """).fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


def digest(con, table: str, columns: list[str], renames: dict[str, str]) -> tuple[int, str, list]:
    """Row count, a hash of the sorted rows and the first rows (for the report)."""
    has_files = "ingest_files" in relations(con)
    selected = []
    for column in columns:
        name = renames.get(column, column)
        if column in FILE_ID_COLUMNS and has_files and table != "ingest_files":
            selected.append(f'(select source_file from ingest_files as f where f.file_id = t."{column}") as "{name}"')
        else:
            selected.append(f'"{column}" as "{name}"')
    ordered = sorted(selected, key=lambda s: s.rsplit(" as ", 1)[1])
    query = f'select {", ".join(ordered) or "1"} from "{table}" as t'
    rows = sorted(map(repr, con.execute(query).fetchall()))
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest(), rows


def compare_databases(before: Path, after: Path, renames: dict, drops: set[str], new_views: bool = False) -> bool:
    a = duckdb.connect(str(before), read_only=True)
    b = duckdb.connect(str(after), read_only=True)
    same = True
    try:
        left, right = relations(a), relations(b)
        for table in sorted(set(left) | set(right)):
            if table in drops:
                print(f"  (left out) {table}")
                continue
            if new_views and table not in left and table in views(b):
                print(f"+ {table}: a view only the second database has")
                continue
            if table not in left or table not in right:
                print(f"✗ {table}: only in {'the first' if table in left else 'the second'} database")
                same = False
                continue
            table_renames = renames.get(table, {})
            skip = VOLATILE.get(table, set()) | {c.split(".", 1)[1] for c in drops if c.startswith(table + ".")}
            cols_a = [c for c in left[table] if c not in skip]
            cols_b = [c for c in right[table] if c not in skip]
            mapped_a = [table_renames.get(c, c) for c in cols_a]
            if sorted(mapped_a) != sorted(cols_b):
                print(
                    f"✗ {table}: columns differ: only first {sorted(set(mapped_a) - set(cols_b))}, "
                    f"only second {sorted(set(cols_b) - set(mapped_a))}"
                )
                same = False
                continue
            count_a, hash_a, rows_a = digest(a, table, cols_a, table_renames)
            count_b, hash_b, rows_b = digest(b, table, cols_b, {})
            if hash_a == hash_b:
                print(f"✓ {table}: {count_a} rows identical")
                continue
            same = False
            only_a = [r for r in rows_a if r not in set(rows_b)][:3]
            only_b = [r for r in rows_b if r not in set(rows_a)][:3]
            print(f"✗ {table}: {count_a} vs {count_b} rows; first only in first: {only_a}; only in second: {only_b}")
    finally:
        a.close()
        b.close()
    return same


def workbook_cells(path: Path) -> list[tuple]:
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None or cell.fill.fgColor.rgb not in (None, "00000000"):
                    cells.append((sheet.title, cell.coordinate, cell.value, cell.number_format, cell.fill.fgColor.rgb))
    return cells


def compare_outputs(before: Path, after: Path) -> bool:
    same = True
    names = sorted({p.relative_to(before) for p in before.rglob("*") if p.is_file()})
    names_after = sorted({p.relative_to(after) for p in after.rglob("*") if p.is_file()})
    if names != names_after:
        print(f"✗ outputs: different files: {sorted(set(names) ^ set(names_after))[:10]}")
        same = False
    for name in names:
        if name not in names_after:
            continue
        first, second = before / name, after / name
        if name.suffix == ".xlsx":
            equal = workbook_cells(first) == workbook_cells(second)
        else:
            equal = first.read_bytes() == second.read_bytes()
        if not equal:
            print(f"✗ {name}: differs")
            same = False
    if same:
        print(f"✓ outputs: {len(names)} files identical")
    return same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rename", action="append", default=[], help="table.old=new (old name in BEFORE)")
    parser.add_argument("--drop", action="append", default=[], help="table or table.column to leave out")
    parser.add_argument("--outputs", nargs=2, type=Path, metavar=("BEFORE_OUT", "AFTER_OUT"))
    parser.add_argument("--new-views", action="store_true", help="views only AFTER has are additions, not differences")
    args = parser.parse_args(argv)
    renames: dict[str, dict[str, str]] = {}
    for item in args.rename:
        qualified, new = item.split("=", 1)
        table, old = qualified.split(".", 1)
        renames.setdefault(table, {})[old] = new
    same = compare_databases(args.before, args.after, renames, set(args.drop), args.new_views)
    if args.outputs:
        same = compare_outputs(*args.outputs) and same
    print("identical" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
