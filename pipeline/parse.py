"""Parsing inbox files in child processes, so that no file can take the run down.

calamine (behind fastexcel) aborts the whole process when a 5 KB .xlsx declares a cell at
XFD1048576: it tries to allocate a dense range of hundreds of GB. A hostile or broken
file may also exhaust memory in other ways. Each file is therefore parsed in a worker
process with an address-space limit; the worker writes every sheet as an Arrow IPC file
into a private temporary folder and returns only its metadata. If a worker dies, the
files it was parsing are retried one by one in a fresh worker to find the culprit, which
is reported; the other files still load.

Workers are started lazily (a re-run on an unchanged inbox starts none).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import uuid
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .read import Limits, Unreadable, read_workbook

CRASH_REASON = "解析该文件时读取进程异常退出（文件可能被恶意构造或严重损坏，例如声明了超大的单元格范围），已拒绝"


@dataclass
class ParsedSheet:
    name: str
    visibility: str
    ipc_path: str | None
    error: str | None = None
    formula_gaps: list[tuple[int, int]] = field(default_factory=list)

    def grid(self, n_rows: int | None = None) -> pl.DataFrame:
        frame = pl.read_ipc(self.ipc_path, n_rows=n_rows)
        return frame


@dataclass
class ParsedFile:
    path: Path
    format: str | None = None
    sheets: list[ParsedSheet] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # set when the whole file is rejected
    date1904: bool = False


def _init_worker(max_bytes: int) -> None:
    """Limit the worker's address space, and silence its stderr: a parser that aborts
    prints a Rust backtrace there, which would only confuse the analyst (the file is
    reported with a reason instead)."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    except (ImportError, ValueError, OSError):  # not on this platform: parse unbounded
        pass
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _noop() -> None:
    return None


def parse_file(path: str, out_dir: str, limits: Limits) -> dict:
    """Runs in the worker: parse one file, write its sheets as IPC files, return metadata."""
    try:
        workbook = read_workbook(Path(path), limits)
    except Unreadable as error:
        return {"error": str(error)}
    except MemoryError:
        return {"error": "文件展开后超出内存上限，疑似恶意构造或过大，已拒绝"}
    sheets = []
    for sheet in workbook.sheets:
        target = None
        if sheet.error is None:
            target = Path(out_dir) / f"{uuid.uuid4().hex}.arrow"
            sheet.grid.write_ipc(target)
        sheets.append(
            {
                "name": sheet.name,
                "visibility": sheet.visibility,
                "ipc_path": str(target) if target else None,
                "error": sheet.error,
                "formula_gaps": sheet.formula_gaps,
            }
        )
    payload = {"format": workbook.format, "sheets": sheets, "notes": workbook.notes, "date1904": workbook.date1904}
    del workbook
    _release_memory()
    return payload


def _release_memory() -> None:
    """Give the parse's memory back to the system: the worker lives on, idle, while the
    main process loads (measured: 400 MB held after a 1,000,000-row sheet otherwise)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def default_memory_limit() -> int:
    """Address-space limit of a worker: 60 % of RAM, at most 8 GiB, at least 2 GiB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 * 1024**3
    return int(max(2 * 1024**3, min(8 * 1024**3, total * 0.6)))


class Parser:
    """A pool of parse workers. Use as a context manager."""

    def __init__(self, out_dir: Path, workers: int = 1, limits: Limits | None = None, memory_limit: int | None = None):
        self.out_dir = out_dir
        self.workers = max(1, workers)
        self.limits = limits or Limits()
        self.memory_limit = memory_limit or default_memory_limit()
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Parser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.memory_limit,),
        )

    def _pool_for(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = self._new_pool(self.workers)
        return self._pool

    def _result(self, path: Path, payload: dict) -> ParsedFile:
        if "error" in payload:
            return ParsedFile(path=path, error=payload["error"])
        return ParsedFile(
            path=path,
            format=payload["format"],
            sheets=[ParsedSheet(**s) for s in payload["sheets"]],
            notes=payload["notes"],
            date1904=payload["date1904"],
        )

    @property
    def started(self) -> bool:
        return self._pool is not None

    def warm(self) -> None:
        """Start the workers now (they import their modules while the caller does other
        work): a cold run overlaps the worker's start-up with its own."""
        pool = self._pool_for()
        for _ in range(self.workers):
            pool.submit(_noop)

    def start(self, paths: Iterable[Path]) -> dict[Future, Path]:
        """Submit every file; collect the results with `results`."""
        pool = self._pool_for()
        return {pool.submit(parse_file, str(p), str(self.out_dir), self.limits): p for p in paths}

    def results(self, jobs: dict[Future, Path]) -> Iterable[ParsedFile]:
        """One ParsedFile per submitted path, in completion order."""
        suspects: list[Path] = []
        not_done = set(jobs)
        while not_done:
            done, not_done = wait(not_done, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    payload = future.result()
                except BrokenProcessPool:
                    suspects.append(jobs[future])  # every file in flight when a worker died
                    continue
                yield self._result(jobs[future], payload)
        if suspects:
            self._pool = None  # the broken pool's workers are gone
            for path in suspects:  # alone, only the culprit crashes again
                yield self._parse_alone(path)

    def parse(self, paths: Iterable[Path]) -> Iterable[ParsedFile]:
        """Yield one ParsedFile per path, in completion order."""
        yield from self.results(self.start(paths))

    def _parse_alone(self, path: Path) -> ParsedFile:
        pool = self._new_pool(1)
        try:
            payload = pool.submit(parse_file, str(path), str(self.out_dir), self.limits).result()
            return self._result(path, payload)
        except BrokenProcessPool:
            return ParsedFile(path=path, error=CRASH_REASON)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
