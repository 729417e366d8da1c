"""Finding personal data in an output: the raw phone and ID numbers (and full names) of a
database, and every digit window of a text they could hide in."""

from __future__ import annotations

import re

import duckdb

SECRETS_SQL = """
    select caller_phone from alerts where caller_phone is not null
    union select person_id from residents
    union select phone from residents where phone is not null
    union select value from rejected_rows
          where column_name in ('身份证号', '公民身份号码', '报警人电话', '联系电话', '证件号码') and value is not null
    union select regexp_extract(person, '1[3-9][0-9]{9}') from ledger_rows
          where regexp_matches(person, '1[3-9][0-9]{9}')
"""
NAMES_SQL = """
    select caller_name from alerts where length(caller_name) >= 3
    union select name from residents where length(name) >= 3
    union select person_name from penalty_decisions where length(person_name) >= 3
    union select regexp_extract(person, '^[\u4e00-\u9fff]{3,4}') from ledger_rows
          where length(regexp_extract(person, '^[\u4e00-\u9fff]{3,4}')) >= 3
"""


def secrets(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every raw phone and ID number the database holds."""
    return {r[0] for r in con.execute(SECRETS_SQL).fetchall()}


def full_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every name of three or more characters (shorter ones are too common as substrings)."""
    return {r[0] for r in con.execute(NAMES_SQL).fetchall()}


def digit_windows(text: str) -> set[str]:
    """Every 8- to 18-character window of every run of digits (and X) in a text: a phone or
    ID number anywhere in the page is one of them."""
    windows = set()
    for run in re.findall(r"[0-9Xx]{8,}", text):
        for size in range(8, min(len(run), 18) + 1):
            windows.update(run[i : i + size] for i in range(len(run) - size + 1))
    return windows
