"""The alert code table: tree codes and names of 110 natures → nature, category, offence.

Real 110 exports code an alert's nature as a node of a tree (`J020000`, `02030100`,
`caseType110200700`, `行政（治安）类警情`). `config/alert_codes.csv` is the editable table
(shipped default built from code-tables.json by `build_code_tables.py`):

    code,name,nature,category,offence,source

A blank nature/category/offence is inherited from the parent node, so changing one top
row (e.g. making 交通类警情 count as 报警) changes its whole subtree. Parents:
numeric codes drop their last two digits (`020301` → `0203` → `02`), 8-digit codes are
6-digit codes padded with `00`; J-codes zero their last non-zero pair
(`J020702` → `J020700` → `J020000`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from zhian.pipeline.values.text import compact, split_code_name

DEFAULT_TABLE = Path(__file__).parent.parent / "config" / "alert_codes.csv"


@dataclass(frozen=True)
class Resolved:
    nature: str | None
    category: str | None
    offence: str | None
    label: str | None  # the node's name, kept as the alert type
    code: str | None


def _parent(code: str) -> str | None:
    if code.startswith("J") and len(code) == 7:
        pairs = [code[1:3], code[3:5], code[5:7]]
        for i in (2, 1):
            if pairs[i] != "00":
                pairs[i] = "00"
                return "J" + "".join(pairs)
        return None
    if code.isdigit() and len(code) > 2 and len(code) % 2 == 0:
        return code[:-2]
    return None


class CodeTable:
    def __init__(self, rows: list[dict[str, str]]):
        self.rows = {r["code"]: r for r in rows if r.get("code")}
        self._by_name: dict[str, str | None] = {}
        for code, row in self.rows.items():
            name = compact(row.get("name"))
            if not name:
                continue
            resolved = self._resolve_code(code)
            if name in self._by_name:
                other = self._by_name[name]
                if other is not None:
                    mine = (resolved.nature, resolved.category, resolved.offence)
                    theirs = self._resolve_code(other)
                    if mine != (theirs.nature, theirs.category, theirs.offence):
                        self._by_name[name] = None  # ambiguous name: not usable alone
            else:
                self._by_name[name] = code

    @classmethod
    def load(cls, path: Path = DEFAULT_TABLE) -> CodeTable:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return cls(list(csv.DictReader(handle)))

    def _inherited(self, code: str, field: str) -> str | None:
        current: str | None = code
        while current is not None:
            row = self.rows.get(current)
            if row and (row.get(field) or "").strip():
                return row[field].strip()
            current = _parent(current)
        return None

    def _resolve_code(self, code: str) -> Resolved:
        return Resolved(
            nature=self._inherited(code, "nature"),
            category=self._inherited(code, "category"),
            offence=self._inherited(code, "offence"),
            label=self.rows[code].get("name") or None,
            code=code,
        )

    def _known_code(self, code: str) -> str | None:
        """The code itself, or the nearest known ancestor (8-digit padding stripped)."""
        current: str | None = code
        while current is not None:
            if current in self.rows:
                return current
            current = _parent(current)
        return None

    def resolve(self, value: str | None, *, by_name: bool = True) -> Resolved | None:
        """Resolve a code, a `代码-名称` value or (with `by_name`) a node name whose
        meaning is unambiguous in the table; None when unknown. Subtype columns pass
        `by_name=False`: a bare `盗窃` says nothing about criminal vs public order."""
        word = compact(value)  # full-width （） are () from here on, as in the name index
        if word is None:
            return None
        if word in self.rows:
            return self._resolve_code(word)
        code, name = split_code_name(word)
        candidates = [c for c in (code, word) if c and re.fullmatch(r"[A-Za-z]*\d+", c)]
        for candidate in candidates:
            known = self._known_code(candidate.upper() if candidate[0] == "j" else candidate)
            if known:
                return self._resolve_code(known)
        if not by_name:
            return None
        for text in (name, word):
            found = self._by_name.get(text) if text else None
            if found:
                return self._resolve_code(found)
        return None


@lru_cache(maxsize=8)
def load_table(path: str | None = None) -> CodeTable:
    return CodeTable.load(Path(path) if path else DEFAULT_TABLE)
