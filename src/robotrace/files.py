"""Writing a file whole or not at all, and holding a folder's import lock."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` (this process's own) to write to; renamed over
    ``path`` when the block ends without error, removed when it raises — so readers see the
    old file or the whole new one."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_whole(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` whole or not at all (:func:`written_whole`)."""
    with written_whole(path) as partial:
        if isinstance(data, str):
            partial.write_text(data, encoding="utf-8")
        else:
            partial.write_bytes(data)


#: The lock file in a folder that imports and backups take turns over.
LOCK = ".import.lock"


@contextmanager
def import_lock(folder: Path) -> Iterator[None]:
    """Exclusive use of the files under ``folder``: one import (or backup) at a time."""
    with (folder / LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
