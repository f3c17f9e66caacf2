"""One registry of evidence file formats; the built-in ones register themselves like any other.

A format has a name (what ``--format`` takes), a title, where its rows go (``complaints``:
the Parquet analytics store; ``calls``: the SQL ``calls`` table), how it recognises a file from
its first line, and a reader that turns one file into validated rows plus a
:class:`~robotrace.rows.RowError` for every bad row. Readers never coerce silently: a value
they cannot read as documented makes its row bad.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from robotrace.registry import Registry
from robotrace.rows import RowError

if TYPE_CHECKING:
    from robotrace.evidence.complaints import CheckedComplaints

Target = Literal["complaints", "calls"]

#: Called with ``(file, bytes read, bytes in the file)`` while a file is read.
ByteProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may need beyond the file."""

    #: OCN → provider id, for readers of calls (their terminating provider must be known).
    providers: Mapping[str, int] = field(default_factory=dict)
    #: The call time of SIP messages that carry no ``Date`` header (else they are bad rows).
    default_time: datetime | None = None
    #: The OCN of the provider that delivered SIP captures to us, if known.
    terminating_provider: str | None = None
    progress: ByteProgress | None = None


@dataclass
class FileRead:
    """One file read and checked: its good rows, and every bad one.

    ``rejected`` means the file as a whole is unusable (wrong header, not UTF-8, format not
    recognised): none of its rows can be imported, even with ``--skip-bad-rows``.
    """

    file: str
    format: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected: bool = False
    #: The checked complaint rows (readers with target ``complaints``).
    complaints: CheckedComplaints | None = None
    #: Good rows as values of a ``calls`` row (readers with target ``calls``).
    calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def good_rows(self) -> int:
        return self.complaints.good_rows if self.complaints is not None else len(self.calls)

    def reject(self, line: int, reason: str) -> FileRead:
        """Refuse the whole file (and drop whatever rows were read before)."""
        self.errors.append(RowError(self.file, line, reason))
        self.rejected = True
        self.complaints, self.calls = None, []
        return self


#: ``read(path, shown, options)``: ``shown`` is the file's name in messages.
Reader = Callable[[Path, str, ReadOptions], FileRead]


@dataclass(frozen=True)
class EvidenceFormat:
    name: str
    title: str
    target: Target
    #: ``recognises(first_line, path)``: whether a file is of this format.
    recognises: Callable[[str, Path], bool]
    read: Reader


#: The formats by name; the built-in ones first, each imported when first used.
FORMATS: Registry[EvidenceFormat] = Registry(
    "evidence format",
    EvidenceFormat,
    {
        "ftc": "robotrace.evidence.ftc:FTC",
        "fcc": "robotrace.evidence.fcc:FCC",
        "honeypot": "robotrace.evidence.honeypot:HONEYPOT",
        "sip": "robotrace.evidence.sip:SIP",
    },
)


def register(evidence_format: EvidenceFormat) -> EvidenceFormat:
    """Add a format; a name can be registered once."""
    FORMATS.register(evidence_format.name, evidence_format)
    return evidence_format


def evidence_formats() -> dict[str, EvidenceFormat]:
    """Every registered format by name: the built-in ones first, then the others as they
    were registered."""
    return dict(FORMATS.items())


def evidence_format(name: str) -> EvidenceFormat:
    """The format registered as ``name``; ``ValueError`` names the known ones otherwise."""
    return FORMATS[name]


def first_line(path: Path, limit: int = 65_536) -> str:
    """The file's first line without its end or a byte-order mark ('' for an empty file).

    A line ends at CR, LF or CRLF, as the ``csv`` module reads a file: a header ended by a
    lone CR (old Mac files) is cut there, not handed on with the CR inside it."""
    with path.open("rb") as stream:
        head = stream.readline(limit)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    return text.split("\n", 1)[0].split("\r", 1)[0]


def recognise(path: Path) -> EvidenceFormat | None:
    """The one format whose ``recognises`` accepts the file's first line, or None."""
    line = first_line(path)
    found = [f for f in evidence_formats().values() if f.recognises(line, path)]
    return found[0] if len(found) == 1 else None
