"""Evidence per provider: the tracebacks in which it originated the call, let it into the US
(gateway), or would not say where the call came from (non-cooperative) — and the ranking of
providers by that evidence, for choosing whom to warn."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from robotrace.clock import as_utc, format_utc, parse_utc
from robotrace.traceback.findings import (
    Finding,
    customer_of,
    gateway_provider_of,
    non_cooperative_of,
    originating_provider_of,
    refusal_findings,
)
from robotrace.traceback.model import ProviderInfo, Traceback

ORIGINATING = "originating"
GATEWAY = "gateway"
NON_COOPERATIVE = "non_cooperative"
#: A provider the call passed through that holds none of the roles above: only a
#: notification names it (it must then say so and name its upstream, 47 CFR 64.1200(n)).
IN_PATH = "in_path"
#: The roles that mean a provider *carried* the traffic (a letter names these).
CARRYING = frozenset({ORIGINATING, GATEWAY})


@dataclass(frozen=True)
class EvidenceRow:
    """One traceback against one provider, as a letter's evidence table lists it; a
    non-cooperative row carries its ``finding`` (the refusal's reason, or the missed due
    time)."""

    traceback_id: str
    campaign: str | None
    call_time: datetime
    caller_id: str
    called_number: str
    roles: tuple[str, ...]
    originator: str | None = None
    finding: Finding | None = None

    @property
    def role(self) -> str:
        return ", ".join(r.replace("_", "-") for r in self.roles)

    @property
    def finding_text(self) -> str:
        """The finding in one line ("refused: <reason>", "no response by <due>"), or ""."""
        return self.finding.text if self.finding else ""

    def as_json(self) -> dict[str, Any]:
        return {
            "traceback_id": self.traceback_id,
            "campaign": self.campaign,
            "call_time": format_utc(self.call_time),
            "caller_id": self.caller_id,
            "called_number": self.called_number,
            "roles": list(self.roles),
            "originator": self.originator,
            "finding": self.finding.as_json() if self.finding else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EvidenceRow:
        return cls(
            traceback_id=data["traceback_id"],
            campaign=data.get("campaign"),
            call_time=parse_utc(data["call_time"]),
            caller_id=data.get("caller_id", ""),
            called_number=data.get("called_number", ""),
            roles=tuple(data.get("roles", ())),
            originator=data.get("originator"),
            finding=Finding.from_json(data["finding"]) if data.get("finding") else None,
        )  # rows stored before findings were kept have none


def roles_in(tb: Traceback, key: str, directory: Mapping[str, ProviderInfo]) -> tuple[str, ...]:
    """The enforcement roles ``key`` holds in ``tb`` (empty: none that counts)."""
    roles = []
    if originating_provider_of(tb) == key:
        roles.append(ORIGINATING)
    if gateway_provider_of(tb, directory) == key:
        roles.append(GATEWAY)
    if key in non_cooperative_of(tb):
        roles.append(NON_COOPERATIVE)
    return tuple(roles)


def row_of(tb: Traceback, key: str, roles: tuple[str, ...]) -> EvidenceRow:
    """``key``'s row of ``tb``; its finding is its first there (a silence before a late
    refusal: each finding is listed in the scorecard and the period report)."""
    found = (f for f in refusal_findings(tb) if f.provider == key)
    return EvidenceRow(
        traceback_id=tb.id,
        campaign=tb.campaign,
        call_time=as_utc(tb.call.call_time),
        caller_id=tb.call.calling_number,
        called_number=tb.call.called_number,
        roles=roles,
        originator=customer_of(tb),
        finding=next(found, None) if NON_COOPERATIVE in roles else None,
    )


def path_rows(
    tracebacks: Iterable[Traceback],
    directory: Mapping[str, ProviderInfo],
    key: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[EvidenceRow]:
    """The tracebacks in the window whose call passed through ``key`` (it was asked, and named
    an upstream) without an enforcement role there, oldest first: role ``in_path``."""
    rows = []
    for tb in tracebacks:
        if not in_window(tb.call.call_time, since, until) or roles_in(tb, key, directory):
            continue
        if any(h.provider == key and h.upstream for h in tb.hops):
            rows.append(row_of(tb, key, (IN_PATH,)))
    return sorted(rows, key=lambda r: (r.call_time, r.traceback_id))


def in_window(when: datetime, since: datetime | None, until: datetime | None) -> bool:
    """``since <= when <= until`` (either bound may be open); naive times are UTC."""
    when = as_utc(when)
    return (since is None or when >= as_utc(since)) and (until is None or when <= as_utc(until))


def evidence_rows(
    tracebacks: Iterable[Traceback],
    directory: Mapping[str, ProviderInfo],
    key: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[EvidenceRow]:
    """The tracebacks against ``key`` whose call time is in ``[since, until]``, oldest first."""
    rows = []
    for tb in tracebacks:
        if not in_window(tb.call.call_time, since, until):
            continue
        roles = roles_in(tb, key, directory)
        if roles:
            rows.append(row_of(tb, key, roles))
    return sorted(rows, key=lambda r: (r.call_time, r.traceback_id))


@dataclass(frozen=True)
class Candidate:
    """A provider ranked for a letter: how many tracebacks, in which roles and campaigns."""

    key: str
    name: str
    tracebacks: int
    by_role: dict[str, int] = field(default_factory=dict)
    by_campaign: dict[str, int] = field(default_factory=dict)


def _providers_in(tb: Traceback, directory: Mapping[str, ProviderInfo]) -> set[str]:
    named = {originating_provider_of(tb), gateway_provider_of(tb, directory)}
    named.update(non_cooperative_of(tb))
    return {key for key in named if key is not None}


def candidates(
    tracebacks: Iterable[Traceback],
    directory: Mapping[str, ProviderInfo],
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Candidate]:
    """Providers with evidence in the window, most tracebacks first (then by OCN)."""
    rows: dict[str, list[EvidenceRow]] = {}
    for tb in tracebacks:
        if not in_window(tb.call.call_time, since, until):
            continue
        for key in _providers_in(tb, directory):
            rows.setdefault(key, []).append(row_of(tb, key, roles_in(tb, key, directory)))
    ranked = [_candidate(key, found, directory) for key, found in rows.items()]
    return sorted(ranked, key=lambda c: (-c.tracebacks, c.key))


def _candidate(
    key: str, rows: list[EvidenceRow], directory: Mapping[str, ProviderInfo]
) -> Candidate:
    roles = Counter(role for row in rows for role in row.roles)
    campaigns = Counter(row.campaign or "(none)" for row in rows)
    info = directory.get(key)
    return Candidate(
        key=key,
        name=info.name if info else key,
        tracebacks=len(rows),
        by_role=dict(sorted(roles.items())),
        by_campaign=dict(campaigns.most_common()),
    )
