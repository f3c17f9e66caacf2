"""Looking a report up by its reference: what the reference's holder may learn, the
reference as people type it, and a limit on guessing.

A reference is 40 random bits (:func:`robotrace.reports.filing.new_reference`), so it tells
nothing and cannot be guessed in practice; the limit makes sure of it: a client address
that looks up too many references that are not there is refused every lookup for an hour,
found or not. What a lookup shows is the report's own progress — received, counted in the
statistics, grouped with similar calls — and nothing of what was reported, of other
reports, or of the campaign (its name, size, tracebacks or review): whoever holds a
reference, the reporter or someone it was passed to, learns nothing of anyone else, and a
caller who reports its own calls cannot watch whether it is being traced.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.reports.filing import ALPHABET
from robotrace.store import models

WINDOW = timedelta(hours=1)
#: Crockford's decoding: letters people read for digits.
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def typed_reference(text: str) -> str | None:
    """``RT-XXXX-XXXX`` from a reference as typed (any case, spaces or dashes, with or
    without ``RT``, O for 0 and I or L for 1); None when it cannot be one."""
    letters = "".join(text.split()).upper().replace("-", "")
    letters = letters.removeprefix("RT").translate(_ALIASES)
    if len(letters) != 8 or any(letter not in ALPHABET for letter in letters):
        return None
    return f"RT-{letters[:4]}-{letters[4:]}"


@dataclass(frozen=True)
class ReportStatus:
    reference: str
    received_at: datetime
    counted: bool  # its complaint is in the analytics store (the statistics)
    grouped: bool  # its evidence call joined a campaign


def report_status(session: Session, reference: str) -> ReportStatus | None:
    report, call = models.ConsumerReport, models.Call
    row = session.execute(
        select(report.received_at, report.fed_at, call.campaign_id)
        .outerjoin(call, call.id == report.call_id)
        .where(report.reference == reference)
    ).first()
    if row is None:
        return None
    return ReportStatus(reference, row.received_at, row.fed_at is not None, bool(row.campaign_id))


class MissLimit:
    """Lookups of references that are not there, per client key, over the last hour.
    Kept in memory (per process): a guesser needs about 2^39 tries, so a limit that a
    restart resets still stops it."""

    def __init__(self) -> None:
        self._misses: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def refused_until(self, client: str, now: datetime, limit: int) -> datetime | None:
        """When ``client`` may look up again, if it has used up its ``limit`` of misses."""
        with self._lock:
            misses = self._recent(client, now)
            return misses[0] + WINDOW if len(misses) >= limit else None

    def missed(self, client: str, now: datetime) -> None:
        with self._lock:
            self._recent(client, now).append(now)
            if len(self._misses) > 10_000:  # forget clients whose misses have all expired
                for key in [k for k, v in self._misses.items() if not v or v[-1] <= now - WINDOW]:
                    del self._misses[key]

    def _recent(self, client: str, now: datetime) -> deque[datetime]:
        misses = self._misses.setdefault(client, deque())
        while misses and misses[0] <= now - WINDOW:
            misses.popleft()
        return misses
