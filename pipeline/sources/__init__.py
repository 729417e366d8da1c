"""The registry of source kinds: every kind of export zhian reads, each declared once in its
own module (`KIND`). See `kind.py` for what a declaration holds and what is derived from it.

To add a source kind: write its module (headers, columns, rules, normaliser, `KIND`), add
it to `KINDS` below, and test it.
"""

from __future__ import annotations

import functools

from zhian.pipeline.sources import (
    alerts,
    cases,
    compound_registry,
    facilities,
    five_haves,
    ledger,
    penalties,
    phases,
    residents,
    surveys,
    targets,
)
from zhian.pipeline.sources.kind import SourceKind

# in the order the header classifier tries them (a tie on fields and priority: the first wins)
KINDS: tuple[SourceKind, ...] = (
    targets.KIND,
    penalties.KIND,
    cases.KIND,
    alerts.KIND,
    residents.KIND,
    compound_registry.KIND,
    # the campaign ledgers (seeds 000–004)
    phases.KIND,
    ledger.KIND,
    facilities.KIND,
    five_haves.KIND,
    surveys.KIND,
)
BY_KIND = {kind.kind: kind for kind in KINDS}
# records placed in compounds — alerts, cases, residents — in the order tables show them
RECORD_KINDS = tuple(sorted((kind for kind in KINDS if kind.records), key=lambda kind: kind.records.position))
LABELS = {kind.kind: kind.label for kind in KINDS}


def rejected_field(kind_name: str | None, header: str | None) -> tuple[str | None, str | None]:
    """The field and column type a rejected cell's header names (the header as the file spells
    it, or a field's Chinese label): what `masking.mask_rejected` needs to know its shape.
    (None, None) when the header names no field of the kind; a header naming a date or a time
    is then taken as one."""
    from zhian.pipeline.values.text import header_key

    key = header_key(header)
    if kind_name not in BY_KIND or key is None:
        return None, None
    names, types = _fields_by_header(kind_name)
    field = names.get(key)
    if field is None:
        return None, "timestamp" if any(word in key for word in ("日期", "时间")) else None
    return field, types.get(field, "timestamp" if field.endswith(("_at", "_date", "_time")) else None)


@functools.cache
def _fields_by_header(kind_name: str) -> tuple[dict[str, str], dict[str, str]]:
    from zhian.pipeline.values.text import header_key

    kind = BY_KIND[kind_name]
    names = {header_key(text): field for text, field in kind.headers.items()}
    names.update({header_key(label): field for field, label in kind.field_labels().items()})
    return names, {column.name: column.type for column in kind.columns}
