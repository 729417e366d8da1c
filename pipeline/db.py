"""The DuckDB database: connecting, creating the schema, running the project's SQL.

DuckDB allows one read-write process per file: a second one gets "Could not set lock".
`connect` turns that into a `DatabaseBusy` with a one-line Chinese message.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

SCHEMA_VERSION = "1"


class DatabaseBusy(RuntimeError):
    """Another process holds the database."""


class DatabaseError(RuntimeError):
    """The database cannot be opened (message in Chinese)."""


def sql_text(relative: str) -> str:
    """A file of the project's `sql/` folder, e.g. `schema/tables.sql`."""
    resource = importlib.resources.files("zhian.sql")
    for part in relative.split("/"):
        resource = resource / part
    return resource.read_text(encoding="utf-8")


def connect(path: str | Path, *, read_only: bool = False, wait: float = 0) -> duckdb.DuckDBPyConnection:
    """Open (and create or migrate) the database. While another process holds it, retry for
    up to `wait` seconds, then raise DatabaseBusy: never two writers."""
    path = Path(path)
    if read_only and not path.exists():
        raise DatabaseError(f"数据库文件不存在：{path}")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as error:
            text = str(error)
            if "lock" not in text.lower():
                raise DatabaseError(f"无法打开数据库{path}：{text.splitlines()[0]}") from error
            if time.monotonic() >= deadline:
                raise DatabaseBusy(f"数据库正被另一个程序使用（{path.name}），请等它结束后再试") from error
            time.sleep(0.5)
        except duckdb.Error as error:
            raise DatabaseError(f"无法打开数据库{path}：{str(error).splitlines()[0]}") from error
    if not read_only:
        protect(path)
        con.execute(sql_text("schema/tables.sql"))
        con.execute(sql_text("schema/migrations.sql"))
        con.execute(
            "insert into zhian_meta values ('schema_version', $v) on conflict do nothing",
            {"v": SCHEMA_VERSION},
        )
    return con


def protect(path: Path) -> None:
    """The database holds personal data: readable by its owner only (docs/security.md)."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(OSError):
            if candidate.exists():
                os.chmod(candidate, 0o600)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a crash or kill inside leaves no trace (DuckDB's WAL)."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None):
    """The first value of a query's first row, or None. Reads the whole result: in DuckDB 2
    a partly read `execute` result blocks the connection."""
    rows = con.execute(query, params or {}).fetchall()
    return rows[0][0] if rows else None


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    return scalar(con, "select value from zhian_meta where key = $k", {"k": key})


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute(
        "insert into zhian_meta values ($k, $v) on conflict (key) do update set value = excluded.value",
        {"k": key, "v": value},
    )
