"""File permissions (docs/security.md). What zhian creates is private to its owner — the
database and its WAL, the parse workers' temporary files, an internal report — unless it is
made to be handed on: the dashboard and the masked report get the permissions the user's own
umask would give them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

PRIVATE_UMASK = 0o077
_user_umask: int | None = None


def keep_private() -> None:
    """Create every file owner-only from now on (the command line and the flows call this
    first). Idempotent; remembers the user's umask for `shareable`."""
    global _user_umask
    previous = os.umask(PRIVATE_UMASK)
    if _user_umask is None:
        _user_umask = previous


def shareable(path: Path) -> Path:
    """A masked output: readable as the user's umask allows (typically 0644)."""
    if _user_umask is None:
        return path  # not in private mode: the file already has the user's permissions
    os.chmod(path, 0o666 & ~_user_umask)
    return path


def private(path: Path) -> Path:
    os.chmod(path, 0o600)
    return path


def shared_folder(folder: Path) -> Path:
    """Create an output folder (and its missing parents) with the user's usual permissions."""
    folder = Path(folder)
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    if _user_umask is not None:
        for created in missing:
            os.chmod(created, 0o777 & ~_user_umask)
    return folder


@contextlib.contextmanager
def atomic_file(path: Path, *, shared: bool) -> Iterator[Path]:
    """Yield a temporary path beside `path`; when the block succeeds, give it its permissions
    and rename it into place (a reader never sees half a file); when it fails (disk full …),
    remove it."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    try:
        yield temporary
        shareable(temporary) if shared else private(temporary)
        temporary.replace(path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(error, OSError) and not error.filename:  # say which file could not be written
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise
