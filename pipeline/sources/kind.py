"""A source kind: everything zhian knows about one kind of export, declared once.

Every module of this folder declares one `SourceKind` (its `KIND`), and
`pipeline/sources/__init__.py` lists them. Everything else is derived from these
declarations — nothing lists the kinds again:

- the header classifier: the alias table (`headers`), the columns a sheet must have
  (`required_headers`), the tie-break between kinds (`priority`);
- the fields extracted from a sheet (the values of `headers`) and the normaliser;
- the Pandera model that validates the normalised rows (`pipeline/ingest/validate.py`):
  the table's columns with their types, and the kind's `rules`;
- the table (`table`, `columns`), its DDL, its history table when rows are versioned by
  `key`, and the migrations that add a column declared later (`pipeline/db.py`);
- the load order (`load_rank`) and what a load rebuilds afterwards (`after_load`);
- for records placed in compounds (`records`): attribution, and the one union over all
  records, `loaded_records`, that quality summaries, station maps and checks read.

Adding a source kind = one module with its `KIND` and its normaliser, one line in
`pipeline/sources/__init__.py`, and its tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from zhian.pipeline.values.text import header_key

RAW = "raw__"  # prefix of the cleaned text a typed field was parsed from
PROBLEM = "problem__"  # prefix of a column holding why a field's value is rejected
ROW = "_row"  # the Excel row number (1-based, as Excel shows it)


@dataclass(frozen=True)
class Column:
    """A column of a kind's table: its DuckDB type, and whether it may be empty."""

    name: str
    type: str = "varchar"
    not_null: bool = False
    note: str = ""  # a comment in the generated DDL


# every loaded row says where it came from; records placed in compounds say where they went
PROVENANCE = (
    Column("source_file"),
    Column("source_sheet"),
    Column("source_row", "bigint", note="1-based, as Excel shows it"),
    Column("export_at", "timestamp"),
    Column("file_id", "integer"),
)
ATTRIBUTION = (
    Column("compound"),
    Column("attribution", note="how: 所属小区, 地址, 地址中的小区名"),
    Column("attribution_note", note="why not, when unattributed"),
    Column("doorplate", note="unattributed: the address's road + number, for registry upkeep"),
    Column("suggestion", note="unattributed: the compound the registry suggests (a hint, never used)"),
)

POLARS_TYPES = {
    "varchar": pl.String,
    "timestamp": pl.Datetime("us"),
    "date": pl.Date,
    "boolean": pl.Boolean,
    "bigint": pl.Int64,
    "integer": pl.Int32,
    "double": pl.Float64,
    "decimal(18, 4)": pl.Decimal(18, 4),
    "varchar[]": pl.List(pl.String),
}


@dataclass(frozen=True)
class Rules:
    """What a normalised row needs to be loaded (checked by the kind's Pandera model).

    required: the field's text must be present;
    parsed:   when the text is present, its typed value must be too (a date that parsed, a
              word that mapped); the message template says what was expected
              ({header}: the column as the file spells it, {value}: the text);
    problems: the normaliser's `problem__<field>` column must be empty — its text is the reason.
    """

    required: tuple[str, ...] = ()
    parsed: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


@dataclass
class SheetContext:
    """Where a sheet's rows come from; passed to every kind's `normalise`."""

    source_file: str
    sheet: str
    file_id: int
    export_at: dt.datetime
    headers: dict[str, str]  # field → header as the file spells it
    fields: set[str]  # fields the sheet has a column for
    settings: Any = None  # pipeline.settings.Settings
    notes: list[str] = field(default_factory=list)
    date1904: bool = False  # the workbook counts serial dates from 1904
    carried: bool = False  # the rows are records carried by a sheet of another kind
    # what a field is called where the sheet has no column for it (the kind's first header,
    # or its `labels`): messages never show an internal field name
    labels: dict[str, str] = field(default_factory=dict)

    def header(self, field_name: str) -> str:
        return self.headers.get(field_name) or self.labels.get(field_name) or field_name

    def has(self, field_name: str) -> bool:
        return field_name in self.fields


@dataclass(frozen=True)
class Records:
    """How a kind's rows are records placed in compounds: attributed as they load, counted
    per source (the freshness table shows each source), dated by their own time."""

    record_id: str  # the id column
    time: str  # SQL expression: the record's own date and time
    source: str  # SQL expression: the source a record is counted under
    sources: tuple[tuple[str, str], ...]  # (source, Chinese label), in display order
    position: int  # where the kind's sources come in tables and summaries (1 = first)


