"""Evidence uploads for the portal and the API: the file goes to a temporary file (never
whole into memory), then through the same import as ``robotrace evidence import``."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import IO

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.datastructures import State

from robotrace.clock import Clock
from robotrace.evidence.imports import ImportOptions, ImportSummary, evidence_files, import_evidence
from robotrace.web.pages.common import in_savepoint

_CHUNK = 1 << 20


def analytics_dir(request: Request) -> Path:
    """The analytics store of the request's app (:func:`analytics_dir_of`)."""
    return analytics_dir_of(request.app.state)


def analytics_dir_of(state: State) -> Path:
    """The analytics store of an app (``app.state.analytics_dir``, else the ``analytics_dir``
    of the settings it was made with)."""
    configured = getattr(state, "analytics_dir", None)
    return Path(configured or state.settings.analytics_dir)


#: The longest name most file systems take (ext4, NTFS and APFS: 255 bytes or units).
MAX_NAME_BYTES = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PLAIN_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")


class BadFileName(ValueError):
    """The name an upload was sent with cannot be a file's name; the message says why."""


def upload_name(filename: str | None, format_name: str | None) -> str:
    """The uploaded file's own name (folders dropped: old browsers send a full path), for
    messages; a default when it has none. The name is the sender's word: ``.`` or ``..``,
    control characters (NUL, CR, LF …), undecodable bytes and names past 255 bytes are
    refused (:class:`BadFileName`). It never becomes a path: see :func:`upload_path`."""
    name = re.split(r"[/\\]", filename or "")[-1].strip()
    if not name:
        return f"upload.{'sip' if format_name == 'sip' else 'csv'}"
    if name in (".", ".."):
        raise BadFileName(f"the file name {name!r} is not a file name")
    if _CONTROL.search(name):
        raise BadFileName(f"the file name {name[:60]!r} holds a control character (such as NUL)")
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise BadFileName(f"the file name {name[:60]!r} is not valid UTF-8") from None
    if size > MAX_NAME_BYTES:
        raise BadFileName(f"the file name is longer than {MAX_NAME_BYTES} bytes ({size})")
    return name


def upload_path(folder: Path, shown: str) -> Path:
    """Where an upload named ``shown`` is saved in its ``folder``: ``upload`` with the name's
    suffix when it is plain letters and digits (the SIP reader goes by ``.sip``), so nothing
    the sender wrote reaches the file system."""
    suffix = PurePath(shown).suffix
    return folder / ("upload" + (suffix if _PLAIN_SUFFIX.fullmatch(suffix) else ""))


@contextmanager
def upload_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="robotrace-upload-") as folder:
        yield Path(folder)


def save_stream(source: IO[bytes], path: Path) -> None:
    with path.open("wb") as target:
        shutil.copyfileobj(source, target, _CHUNK)


def import_upload(
    db: Session,
    path: Path,
    shown: str,
    format_name: str | None,
    options: ImportOptions,
    store: Path,
    clock: Clock,
) -> ImportSummary:
    """Import one uploaded file (format recognised when ``format_name`` is None); calls are
    written in a savepoint of the request's transaction."""
    files = evidence_files([path], format_name or None, [shown])
    return in_savepoint(db, lambda: import_evidence(files, store, db, options, clock))
