"""Ingest over several machines: workers prepare batches of files into a shared folder, one
loader merges them into the database. Pure Python; the Prefect wiring is flows/distributed.py.

The shared folder (every machine mounts it; the inbox may live in it too):

    claims/<sha256>          one per file content ever planned, created exclusively: a file
                             is put in a batch once, however many planners run
    batches/<id>.json        a batch: the files (relative to the inbox), their hash, size, mtime
    staged/<id>/             a prepared batch: its frames (Parquet) and prepared.json; written
                             as staged/.<id>.<random>.tmp and renamed when complete, so the
                             loader never sees half a batch
    loaded/<id>.json         the loader's receipt, written after the batch's commit; the
                             staged folder is then removed

What runs where: `claim_new_files` + `plan_batches` (planner, anywhere), `prepare_batch`
(any worker: parsing, normalising and validating — the expensive part), `load_staged`
(the one machine that holds the DuckDB file; DuckDB has one writer). The loader also checks
each file's hash against the database, so a file is never loaded twice even if the claims
are lost. Files of one batch load in the same transactions a local run would use.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from zhian.pipeline.ingest.batching import pack
from zhian.pipeline.ingest.file_reports import IngestReport
from zhian.pipeline.ingest.inbox import Plan, file_hash, known_file_report, list_inbox, local_time, new_file_report
from zhian.pipeline.ingest.load import load_files
from zhian.pipeline.ingest.prepare import PreparedFile
from zhian.pipeline.ingest.read import SUPPORTED_SUFFIXES
from zhian.pipeline.ingest.workers import Job, Parser
from zhian.pipeline.settings import Settings

# Parse work a batch should hold (issue #9: ≥ ~40 s, so the ~4 s a flow run costs on a
# process worker stays small), and the parse rate used to estimate it from file sizes:
# measured 1.6M alerts (16 × 100k rows, 98 MB of .xlsx) prepared in 12.1 s on one core
# (benchmarks/scale.py workers): 8 MB/s.
BATCH_SECONDS = 40.0
BYTES_PER_SECOND = 8_000_000


@dataclass(frozen=True)
class InboxFile:
    name: str  # relative to the inbox, posix
    content_hash: str
    size: int
    mtime: float

    def path(self, inbox: Path) -> Path:
        return Path(inbox) / self.name


def _folders(shared: Path) -> dict[str, Path]:
    shared = Path(shared)
    folders = {name: shared / name for name in ("claims", "batches", "staged", "loaded")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return folders


@dataclass
class Claims:
    new: list[InboxFile]  # claimed now: to be batched
    passed_over: list[tuple[str, str]]  # (file, why): its content was claimed before


def claim_new_files(inbox: Path, shared: Path) -> Claims:
    """Hash the inbox's files and claim the contents never claimed before (O_EXCL: two
    planners cannot claim the same content). Files of unsupported types are claimed too:
    the loader reports them as skipped, as a local run does. The files passed over are
    returned by name with the reason (the same content already claimed, under which name)."""
    claims = _folders(shared)["claims"]
    paths, _ = list_inbox(Path(inbox))
    result = Claims([], [])
    for path in paths:
        digest = file_hash(path)
        name = path.relative_to(inbox).as_posix()
        try:
            descriptor = os.open(claims / digest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            first = (claims / digest).read_text(encoding="utf-8")
            why = "已处理过（内容未变）" if first == name else f"与“{first}”内容完全相同"
            result.passed_over.append((name, why))
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(name)
        stat = path.stat()
        result.new.append(InboxFile(name, digest, stat.st_size, stat.st_mtime))
    return result


def plan_batches(
    files: list[InboxFile], batch_seconds: float = BATCH_SECONDS, bytes_per_second: float = BYTES_PER_SECOND
) -> list[list[InboxFile]]:
    """Group files into batches of about `batch_seconds` of parse work (estimated from their
    sizes), largest files first; a file larger than a batch is a batch of its own."""
    ordered = sorted(files, key=lambda f: (-f.size, f.name))
    return list(pack(ordered, weight=lambda f: f.size, limit=batch_seconds * bytes_per_second))


def write_batches(shared: Path, batches: list[list[InboxFile]]) -> list[str]:
    """Write each batch's file list; returns the batch ids (sortable by creation)."""
    folder = _folders(shared)["batches"]
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    ids = []
    for index, batch in enumerate(batches):
        batch_id = f"{stamp}-{uuid.uuid4().hex[:8]}-{index:04d}"
        payload = [item.__dict__ for item in batch]
        temporary = folder / f".{batch_id}.tmp"
        temporary.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        temporary.rename(folder / f"{batch_id}.json")
        ids.append(batch_id)
    return ids


def read_batch(shared: Path, batch_id: str) -> list[InboxFile]:
    payload = json.loads((Path(shared) / "batches" / f"{batch_id}.json").read_text(encoding="utf-8"))
    return [InboxFile(**item) for item in payload]


