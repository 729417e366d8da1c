"""The ingest: every workbook of an inbox into DuckDB, every row accounted for.

    inbox ──hash──▶ new? ──prepare (N worker processes: read, classify by header, extract,
    normalise, validate)──▶ Arrow frames ──▶ load (one writer, batches of files, one
    transaction each: attribute, merge, count)

`inbox.py` lists and hashes, `workers.py` runs `prepare.py` on the worker processes,
`load.py` writes. Nothing in the inbox is modified; a file whose content is already in the
database is skipped, so running twice changes nothing.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from zhian.pipeline.ingest.file_reports import FileReport, IngestReport
from zhian.pipeline.ingest.inbox import plan_files
from zhian.pipeline.ingest.load import load_files
from zhian.pipeline.ingest.prepare import PreparedFile
from zhian.pipeline.ingest.workers import Job, Parser
from zhian.pipeline.settings import Settings
from zhian.pipeline.timing import add, mark, stage


def prepare_files(
    jobs: list[Job], parser: Parser, on_progress: Callable[[str, int, int], None] | None = None
) -> dict[Path, PreparedFile]:
    """Prepare files on the parser's worker processes (largest first, so the workers finish
    together); their frames land as Arrow IPC files."""
    jobs = sorted(jobs, key=lambda job: job.path.stat().st_size, reverse=True)
    futures = parser.start(jobs)
    mark("prepare jobs submitted")
    total_bytes = sum(job.path.stat().st_size for job in jobs) or 1
    done_bytes = 0
    prepared: dict[Path, PreparedFile] = {}
    for result in parser.results(futures):
        for step, seconds in result.seconds.items():
            add(f"prepare: {step} (summed over workers)", seconds)
        prepared[result.path] = result
        done_bytes += result.path.stat().st_size
        if on_progress:
            on_progress("解析", done_bytes, total_bytes)
    if parser.one_shot:
        parser.release()
    return prepared


def ingest(
    inbox: Path,
    con: duckdb.DuckDBPyConnection,
    settings: Settings | None = None,
    on_file: Callable[[FileReport], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    parser: Parser | None = None,
) -> IngestReport:
    """Load every new file of `inbox` into the database behind `con`: plan, prepare, load.
    A caller that can start the workers early (the CLI) passes `parser`."""
    settings = settings or Settings.load()
    with contextlib.ExitStack() as stack:
        if parser is None:
            parser = stack.enter_context(open_parser(settings))

        def warm() -> None:
            if not parser.started:
                parser.warm()
                mark("workers started")

        with stage("plan: list and hash the inbox"):
            work = plan_files(inbox, con, on_new_file=warm)
        jobs = work.jobs
        with stage(f"prepare {len(jobs)} file(s) on {parser.workers} worker(s)"):
            prepared = prepare_files(jobs, parser, on_progress) if jobs else {}
        with stage("load"):
            return load_files(con, work, prepared, settings, on_file, on_progress)


@contextlib.contextmanager
def open_parser(
    settings: Settings, *, warm: bool = False, workers: int | None = None, one_shot: bool = False
) -> Iterator[Parser]:
    """Workers writing into a private temporary folder, removed afterwards (`one_shot`: for
    one ingest, the workers leave as soon as the files are prepared)."""
    with (
        tempfile.TemporaryDirectory(prefix="zhian-") as tmp,
        Parser(Path(tmp), settings, workers or settings.workers, one_shot=one_shot) as parser,
    ):
        if warm:
            parser.warm()
        yield parser
