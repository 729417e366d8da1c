"""The DuckDB database: connecting (which creates or migrates the schema, `schema.py`),
transactions, running the project's SQL files with bound parameters.

DuckDB allows one read-write process per file: a second one gets "Could not set lock".
`connect` turns that into a `DatabaseBusy` with a one-line Chinese message.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb


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
                raise DatabaseError(f"无法打开数据库{path}：{_open_error(text)}") from error
            if time.monotonic() >= deadline:
                raise DatabaseBusy(f"数据库正被另一个程序使用（{path.name}），请等它结束后再试") from error
            time.sleep(0.5)
        except duckdb.Error as error:
            raise DatabaseError(f"无法打开数据库{path}：{_open_error(str(error))}") from error
    if not read_only:
        from zhian.pipeline import schema

        protect(path)
        schema.create(con)
    return con


# what DuckDB says when it cannot open a file, in words an analyst reads
OPEN_ERRORS = (
    ("not a valid DuckDB database file", "这不是 zhian 的数据库文件（也许是别的文件，或文件已损坏）"),
    ("created with a newer version", "数据库由更新版本的程序创建，请升级 zhian 后再打开"),
    ("older version", "数据库由旧版本的程序创建，无法直接打开"),
    ("Permission denied", "没有读取或写入这个文件的权限"),
    ("No such file or directory", "文件或它所在的文件夹不存在"),
    ("Is a directory", "这是一个文件夹，不是数据库文件"),
)


def _open_error(text: str) -> str:
    """DuckDB's reason for not opening a file, in Chinese (its own words only under
    ZHIAN_DEBUG, with the traceback)."""
    for words, reason in OPEN_ERRORS:
        if words.lower() in text.lower():
            return reason
    return "数据库引擎无法打开这个文件（设置 ZHIAN_DEBUG=1 可查看详细信息）"


def protect(path: Path) -> None:
    """The database holds personal data: readable by its owner only (docs/security.md)."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(OSError):
            if candidate.exists():
                os.chmod(candidate, 0o600)


class Transaction:
    """An open transaction: committed when its block ends, unless `rollback()` was called."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.rolled_back = False

    def rollback(self) -> None:
        """Undo everything of the block when it ends (nothing the block wrote remains)."""
        self.rolled_back = True


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[Transaction]:
    """All or nothing: a crash or kill inside leaves no trace (DuckDB's WAL)."""
    con.execute("begin transaction")
    handle = Transaction(con)
    try:
        yield handle
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("rollback" if handle.rolled_back else "commit")


_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def run_script(con: duckdb.DuckDBPyConnection, relative: str, params: dict | None = None) -> None:
    """Run the statements of an SQL file one by one, each with the parameters it names."""
    from zhian.pipeline.schema import split_statements

    for statement in split_statements(sql_text(relative)):
        names = set(_PARAMETER.findall(statement))
        con.execute(statement, {k: v for k, v in (params or {}).items() if k in names})


def query(con: duckdb.DuckDBPyConnection, relative: str, params: dict | None = None) -> duckdb.DuckDBPyRelation:
    """A query file's result (bound parameters: only those the file names)."""
    text = sql_text(relative)
    names = set(_PARAMETER.findall(text))
    return con.sql(text, params={k: v for k, v in (params or {}).items() if k in names})


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