def prepare_batch(inbox: Path, shared: Path, batch_id: str, settings: Settings | None = None) -> Path:
    """Prepare every file of a batch into staged/<id>/ (atomically: temporary folder, then
    rename). Running it again for a staged or loaded batch does nothing."""
    settings = settings or Settings.load()
    folders = _folders(shared)
    final = folders["staged"] / batch_id
    if final.exists() or (folders["loaded"] / f"{batch_id}.json").exists():
        return final
    temporary = folders["staged"] / f".{batch_id}.{uuid.uuid4().hex[:8]}.tmp"
    temporary.mkdir()
    try:
        items = read_batch(shared, batch_id)
        jobs = {item.path(inbox): item for item in items if Path(item.name).suffix.lower() in SUPPORTED_SUFFIXES}
        # in a child process, as locally: a file that crashes the parser is rejected with a
        # reason, the rest of the batch is staged
        with Parser(temporary, settings, workers=1, frame_format="parquet") as parser:
            results = {
                result.path: result
                for result in parser.prepare(
                    Job(path, item.name, local_time(item.mtime)) for path, item in jobs.items()
                )
            }
        prepared = [
            (item, _relative(results[item.path(inbox)], temporary) if item.path(inbox) in jobs else None)
            for item in items
        ]
        staged = [
            {"file": item.__dict__, "prepared": result.to_json() if result is not None else None}
            for item, result in prepared
        ]
        (temporary / "prepared.json").write_text(json.dumps(staged, ensure_ascii=False), encoding="utf-8")
        temporary.rename(final)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return final


def _relative(prepared: PreparedFile, folder: Path) -> PreparedFile:
    """Frame paths relative to the staged folder (another machine mounts it elsewhere)."""
    prepared.valid_paths = [Path(p).relative_to(folder).as_posix() if p else None for p in prepared.valid_paths]
    prepared.rejected_paths = [Path(p).relative_to(folder).as_posix() if p else None for p in prepared.rejected_paths]
    return prepared


def _inside(folder: Path, relative: str | None) -> str | None:
    """A staged frame's path, which must name a file inside its batch's folder."""
    if relative is None:
        return None
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()) or path.suffix != ".parquet":
        raise ValueError(f"a staged batch names a frame outside its folder: {relative}")
    return str(path)


def _rebased(prepared: PreparedFile, folder: Path, path: Path) -> PreparedFile:
    prepared.path = path
    prepared.valid_paths = [_inside(folder, p) for p in prepared.valid_paths]
    prepared.rejected_paths = [_inside(folder, p) for p in prepared.rejected_paths]
    return prepared


def read_staged(folder: Path) -> list[tuple[InboxFile, PreparedFile | None]]:
    """A staged batch as its worker wrote it: JSON and Parquet only — data, never code, so a
    file someone else put in the shared folder cannot run in the loader."""
    staged = json.loads((folder / "prepared.json").read_text(encoding="utf-8"))
    return [
        (InboxFile(**item["file"]), PreparedFile.from_json(item["prepared"]) if item["prepared"] else None)
        for item in staged
    ]


def staged_batches(shared: Path) -> list[str]:
    """Complete batches waiting for the loader, oldest first."""
    folder = _folders(shared)["staged"]
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def load_staged(
    con: duckdb.DuckDBPyConnection, inbox: Path, shared: Path, settings: Settings | None = None
) -> IngestReport:
    """Merge every complete staged batch into the database (the one writer): all of them as
    one set of new files, in the order and transactions a local run over the same files
    would use (so the same versions win); then write each batch's receipt and remove its
    staged folder. A file whose content the database already has (claims lost, a loader
    killed before its receipts) is reported as unchanged or duplicate, not loaded again."""
    settings = settings or Settings.load()
    folders = _folders(shared)
    batch_ids = staged_batches(shared)
    known = dict(
        con.execute("select content_hash, min(source_file) from ingest_files group by content_hash").fetchall()
    )
    work = Plan(Path(inbox), IngestReport())
    prepared_by_path: dict[Path, PreparedFile] = {}
    for batch_id in batch_ids:
        folder = folders["staged"] / batch_id
        for item, prepared in read_staged(folder):
            if item.content_hash in known:
                work.report.files.append(known_file_report(item.name, item.content_hash, known[item.content_hash]))
                continue
            path = item.path(inbox)
            work.new.append((path, new_file_report(path, item.name, item.content_hash)))
            if prepared is not None:
                prepared_by_path[path] = _rebased(prepared, folder, path)
            known[item.content_hash] = item.name
    report = load_files(con, work, prepared_by_path, settings)
    outcomes = {f.source_file: f.outcome for f in report.files}
    for batch_id in batch_ids:
        names = [item.name for item in read_batch(shared, batch_id)]
        receipt = {
            "batch": batch_id,
            "loaded_at": dt.datetime.now().isoformat(timespec="seconds"),
            "files": {name: outcomes.get(name) for name in names},
        }
        (folders["loaded"] / f"{batch_id}.json").write_text(json.dumps(receipt, ensure_ascii=False), encoding="utf-8")
        shutil.rmtree(folders["staged"] / batch_id, ignore_errors=True)
    return report
