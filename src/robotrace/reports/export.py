"""The export of consumer reports: a CSV in the FTC's Do Not Call format — its eight public
columns exactly, one row per report — and nothing about who reported, what they were told,
their own number or the reference. ``robotrace evidence import`` reads it back as FTC data.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.csvcells import safe_row
from robotrace.evidence.columns import FTC_COMPLAINT_COLUMNS
from robotrace.reports.evidence import public_row
from robotrace.store import models

_BATCH = 1000


def public_rows(
    session: Session, start: date | None = None, end: date | None = None
) -> Iterator[dict[str, str]]:
    """The public rows of the reports received in ``[start, end)`` (UTC days), oldest first."""
    report = models.ConsumerReport
    query = select(report).order_by(report.received_at, report.id)
    if start is not None:
        query = query.where(report.received_at >= _midnight(start))
    if end is not None:
        query = query.where(report.received_at < _midnight(end))
    for row in session.scalars(query.execution_options(yield_per=_BATCH)):
        yield public_row(row)


def write_csv(rows: Iterator[dict[str, str]], out: TextIO) -> int:
    """Write the header and ``rows`` as the FTC writes its files, cells a spreadsheet would
    run defused (:mod:`robotrace.csvcells`); how many rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FTC_COMPLAINT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(safe_row(row.get(c, "") for c in FTC_COMPLAINT_COLUMNS))
        count += 1
    return count


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)
