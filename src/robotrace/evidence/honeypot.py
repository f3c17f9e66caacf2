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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from robotrace.clock import Clock, SystemClock, parse_utc
from robotrace.evidence.columns import HONEYPOT_COLUMNS
from robotrace.numbers import InvalidNumber, normalize, try_normalize
from robotrace.rows import BadRowsError, RowError
from robotrace.store import models

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
    now = (clock or SystemClock()).now()
    calls = _read_calls(Path(path), _known_providers(session))
    for call in calls:
        call["imported_at"] = now
    seen = _imported_refs(session, [call["source_ref"] for call in calls])
    new = [call for call in calls if call["source_ref"] not in seen]
    if new:
        session.execute(insert(models.Call), new)
    return ImportCounts(added=len(new), skipped=len(calls) - len(new))


def _known_providers(session: Session) -> dict[str, int]:
    rows = session.execute(select(models.Provider.ocn, models.Provider.id))
    return {ocn: row_id for ocn, row_id in rows}


def _imported_refs(session: Session, refs: list[str], chunk: int = 500) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(refs), chunk):
        query = select(models.Call.source_ref).where(
            models.Call.source == SOURCE, models.Call.source_ref.in_(refs[start : start + chunk])
        )
        found.update(session.scalars(query))
    return found


def _read_calls(path: Path, providers: dict[str, int]) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for line, row in _numbered_rows(csv.DictReader(handle), path):
            try:
                call = call_values(row, providers)
                _check_unique(call["source_ref"], line, first_line)
            except ValueError as exc:
                errors.append(RowError(str(path), line, str(exc)))
                continue
            calls.append(call)
    if errors:
        raise BadRowsError(errors)
    return calls


def _numbered_rows(reader: csv.DictReader[str], path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows with the line each starts on (a quoted transcript may span several lines)."""
    missing = [column for column in HONEYPOT_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise BadRowsError([RowError(str(path), 1, f"missing column(s): {', '.join(missing)}")])
    line = reader.line_num + 1
    for row in reader:
        yield line, row
        line = reader.line_num + 1


def _check_unique(call_id: str, line: int, first_line: dict[str, int]) -> None:
    if call_id in first_line:
        raise ValueError(f"call_id {call_id} repeats line {first_line[call_id]}")
    first_line[call_id] = line


def call_values(row: dict[str, Any], providers: dict[str, int]) -> dict[str, Any]:
    """One honeypot row → the values of a ``calls`` row; ``ValueError`` says what is wrong."""
    if None in row:
        raise ValueError("more fields than columns")
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


def _provider_id(raw: str, providers: dict[str, int]) -> int:
    ocn = raw.strip().upper()
    if not ocn:
        raise ValueError("terminating_provider is empty")
    if ocn not in providers:
        raise ValueError(f"terminating_provider {ocn} is not a known provider")
    return providers[ocn]