Normaliser = Callable[[pl.DataFrame, SheetContext], pl.DataFrame]


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per kind
class SourceKind:
    kind: str  # alerts, cases, penalties, residents, registry, targets (stored in ingest_log, rejected_rows)
    label: str  # Chinese, for messages
    table: str  # the table its valid rows go to
    headers: dict[str, str]  # header text (canonical and aliases) → field
    required_headers: tuple[tuple[str, ...], ...]  # every group needs one of its fields
    priority: int  # tie-break between kinds that both match one header row (lower wins)
    columns: tuple[Column, ...]  # the table's own columns, in order
    normalise: Normaliser  # cleaned text fields → typed columns, raw__ and problem__ columns
    rules: Rules
    # typed fields the rules check that the table does not keep (parsed, then folded into
    # another column): part of the normaliser's contract all the same
    working: tuple[Column, ...] = ()
    key: str | None = None  # one current row per key, earlier versions in <table>_history
    id_field: str | None = None  # the field that identifies a record (a totals row has none)
    load_rank: int = 2  # files holding a lower rank load first (registry 0, targets 1)
    records: Records | None = None  # records placed in compounds (attributed as they load)
    # fields whose value decides a metric: a duplicated header with differing values
    # rejects the row; for other fields the first non-empty value is kept
    conflict_fields: frozenset[str] = frozenset()
    # checks across the rows of a sheet, after validation: rejected-row entries
    cross_row_checks: Callable[[pl.DataFrame, SheetContext], pl.DataFrame] | None = None
    # what the load rebuilds from the table, in the load's transaction
    after_load: Callable[[Any], None] | None = None
    # kinds whose records a sheet of this kind may carry alongside its own (an alert overview
    # lists the case opened from each alert): such a sheet is this kind even when it also
    # satisfies the carried kind, and the carried records load too (prepare.py)
    carries: tuple[str, ...] = ()
    # fields a carried record takes from its carrier's columns when it has none of its own
    # (the case opened from an alert happened at the alert's address)
    lends: tuple[str, ...] = ()
    # versions of one key: a row of a higher rank wins whatever its export time (a case
    # register's row over the same case carried by an alert overview), then the newest export;
    # an empty rank (rows loaded before the column existed) counts as 2
    rank_column: str | None = None
    # Chinese names of fields that no header names (derived ones: 案件类型 of case_kind),
    # for messages about them
    labels: dict[str, str] = field(default_factory=dict)

    # --- headers ---------------------------------------------------------------------------

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields a sheet of this kind can have, in declaration order."""
        return tuple(dict.fromkeys(self.headers.values()))

    def field_labels(self) -> dict[str, str]:
        """Every field's name as a user knows it: its first header, else its `labels` entry;
        every table column gets one."""
        names = {v: k for k, v in reversed(list(self.headers.items()))}
        return {**names, **self.labels}

    def lookup(self, header: str | None) -> str | None:
        key = header_key(header)
        return None if key is None else self._keys().get(key)

    def _keys(self) -> dict[str, str]:
        cached = self.__dict__.get("_key_cache")
        if cached is None:
            cached = {header_key(k): v for k, v in self.headers.items()}
            object.__setattr__(self, "_key_cache", cached)
        return cached

    def missing(self, fields: set[str]) -> list[str]:
        """The required groups not covered, spelled with their first header name."""
        names = {v: k for k, v in reversed(list(self.headers.items()))}
        return [
            "或".join(names.get(f, f) for f in group)
            for group in self.required_headers
            if not any(f in fields for f in group)
        ]

    # --- the table ---------------------------------------------------------------------------

    @property
    def table_columns(self) -> tuple[Column, ...]:
        """Every column of the table: the kind's own, provenance, attribution for records."""
        return (*self.columns, *PROVENANCE, *(ATTRIBUTION if self.records else ()))

    @property
    def history_table(self) -> str | None:
        return f"{self.table}_history" if self.key else None

    def polars_schema(self) -> dict[str, pl.DataType]:
        """The types the normaliser's output must have, column by column (the Pandera model
        checks them)."""
        return {c.name: POLARS_TYPES[c.type] for c in (*self.columns, *self.working)}


def aliases(*groups: tuple[str, tuple[str, ...]]) -> dict[str, str]:
    """An alias table from (field, headers) groups."""
    out: dict[str, str] = {}
    for field_name, headers in groups:
        for header in headers:
            out[header] = field_name
    return out
