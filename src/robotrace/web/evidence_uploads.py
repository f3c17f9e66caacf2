"""Evidence uploads for the portal and the API: the file goes to a temporary file (never
whole into memory), then through the same import as ``robotrace evidence import``."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import IO

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.datastructures import State

from robotrace import settings
from robotrace.clock import Clock
from robotrace.evidence.imports import ImportOptions, ImportSummary, evidence_files, import_evidence
from robotrace.web.pages.common import in_savepoint

_CHUNK = 1 << 20


def analytics_dir(request: Request) -> Path:
    """The analytics store of the request's app (:func:`analytics_dir_of`)."""
    return analytics_dir_of(request.app.state)


def analytics_dir_of(state: State) -> Path:
    """The analytics store of an app (``app.state.analytics_dir``, else the setting)."""
    configured = getattr(state, "analytics_dir", None)
    return Path(configured or settings.get("analytics_dir"))


def upload_name(filename: str | None, format_name: str | None) -> str:
    """The uploaded file's own name (no folders), for messages; a default when it has none."""
    name = PurePath((filename or "").replace("\\", "/")).name.strip()
    return name or f"upload.{'sip' if format_name == 'sip' else 'csv'}"


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
