"""Importing evidence files: read and check every file, then write — or, with bad rows,
write nothing unless asked to skip them.

Complaints (FTC, FCC) go to the Parquet analytics store (:mod:`robotrace.evidence.analytics`),
calls (honeypot, SIP) to the SQL ``calls`` table in the caller's transaction. Every import is
idempotent: rows already stored are counted as skipped, not added again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from robotrace.clock import Clock, SystemClock
from robotrace.evidence.analytics import add_complaints
from robotrace.evidence.calls import add_calls, known_providers
from robotrace.evidence.complaints import CheckedComplaints
from robotrace.evidence.registry import (
    ByteProgress,
    EvidenceFormat,
    FileRead,
    ReadOptions,
    evidence_format,
    recognise,
)
from robotrace.rows import RowError


@dataclass(frozen=True)
class EvidenceFile:
    """A file to import, the name it goes by in messages, and its format (None: unknown)."""

    path: Path
    shown: str
    format: EvidenceFormat | None


def evidence_files(
    paths: Sequence[Path], format_name: str | None = None, shown: Sequence[str] | None = None
) -> list[EvidenceFile]:
    """The files with their formats: ``format_name`` for all, else each one recognised by its
    first line. ``shown`` renames them in messages (uploads)."""
    chosen = evidence_format(format_name) if format_name else None
    names = list(shown) if shown is not None else [str(p) for p in paths]
    return [
        EvidenceFile(path, name, chosen or recognise(path))
        for path, name in zip(paths, names, strict=True)
    ]


def needs_database(files: Sequence[EvidenceFile]) -> bool:
    return any(f.format is not None and f.format.target == "calls" for f in files)


@dataclass
class FileSummary:
    file: str
    format: str | None
    target: str | None
    rows: int = 0
    added: int = 0
    skipped: int = 0
    bad_rows: int = 0
    rejected: bool = False
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "target": self.target,
            "rows": self.rows,
            "added": self.added,
            "skipped": self.skipped,
            "bad_rows": self.bad_rows,
            "rejected": self.rejected,
            "errors": [error_dict(e) for e in self.errors],
        }


def error_dict(error: RowError) -> dict[str, Any]:
    return {"file": error.file, "line": error.line, "reason": error.reason}


@dataclass
class ImportSummary:
    """What an import did: per file, and in total. ``written`` is False when it wrote nothing
    because of bad rows (without ``skip_bad_rows``)."""

    files: list[FileSummary]
    written: bool = False

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)

    @property
    def bad_rows(self) -> int:
        return sum(f.bad_rows for f in self.files)

    @property
    def errors(self) -> list[RowError]:
        return [e for f in self.files for e in f.errors]

    @property
    def rejected(self) -> bool:
        """Whether any file, or (when nothing was written) any row, was refused."""
        return any(f.rejected for f in self.files) or (not self.written and bool(self.errors))

    def as_dict(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "added": self.added,
            "skipped": self.skipped,
            "bad_rows": self.bad_rows,
            "files": [f.as_dict() for f in self.files],
        }


@dataclass(frozen=True)
class ImportOptions:
    skip_bad_rows: bool = False
    default_time: datetime | None = None
    terminating_provider: str | None = None
    progress: ByteProgress | None = None


def import_evidence(
    files: Sequence[EvidenceFile],
    analytics_dir: str | Path,
    session: Session | None = None,
    options: ImportOptions | None = None,
    clock: Clock | None = None,
) -> ImportSummary:
    """Read and check every file, then store the good rows (see the module's docstring).

    ``session`` is needed when a file holds calls; nothing is committed here.
    """
    options = options or ImportOptions()
    if needs_database(files) and session is None:
        raise ValueError("importing calls needs a database session")
    read_options = ReadOptions(
        providers=known_providers(session) if session is not None else {},
        default_time=options.default_time,
        terminating_provider=options.terminating_provider,
        progress=options.progress,
    )
    reads = [_read(f, read_options) for f in files]
    summary = ImportSummary([_summary(r, f) for r, f in zip(reads, files, strict=True)])
    if any(r.errors for r in reads) and not options.skip_bad_rows:
        return summary
    _store(reads, summary, files, Path(analytics_dir), session, clock or SystemClock())
    summary.written = True
    return summary


def _read(file: EvidenceFile, options: ReadOptions) -> FileRead:
    if file.format is None:
        found = FileRead(file.shown, "?")
        return found.reject(
            1, "cannot tell the evidence format from the first line; name the format"
        )
    return file.format.read(file.path, file.shown, options)


def _summary(read: FileRead, file: EvidenceFile) -> FileSummary:
    target = file.format.target if file.format else None
    good = 0 if read.rejected else read.good_rows
    return FileSummary(
        file=read.file,
        format=file.format.name if file.format else None,
        target=target,
        rows=read.rows,
        bad_rows=read.rows - good,
        rejected=read.rejected,
        errors=list(read.errors),
    )


def _store(
    reads: Sequence[FileRead],
    summary: ImportSummary,
    files: Sequence[EvidenceFile],
    analytics_dir: Path,
    session: Session | None,
    clock: Clock,
) -> None:
    """Write the good rows of the files that were not rejected; count them per file."""
    usable = [
        (read, line, file.format.target)
        for read, line, file in zip(reads, summary.files, files, strict=True)
        if not read.rejected and file.format is not None
    ]
    calls = [(r, s) for r, s, target in usable if target == "calls"]
    if calls and session is not None:
        added = add_calls(session, [r.calls for r, _ in calls], clock)
        _count(calls, added)
    complaints = [(r, s) for r, s, target in usable if target == "complaints"]
    if complaints:
        tables = [_table(r) for r, _ in complaints]
        _count(complaints, add_complaints(tables, analytics_dir, clock.now()))


def _table(read: FileRead) -> CheckedComplaints:
    if read.complaints is None:
        raise ValueError(f"{read.file}: the {read.format} reader returned no table")
    return read.complaints


def _count(pairs: Sequence[tuple[FileRead, FileSummary]], added: Sequence[int]) -> None:
    for (read, line), count in zip(pairs, added, strict=True):
        line.added, line.skipped = count, read.good_rows - count
