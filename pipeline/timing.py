"""Stage timings for benchmarks: `ZHIAN_TIMINGS=1 zhian …` prints where a run spends its
time on stderr (stage name, start offset and duration). Off by default, free when off."""

from __future__ import annotations

import atexit
import os
import sys
import time
from contextlib import contextmanager

ENABLED = bool(os.environ.get("ZHIAN_TIMINGS"))
_START = time.perf_counter()
_RECORDS: list[tuple[str, float, float]] = []
_TOTALS: dict[str, list] = {}  # name → [seconds, count]: work summed over files and workers


@contextmanager
def _timed(done):
    """Time the block; `done(begin, seconds)` records it (nothing at all when off)."""
    if not ENABLED:
        yield
        return
    begin = time.perf_counter()
    try:
        yield
    finally:
        done(begin, time.perf_counter() - begin)


@contextmanager
def stage(name: str):
    with _timed(lambda begin, seconds: _RECORDS.append((name, begin - _START, seconds))):
        yield


def add(name: str, seconds: float) -> None:
    """Add to a summed stage (e.g. the validation time of every file, on every worker)."""
    if ENABLED:
        total = _TOTALS.setdefault(name, [0.0, 0])
        total[0] += seconds
        total[1] += 1


@contextmanager
def total(name: str):
    """Time a block into a summed stage."""
    with _timed(lambda begin, seconds: add(name, seconds)):
        yield


def mark(name: str) -> None:
    if ENABLED:
        _RECORDS.append((name, time.perf_counter() - _START, 0.0))


def _report() -> None:
    if ENABLED and _RECORDS:
        for name, start, duration in _RECORDS:
            print(f"[timing] {start:7.3f}s +{duration:6.3f}s  {name}", file=sys.stderr)
    if ENABLED:
        for name, (seconds, count) in _TOTALS.items():
            print(f"[timing]   total +{seconds:6.3f}s  {name} ({count}×)", file=sys.stderr)


atexit.register(_report)
