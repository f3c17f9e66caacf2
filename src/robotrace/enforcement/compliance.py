"""Did the provider stop? The proposal on a warning letter or notification at its deadline.

A provider **still carries** the traffic a step named when a traceback of a call made
**strictly after** the deadline shows it as the originating or the gateway provider of a call
that is

- the **identified traffic**: a call of a named campaign, or placed by a named originator (the
  customer the originating provider identified); or
- **substantially similar** to it (:mod:`robotrace.enforcement.similar`: the same campaign
  family, originating customer or caller-ID pattern) — the standard of 47 CFR 64.1200(n);

and, when the step named findings (a refused or unanswered traceback request), when a
traceback after the deadline shows the provider refusing or silent again. Such a provider is
**noncompliant**; otherwise it **complied**. A call exactly at the deadline does not count:
the step gave the provider until then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from robotrace.calendar import for_people
from robotrace.clock import as_utc
from robotrace.enforcement.evidence import CARRYING, NON_COOPERATIVE, EvidenceRow
from robotrace.enforcement.similar import (
    TrafficProfile,
    identified,
    originator_key,
    similarity,
)

COMPLIED = "complied"
NONCOMPLIANT = "noncompliant"
#: A notification that got no response by its deadline.
NO_RESPONSE = "no_response"


@dataclass(frozen=True)
class NamedTraffic:
    """What a step told the provider to stop: campaigns, originators, and/or findings (the
    tracebacks in which it refused or did not answer)."""

    campaigns: tuple[str, ...] = ()
    originators: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.campaigns and not self.originators and not self.findings:
            raise ValueError("name at least one campaign, originator or finding")

    def covers(self, row: EvidenceRow) -> bool:
        """The row is evidence for what the step names."""
        if row.traceback_id in self.findings:
            return True
        if row.campaign is not None and row.campaign in self.campaigns:
            return True
        wanted = {originator_key(o) for o in self.originators}
        return row.originator is not None and originator_key(row.originator) in wanted


@dataclass(frozen=True)
class Decision:
    status: str
    rows: tuple[EvidenceRow, ...]
    text: str
    #: Why each row counts: "identified", "a refusal or silence", or the similarity.
    reasons: dict[str, str] = field(default_factory=dict)


def after_deadline(row: EvidenceRow, deadline: datetime) -> bool:
    """Strictly after: a call at the deadline itself is still within the time allowed."""
    return as_utc(row.call_time) > as_utc(deadline)


def why_counted(row: EvidenceRow, named: NamedTraffic, profile: TrafficProfile) -> str | None:
    """Why a row after the deadline shows the provider not complying (None: it does not)."""
    if CARRYING & set(row.roles):
        if identified(row, profile) or named.covers(row):
            return "the identified traffic"
        similar = similarity(row, profile)
        if similar is not None:
            return f"substantially similar traffic: {similar}"
    if named.findings and NON_COOPERATIVE in row.roles:
        return "refused or did not answer a traceback request again"
    return None


def decide(
    rows: Iterable[EvidenceRow],
    named: NamedTraffic,
    deadline: datetime,
    zone: str,
    profile: TrafficProfile | None = None,
) -> Decision:
    """The proposal on a step from all evidence rows against its provider; its text writes
    the deadline in ``zone`` (the ``display_zone`` setting)."""
    profile = profile or TrafficProfile(campaigns=frozenset(named.campaigns))
    reasons = {}
    found = []
    for row in sorted(rows, key=lambda r: (r.call_time, r.traceback_id)):
        if not after_deadline(row, deadline):
            continue
        why = why_counted(row, named, profile)
        if why is not None:
            found.append(row)
            reasons[row.traceback_id] = why
    when = for_people(deadline, zone)  # the text goes into the documents
    if not found:
        text = (
            f"No traceback of a call after {when} shows the provider carrying the identified "
            "or substantially similar traffic."
        )
        return Decision(COMPLIED, (), text)
    listed = "; ".join(f"{row.traceback_id} ({reasons[row.traceback_id]})" for row in found)
    text = (
        f"{len(found)} traceback(s) of calls after {when} show the provider still carrying "
        f"the traffic: {listed}."
    )
    return Decision(NONCOMPLIANT, tuple(found), text, reasons)
