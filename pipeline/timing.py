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


@contextmanager
def stage(name: str):
    if not ENABLED:
        yield
        return
    begin = time.perf_counter()
    try:
        yield
    finally:
        _RECORDS.append((name, begin - _START, time.perf_counter() - begin))


def mark(name: str) -> None:
    if ENABLED:
        _RECORDS.append((name, time.perf_counter() - _START, 0.0))


def _report() -> None:
    if ENABLED and _RECORDS:
        for name, start, duration in _RECORDS:
            print(f"[timing] {start:7.3f}s +{duration:6.3f}s  {name}", file=sys.stderr)


atexit.register(_report)
