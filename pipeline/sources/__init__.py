"""The registry of source kinds: every kind of export zhian reads, each declared once in its
own module (`KIND`). See `kind.py` for what a declaration holds and what is derived from it.

To add a source kind: write its module (headers, columns, rules, normaliser, `KIND`), add
it to `KINDS` below, and test it.
"""

from __future__ import annotations

from zhian.pipeline.sources import alerts, cases, compound_registry, penalties, residents, targets
from zhian.pipeline.sources.kind import SourceKind

# in the order the header classifier tries them (a tie on fields and priority: the first wins)
KINDS: tuple[SourceKind, ...] = (
    targets.KIND,
    penalties.KIND,
    cases.KIND,
    alerts.KIND,
    residents.KIND,
    compound_registry.KIND,
)
BY_KIND = {kind.kind: kind for kind in KINDS}
# records placed in compounds — alerts, cases, residents — in the order tables show them
RECORD_KINDS = tuple(sorted((kind for kind in KINDS if kind.records), key=lambda kind: kind.records.position))
LABELS = {kind.kind: kind.label for kind in KINDS}
