"""The inbox: its files, their content hashes, and which of them are new.

Nothing in the inbox is modified. A file whose content hash is already in the database is
skipped (unchanged, or a copy under another name), so running twice changes nothing.
Office lock files (`~$…`) and hidden files are counted, never read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from zhian.pipeline.ingest.file_reports import FileReport, IngestReport
from zhian.pipeline.ingest.read import SUPPORTED_SUFFIXES
from zhian.pipeline.ingest.workers import Job

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def local_time(timestamp: float) -> dt.datetime:
    """A file time as the station's wall clock (Asia/Shanghai), to the second."""
    return dt.datetime.fromtimestamp(timestamp, LOCAL_TZ).replace(tzinfo=None, microsecond=0)


def file_mtime(path: Path) -> dt.datetime:
    return local_time(path.stat().st_mtime)


def list_inbox(inbox: Path) -> tuple[list[Path], int]:
    """Candidate files (sorted, recursive) and the number of lock/hidden files ignored."""
    candidates: list[Path] = []
    ignored = 0
    for root, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("~$") or name.startswith("."):
                ignored += 1
                continue
            candidates.append(Path(root) / name)
    return candidates, ignored


@dataclass
class Plan:
    """What an ingest has to do: the inbox's files, each new one with its report."""

    inbox: Path
    report: IngestReport
    new: list[tuple[Path, FileReport]] = field(default_factory=list)

    @property
    def jobs(self) -> list[Job]:
        return [
            Job(path, file_report.source_file, file_mtime(path))
            for path, file_report in self.new
            if file_report.outcome == "loaded"
        ]


def known_file_report(name: str, digest: str, loaded_as: str) -> FileReport:
    """A file whose content the database already has: unchanged, or a copy under another name."""
    if loaded_as == name:
        return FileReport(name, digest, outcome="unchanged")
    return FileReport(name, digest, outcome="duplicate", reason=f"与已载入的“{loaded_as}”内容完全相同")


def new_file_report(path: Path, name: str, digest: str) -> FileReport:
    """A new file: to be loaded, or skipped for its type."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return FileReport(name, digest, outcome="skipped", reason="不支持的文件类型（只读取.xlsx、.xls、.csv）")
    return FileReport(name, digest)


def plan_files(inbox: Path, con: duckdb.DuckDBPyConnection, on_new_file: Callable[[], None] | None = None) -> Plan:
    """List the inbox and hash every file; files whose content is already in the database
    are reported as unchanged (or duplicate) and will not be parsed. Writes nothing."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"收件箱文件夹不存在：{inbox}")
    candidates, ignored = list_inbox(inbox)
    result = Plan(inbox, IngestReport(ignored_files=ignored))
    known = dict(
        con.execute("select content_hash, min(source_file) from ingest_files group by content_hash").fetchall()
    )
    seen_now: dict[str, str] = {}
    for path in candidates:
        name = path.relative_to(inbox).as_posix()
        digest = file_hash(path)
        if digest in known:
            result.report.files.append(known_file_report(name, digest, known[digest]))
            continue
        if not seen_now and on_new_file:
            on_new_file()  # the CLI starts the workers now: they import while we hash the rest
        if digest in seen_now:
            file_report = FileReport(name, digest, outcome="duplicate", reason=f"与“{seen_now[digest]}”内容完全相同")
        else:
            seen_now[digest] = name
            file_report = new_file_report(path, name, digest)
        result.new.append((path, file_report))
    return result
