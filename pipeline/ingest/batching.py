"""The one batching rule of the ingest: consecutive items into groups, each up to a total
weight and a number of items; an item heavier than the limit is a group by itself, and an
item that must travel alone (a registry or targets file: everything after it depends on
it) is too. The caller orders the items and says what weighs:

- loading (`load.py`): files in load order, weighed by their valid rows — one DuckDB
  transaction per group (`load_batch_rows`, `load_batch_files` in the settings);
- a work pool (`distributed.py`): files largest first, weighed by their size — one parse
  run per group of about `batch_seconds` of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")


def pack(
    items: Iterable[Item],
    weight: Callable[[Item], float],
    limit: float,
    max_items: int | None = None,
    alone: Callable[[Item], bool] = lambda item: False,
) -> Iterator[list[Item]]:
    """Groups of consecutive items, in order (see the module docstring)."""
    group: list[Item] = []
    total = 0.0
    for item in items:
        single = alone(item)
        full = total + weight(item) > limit or (max_items is not None and len(group) >= max_items)
        if group and (single or full):
            yield group
            group, total = [], 0.0
        group.append(item)
        total += weight(item)
        if single:
            yield group
            group, total = [], 0.0
    if group:
        yield group
