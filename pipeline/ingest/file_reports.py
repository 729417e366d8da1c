"""What the ingest says about each file and sheet: the reports the terminal, the database
(`ingest_files`, `ingest_log`), the dashboard and the monthly report are made from."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields

from zhian.pipeline.sources import LABELS


@dataclass
class SheetReport:
    sheet: str | None
    visibility: str = "visible"
    kind: str | None = None
    header_row: int | None = None  # 1-based
    export_at: dt.datetime | None = None
    export_time_source: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_blank: int = 0
    rows_total: int = 0
    outcome: str = "loaded"  # loaded, skipped
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    # records of another kind carried by the sheet above it (the cases of an alert overview):
    # its rows are that sheet's rows again, so the file's totals do not count them twice
    carried: bool = False

    @property
    def label(self) -> str:
        return LABELS.get(self.kind or "", "")

    def to_json(self) -> dict:
        data = asdict(self)
        data["export_at"] = self.export_at.isoformat() if self.export_at else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> SheetReport:
        """A report read back from a staged batch (JSON written by a worker): only its own
        fields, each of its own type."""
        names = {f.name for f in fields(cls)}
        if set(data) != names:
            raise ValueError(f"unexpected sheet report fields: {sorted(set(data) ^ names)}")
        values = dict(data)
        values["export_at"] = dt.datetime.fromisoformat(data["export_at"]) if data["export_at"] else None
        for name in ("rows_read", "rows_loaded", "rows_rejected", "rows_blank", "rows_total"):
            if not isinstance(values[name], int):
                raise ValueError(f"{name} is not a count")
        if not all(isinstance(note, str) for note in values["notes"]):
            raise ValueError("notes are not texts")
        return cls(**values)


@dataclass
class FileReport:
    source_file: str
    content_hash: str | None = None
    format: str | None = None
    outcome: str = "loaded"  # loaded, partly_loaded, rejected, skipped, unchanged, duplicate
    reason: str | None = None
    sheets: list[SheetReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file_id: int | None = None
    rows_unattributed: int = 0

    @property
    def own_sheets(self) -> list[SheetReport]:
        """The sheets as the file holds them (not the records they carry for another kind)."""
        return [s for s in self.sheets if not s.carried]

    @property
    def rows_loaded(self) -> int:
        return sum(s.rows_loaded for s in self.own_sheets)

    @property
    def rows_rejected(self) -> int:
        return sum(s.rows_rejected for s in self.own_sheets)

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.own_sheets)

    @property
    def rows_ignored(self) -> int:
        return sum(s.rows_blank + s.rows_total for s in self.own_sheets)


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    ignored_files: int = 0  # Office lock files (~$…) and hidden files, skipped silently

    @property
    def new_files(self) -> list[FileReport]:
        return [f for f in self.files if f.outcome not in ("unchanged", "duplicate")]
