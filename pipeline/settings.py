"""Settings: the shipped defaults (`config/settings.toml`, the one place a default is
written, every key documented there), overridable by a TOML file (`--config FILE`).
"""

from __future__ import annotations

import csv
import fnmatch
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zhian.pipeline.values.text import clean
from zhian.pipeline.values.vocab import category_word, nature_word

CONFIG_DIR = Path(__file__).parent / "config"
DEFAULT_SETTINGS = CONFIG_DIR / "settings.toml"


@dataclass(frozen=True)
class SheetDeclaration:
    """An alert sheet exported without a category column, declared by the analyst."""

    file_pattern: str
    sheet_pattern: str
    nature: str | None
    category: str | None
    alert_type: str | None

    def matches(self, source_file: str, sheet: str) -> bool:
        return fnmatch.fnmatch(source_file, self.file_pattern) and fnmatch.fnmatch(sheet, self.sheet_pattern)


@dataclass(frozen=True)
class Limits:
    """What a workbook may expand to before it is rejected as hostile (docs/security.md)."""

    max_zip_entries: int
    max_uncompressed_bytes: int
    max_ratio: float  # a deflate bomb reaches ~1000:1; real sheets 5-50:1
    ratio_floor_bytes: int  # the ratio is checked above this size
    max_rows: int
    max_columns: int
    max_text_bytes: int  # CSV / HTML / XML


@dataclass(frozen=True)
class Settings:
    alert_codes: Path
    sheet_types: Path | None
    economic_frauds: tuple[str, ...]
    verified_time_means_accurate: bool
    workers: int
    load_batch_rows: int
    load_batch_files: int
    limits: Limits

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """The shipped defaults, then the keys of `path` (relative paths are relative to that file)."""
        if path is None:
            return default_settings()
        return cls._read(path)

    @classmethod
    def _read(cls, path: Path | None) -> Settings:
        values: dict = {}
        limits: dict = {}
        for source in [DEFAULT_SETTINGS, path]:
            if source is None:
                continue
            with open(source, "rb") as handle:
                data = tomllib.load(handle)
            base = Path(source).parent
            for key, value in data.get("ingest", {}).items():
                if key in ("alert_codes", "sheet_types") and value:
                    value = (base / value) if not Path(value).is_absolute() else Path(value)
                if key == "economic_frauds":
                    value = tuple(value)
                values[key] = value
            limits.update(data.get("limits", {}))
        if not values.get("sheet_types"):
            values["sheet_types"] = None
        return cls(**values, limits=Limits(**limits))

    def sheet_declarations(self) -> list[SheetDeclaration]:
        if self.sheet_types is None or not Path(self.sheet_types).exists():
            return []
        declarations = []
        with open(self.sheet_types, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                declarations.append(
                    SheetDeclaration(
                        file_pattern=clean(row.get("文件")) or "*",
                        sheet_pattern=clean(row.get("工作表")) or "*",
                        nature=nature_word(clean(row.get("警情性质"))),
                        category=category_word(clean(row.get("警情类别"))),
                        alert_type=clean(row.get("警情类型")),
                    )
                )
        return declarations

    def declared_for(self, source_file: str, sheet: str) -> dict[str, str] | None:
        for declaration in self.sheet_declarations():
            if declaration.matches(source_file, sheet):
                return {
                    "nature": declaration.nature,
                    "category": declaration.category,
                    "alert_type": declaration.alert_type,
                }
        return None


@cache
def default_settings() -> Settings:
    """The shipped settings (read once)."""
    return Settings._read(None)
