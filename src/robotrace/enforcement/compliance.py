"""Did the provider stop? The decision on a warning letter at its deadline.

A provider is **noncompliant** when any traceback of a call made **strictly after**
``mitigate_by`` shows it carrying the named traffic: it is the originating or the gateway
provider of the call, and the call belongs to a named campaign or was placed by a named
originator (the customer the originating provider identified). A call exactly at the
deadline does not count: the letter gave the provider until then. Otherwise it **complied**.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from robotrace.clock import as_utc, format_utc
from robotrace.enforcement.evidence import CARRYING, EvidenceRow

COMPLIED = "complied"
NONCOMPLIANT = "noncompliant"


def originator_key(name: str) -> str:
    """Originator names compare without case and with runs of spaces collapsed."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class NamedTraffic:
    """What a letter told the provider to stop: campaigns and/or originators."""

    campaigns: tuple[str, ...] = ()
    originators: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.campaigns and not self.originators:
            raise ValueError("a letter must name at least one campaign or originator")

    def covers(self, row: EvidenceRow) -> bool:
        if row.campaign is not None and row.campaign in self.campaigns:
            return True
        wanted = {originator_key(o) for o in self.originators}
        return row.originator is not None and originator_key(row.originator) in wanted


@dataclass(frozen=True)
class Decision:
    status: str
    rows: tuple[EvidenceRow, ...]
    text: str


def after_deadline(row: EvidenceRow, deadline: datetime) -> bool:
    """Strictly after: a call at the deadline itself is still within the time allowed."""
    return as_utc(row.call_time) > as_utc(deadline)


def still_carrying(
    rows: Iterable[EvidenceRow], named: NamedTraffic, deadline: datetime
) -> list[EvidenceRow]:
    """The rows that show the provider carrying the named traffic after ``deadline``."""
    return [
        row
        for row in rows
        if after_deadline(row, deadline) and CARRYING & set(row.roles) and named.covers(row)
    ]


def decide(rows: Iterable[EvidenceRow], named: NamedTraffic, deadline: datetime) -> Decision:
    """The decision on a letter from all evidence rows against its provider."""
    found = sorted(
        still_carrying(rows, named, deadline), key=lambda r: (r.call_time, r.traceback_id)
    )
    when = format_utc(deadline)
    if not found:
        text = f"No traceback of a call after {when} shows the provider carrying the named traffic."
        return Decision(COMPLIED, (), text)
    ids = ", ".join(row.traceback_id for row in found)
    text = (
        f"{len(found)} traceback(s) of calls after {when} show the provider still carrying "
        f"the named traffic: {ids}."
    )
    return Decision(NONCOMPLIANT, tuple(found), text)
