"""Preparing inbox files in child processes, so that no file can take the run down and
the work spreads over `--workers` processes.

calamine (behind fastexcel) aborts the whole process when a 5 KB .xlsx declares a cell at
XFD1048576: it tries to allocate a dense range of hundreds of GB. A hostile or broken
file may also exhaust memory in other ways. Each file is therefore read, classified,
normalised and validated (prepare.py) in a worker process with an address-space limit;
the worker writes the frames as Arrow IPC files into a private temporary folder and
returns the reports. If a worker dies, the files it was working on are retried one by one
in a fresh worker to find the culprit, which is reported; the other files still load.

Threads would share one process: calamine releases the GIL, but one abort would end the
run. Processes cost the IPC hand-over (measured in benchmarks/scale.py).

Workers are started lazily (a re-run on an unchanged inbox starts none).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from zhian.pipeline.ingest.prepare import PreparedFile, prepare_file, warm_imports
from zhian.pipeline.settings import Settings

CRASH_REASON = "解析该文件时读取进程异常退出（文件可能被恶意构造或严重损坏，例如声明了超大的单元格范围），已拒绝"


@dataclass(frozen=True)
class Job:
    """One file to prepare: where it is, the name it is reported under, its modification
    time (the export time when the sheet has none)."""

    path: Path
    source_file: str
    mtime: dt.datetime


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


def _warm() -> None:
    warm_imports()


RELEASE_AFTER_BYTES = 5 * 1024 * 1024


def _prepare(job: Job, settings: Settings, out_dir: str, frame_format: str = "arrow") -> PreparedFile:
    """Runs in the worker."""
    try:
        return prepare_file(job.path, job.source_file, job.mtime, settings, Path(out_dir), frame_format)
    finally:
        # after a large file only: a full collection costs ~50 ms once pandas is imported
        if job.path.stat().st_size > RELEASE_AFTER_BYTES:
            _release_memory()


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
    """A pool of workers that prepare files. Use as a context manager."""

    def __init__(
        self,
        out_dir: Path,
        settings: Settings,
        workers: int = 1,
        memory_limit: int | None = None,
        frame_format: str = "arrow",
        one_shot: bool = False,
    ):
        """`one_shot`: the pool serves one set of files (a command's run): once their results
        are in, the workers exit while the caller loads, instead of after it."""
        self.out_dir = out_dir
        self.one_shot = one_shot
        self._leaving: list[ProcessPoolExecutor] = []
        self.frame_format = frame_format
        self.settings = settings
        self.workers = max(1, workers)
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
        for pool in self._leaving:
            pool.shutdown(wait=True)
        self._leaving.clear()

    def release(self) -> None:
        """Let the workers exit now, without waiting for them (a one-shot pool, once its
        files are prepared): their exit (0.3 s) overlaps what the caller does next."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._leaving.append(self._pool)
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

    @property
    def started(self) -> bool:
        return self._pool is not None

    def warm(self, wait_ready: bool = False) -> None:
        """Start the workers now; they import their modules (pandera: 1.1–1.4 s) while the
        caller hashes the inbox and opens the database (or, `wait_ready`, before returning)."""
        pool = self._pool_for()
        futures = [pool.submit(_warm) for _ in range(self.workers)]
        if wait_ready:
            wait(futures)

    def start(self, jobs: Iterable[Job]) -> dict[Future, Job]:
        """Submit every file; collect the results with `results`."""
        pool = self._pool_for()
        return {pool.submit(_prepare, job, self.settings, str(self.out_dir), self.frame_format): job for job in jobs}

    def results(self, futures: dict[Future, Job]) -> Iterable[PreparedFile]:
        """One PreparedFile per submitted job, in completion order."""
        suspects: list[Job] = []
        not_done = set(futures)
        while not_done:
            done, not_done = wait(not_done, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    yield future.result()
                except BrokenProcessPool:
                    suspects.append(futures[future])  # every file in flight when a worker died
        if suspects:
            self._pool = None  # the broken pool's workers are gone
            yield from self._one_by_one(suspects)

    def prepare(self, jobs: Iterable[Job]) -> Iterable[PreparedFile]:
        """Yield one PreparedFile per job, in completion order."""
        yield from self.results(self.start(jobs))

    def _one_by_one(self, jobs: list[Job]) -> Iterable[PreparedFile]:
        """Every file that was in flight or queued when a worker died, alone in a
        one-worker pool: only the culprit crashes it again (then a fresh pool goes on)."""
        pool = None
        try:
            for job in jobs:
                pool = pool or self._new_pool(1)
                try:
                    yield pool.submit(_prepare, job, self.settings, str(self.out_dir), self.frame_format).result()
                except BrokenProcessPool:
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool = None
                    yield PreparedFile(path=job.path, error=CRASH_REASON)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
