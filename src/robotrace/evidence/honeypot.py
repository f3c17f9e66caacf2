"""Import the calls a honeypot received (``honeypot.csv``) into the ``calls`` table.

Columns: ``call_id, calling_number, called_number, call_time, terminating_provider,
transcript, identity, recording``. The calling number is kept as received and normalised
where it can be (spoofed caller IDs often cannot); the called number must be a valid
number and the terminating provider a known OCN. Every bad row is reported and then
nothing is written; rows already imported (same ``call_id``) are skipped, so importing a
file twice adds nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from robotrace.clock import Clock, parse_utc
from robotrace.csvlines import first_bad_utf8_line
from robotrace.evidence.calls import add_calls, known_providers
from robotrace.evidence.columns import HONEYPOT_COLUMNS
from robotrace.evidence.csvfile import counted
from robotrace.evidence.registry import EvidenceFormat, FileRead, ReadOptions
from robotrace.numbers import InvalidNumber, normalize, try_normalize
from robotrace.rows import BadRowsError, RowError

__all__ = ["HONEYPOT_COLUMNS", "ImportCounts", "call_values", "import_honeypot_csv", "read"]

SOURCE = "honeypot"
_MAX_LENGTHS = {"call_id": 128, "calling_number": 64, "called_number": 64, "recording": 500}


@dataclass(frozen=True)
class ImportCounts:
    added: int = 0
    skipped: int = 0


def import_honeypot_csv(session: Session, path: Path, clock: Clock | None = None) -> ImportCounts:
    """Add the calls of ``path`` not yet in the store; :class:`BadRowsError` if any row is bad.

    Nothing is committed here: the caller's transaction holds the whole import.
    """
    found = read(Path(path), str(path), ReadOptions(providers=known_providers(session)))
    if found.errors:
        raise BadRowsError(found.errors)
    (added,) = add_calls(session, [found.calls], clock)
    return ImportCounts(added=added, skipped=len(found.calls) - added)


def read(path: Path, shown: str, options: ReadOptions) -> FileRead:
    """Every row of a honeypot file as ``calls`` values, and every bad row."""
    found = FileRead(shown, SOURCE)
    try:
        with io.TextIOWrapper(
            counted(path, shown, options.progress), "utf-8-sig", newline=""
        ) as text:
            return _read_rows(csv.DictReader(text), found, options)
    except UnicodeDecodeError:
        return found.reject(first_bad_utf8_line(path) or 1, "line is not valid UTF-8")
    except csv.Error as exc:
        return found.reject(1, f"cannot read CSV: {exc}")


def _read_rows(reader: csv.DictReader[str], found: FileRead, options: ReadOptions) -> FileRead:
    missing = [c for c in HONEYPOT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return found.reject(1, f"missing column(s): {', '.join(missing)}")
    first_line: dict[str, int] = {}
    for line, row in _numbered_rows(reader):
        found.rows += 1
        try:
            call = call_values(row, options.providers)
            _check_unique(call["source_ref"], line, first_line)
        except ValueError as exc:
            found.errors.append(RowError(found.file, line, str(exc)))
            continue
        found.calls.append(call)
    return found


def _numbered_rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows with the line each starts on (a quoted transcript may span several lines)."""
    line = reader.line_num + 1
    for row in reader:
        yield line, row
        line = reader.line_num + 1


def _check_unique(call_id: str, line: int, first_line: dict[str, int]) -> None:
    if call_id in first_line:
        raise ValueError(f"call_id {call_id} repeats line {first_line[call_id]}")
    first_line[call_id] = line


def call_values(row: dict[str, Any], providers: Mapping[str, int]) -> dict[str, Any]:
    """One honeypot row → the values of a ``calls`` row; ``ValueError`` says what is wrong."""
    if None in row:
        raise ValueError("more fields than columns")
    if None in row.values():
        raise ValueError("fewer fields than columns")
    text = {column: row.get(column) or "" for column in HONEYPOT_COLUMNS}
    _check_lengths(text)
    call_id = text["call_id"].strip()
    if not call_id:
        raise ValueError("call_id is empty")
    return {
        "source": SOURCE,
        "source_ref": call_id,
        "calling_number": text["calling_number"],
        "calling_e164": try_normalize(text["calling_number"]),
        "called_number": text["called_number"],
        "called_e164": _called_e164(text["called_number"]),
        "call_time": _call_time(text["call_time"]),
        "terminating_provider_id": _provider_id(text["terminating_provider"], providers),
        "transcript": text["transcript"],
        "identity": text["identity"].strip() or None,
        "recording": text["recording"].strip() or None,
    }


def _check_lengths(text: dict[str, str]) -> None:
    for column, limit in _MAX_LENGTHS.items():
        if len(text[column]) > limit:
            raise ValueError(f"{column} is longer than {limit} characters")


def _called_e164(raw: str) -> str:
    try:
        return normalize(raw)
    except InvalidNumber as exc:
        raise ValueError(f"called_number: {exc}") from None


def _call_time(raw: str) -> datetime:
    try:
        return parse_utc(raw)
    except ValueError as exc:
        raise ValueError(f"call_time: {exc}") from None


def _provider_id(raw: str, providers: Mapping[str, int]) -> int:
    key = raw.strip().upper()
    if not key:
        raise ValueError("terminating_provider is empty")
    if key not in providers:
        raise ValueError(f"terminating_provider {key} is not a known provider")
    return providers[key]


def recognises(first_line: str, path: Path) -> bool:
    header = {h.strip() for h in next(csv.reader([first_line]), [])}
    return {"call_id", "calling_number", "called_number", "call_time"} <= header


HONEYPOT = EvidenceFormat(
    name="honeypot",
    title="honeypot call records (CSV)",
    target="calls",
    recognises=recognises,
    read=read,
)
