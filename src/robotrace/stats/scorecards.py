"""Provider scorecards: per provider, its tracebacks by role, how it answered its hop
requests, its findings (refusals and silences, with their reasons), and the enforcement
steps against it (docs/statistics.md#provider-scorecards).

The roles are the traceback's and the enforcement's own: originating, gateway and
non-cooperative as :func:`robotrace.enforcement.evidence.roles_in` counts them for letters,
terminating, intermediate and foreign as :func:`robotrace.traceback.findings.roles_of` names
them; the findings are :func:`robotrace.traceback.store.findings_for`'s. Queries: the
period's tracebacks (three, as the enforcement loads them), its findings (three), the
provider directory, letters and authorizations grouped by provider, kind and status, and the
newest block-list version.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.clock import as_utc
from robotrace.enforcement import records
from robotrace.enforcement.authorizations import ACTIVE, LIFTED
from robotrace.enforcement.evidence import GATEWAY, NON_COOPERATIVE, ORIGINATING, roles_in
from robotrace.enforcement.publish import latest_blocklist
from robotrace.store import models
from robotrace.store.models import EnforcementKind
from robotrace.traceback.findings import Finding, roles_of
from robotrace.traceback.model import Answer, ProviderInfo, Role, Traceback
from robotrace.traceback.store import findings_for, provider_directory

#: Every role key of a scorecard, always present (0 when none).
ROLES = (
    ORIGINATING,
    GATEWAY,
    Role.INTERMEDIATE.value,
    Role.TERMINATING.value,
    Role.FOREIGN.value,
    NON_COOPERATIVE,
)
#: The roles read from the hop chain (the others come from the enforcement's evidence).
_CHAIN_ROLES = frozenset({Role.INTERMEDIATE, Role.TERMINATING, Role.FOREIGN})
#: Answers a provider gives that say where the call came from (or that it cannot).
ANSWERED = frozenset({Answer.UPSTREAM, Answer.ORIGIN, Answer.NOT_FOUND})
AUTHORIZATION_STATUSES = (ACTIVE, LIFTED)


@dataclass
class HopFigures:
    """A provider's hop requests in the period and what became of them."""

    requests: int = 0
    answered: int = 0
    refused: int = 0
    no_response: int = 0
    pending: int = 0
    late: int = 0
    hours: list[float] = field(default_factory=list)

    def add(self, answer: Answer | None, hours: float | None, late: bool) -> None:
        self.requests += 1
        self.late += late and answer is not None
        if answer is None:
            self.pending += 1
        elif answer is Answer.REFUSED:
            self.refused += 1
        elif answer is Answer.NO_RESPONSE:
            self.no_response += 1
        else:
            self.answered += 1
            if hours is not None:
                self.hours.append(hours)


@dataclass(frozen=True)
class Scorecard:
    key: str
    name: str
    foreign: bool
    tracebacks: int
    roles: dict[str, int]
    requests: int
    answered: int
    refused: int
    no_response: int
    pending: int
    late: int
    answer_hours_median: float | None
    answer_hours_p90: float | None
    letters: dict[str, int]
    authorizations: dict[str, int]
    on_blocklist: bool
    blocklist_version: int | None
    findings: tuple[Finding, ...] = ()

    @property
    def refusals(self) -> int:
        return sum(f.kind is Answer.REFUSED for f in self.findings)

    @property
    def silences(self) -> int:
        """Hops marked ``no_response``, those answered late after the mark included."""
        return sum(f.kind is Answer.NO_RESPONSE for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "foreign": self.foreign,
            "tracebacks": self.tracebacks,
            "roles": dict(self.roles),
            "hop_requests": {
                "received": self.requests,
                "answered": self.answered,
                "refused": self.refused,
                "no_response": self.no_response,
                "pending": self.pending,
                "late": self.late,
            },
            "answer_hours": {"median": self.answer_hours_median, "p90": self.answer_hours_p90},
            "letters": dict(self.letters),
            "authorizations": dict(self.authorizations),
            "on_blocklist": self.on_blocklist,
            "blocklist_version": self.blocklist_version,
            "findings": {
                "refused": self.refusals,
                "no_response": self.silences,
                "each": [f.as_json() for f in self.findings],
            },
        }


def nearest_rank(values: Sequence[float], percent: float) -> float | None:
    """The nearest-rank percentile: the ``ceil(percent/100 · n)``-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]


def _in_period(when: datetime, start: datetime | None, end: datetime | None) -> bool:
    when = as_utc(when)
    return (start is None or when >= as_utc(start)) and (end is None or when < as_utc(end))


def period_tracebacks(
    session: Session, start: datetime | None, end: datetime | None
) -> list[Traceback]:
    """Tracebacks of calls made in ``[start, end)``, loaded as the enforcement loads them."""
    loaded = records.tracebacks_after(session, as_utc(start) if start else None)
    return [tb for tb in loaded if _in_period(tb.call.call_time, start, end)]


def _roles_by_provider(tb: Traceback, directory: Mapping[str, ProviderInfo]) -> dict[str, set[str]]:
    """Each provider that appears in ``tb`` and its roles there (possibly none that counts)."""
    found: dict[str, set[str]] = defaultdict(set)
    for hop_role in roles_of(tb, directory):
        found[hop_role.provider].update(r.value for r in hop_role.roles if r in _CHAIN_ROLES)
    if tb.signer is not None:
        found.setdefault(tb.signer.provider, set())
    for key in list(found):
        found[key].update(roles_in(tb, key, directory))
    return found


def _traceback_figures(
    tracebacks: Iterable[Traceback], directory: Mapping[str, ProviderInfo]
) -> tuple[Counter[str], dict[str, Counter[str]], dict[str, HopFigures]]:
    appeared: Counter[str] = Counter()
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    hops: dict[str, HopFigures] = defaultdict(HopFigures)
    for tb in tracebacks:
        for key, held in _roles_by_provider(tb, directory).items():
            if held or any(h.provider == key for h in tb.hops):
                appeared[key] += 1
                roles[key].update(held)
        for hop in tb.hops:
            answer = Answer(hop.answer) if hop.answer else None
            hours = _hours(hop.requested_at, hop.answered_at)
            hops[hop.provider].add(answer, hours, hop.late)
    return appeared, roles, hops


def _hours(requested: datetime, answered: datetime | None) -> float | None:
    if answered is None:
        return None
    return (as_utc(answered) - as_utc(requested)).total_seconds() / 3600


def _actions(
    session: Session, start: datetime | None, end: datetime | None
) -> dict[str, dict[EnforcementKind, Counter[str]]]:
    """Letters and authorizations issued in the period: counts by provider, kind and status."""
    action = models.EnforcementAction
    query = (
        select(models.Provider.key, action.kind, action.status, func.count())
        .join(models.Provider, action.provider_id == models.Provider.id)
        .where(action.kind.in_([records.LETTER, records.AUTHORIZATION]))
        .group_by(models.Provider.key, action.kind, action.status)
    )
    if start is not None:
        query = query.where(action.issued_at >= as_utc(start))
    if end is not None:
        query = query.where(action.issued_at < as_utc(end))
    found: dict[str, dict[EnforcementKind, Counter[str]]] = defaultdict(
        lambda: defaultdict(Counter)
    )
    for key, kind, status, count in session.execute(query):
        found[key][EnforcementKind(kind)][status] += count
    return found


def _blocklisted(session: Session) -> tuple[int | None, frozenset[str]]:
    """The newest published block-list version and the provider keys its entries name."""
    latest = latest_blocklist(session)
    if latest is None:
        return None, frozenset()
    entries = json.loads(latest.body).get("entries", [])
    return latest.version, frozenset(e["provider"] for e in entries if e.get("provider"))


def provider_scorecards(
    session: Session, start: datetime | None = None, end: datetime | None = None
) -> list[Scorecard]:
    """Scorecards of every provider with a traceback of a call in ``[start, end)``, a letter
    or authorization issued in it, or an entry on the current block list: most tracebacks
    first, then by OCN."""
    cards = _scorecards(session, start, end, None)
    return sorted(cards, key=lambda c: (-c.tracebacks, c.key))


def provider_scorecard(
    session: Session, key: str, start: datetime | None = None, end: datetime | None = None
) -> Scorecard:
    """One provider's scorecard (all zeros when it did nothing in the period)."""
    wanted = records.provider_by_key(session, key).key
    return _scorecards(session, start, end, wanted)[0]


def _scorecards(
    session: Session, start: datetime | None, end: datetime | None, only: str | None
) -> list[Scorecard]:
    directory = provider_directory(session)
    appeared, roles, hops = _traceback_figures(period_tracebacks(session, start, end), directory)
    actions = _actions(session, start, end)
    version, blocked = _blocklisted(session)
    findings: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings_for(session, only, start, end):
        findings[finding.provider].append(finding)
    keys = {only} if only else set(appeared) | set(hops) | set(actions) | blocked
    return [
        _card(
            directory.get(key, ProviderInfo(key)),
            appeared[key],
            roles.get(key, Counter()),
            hops.get(key, HopFigures()),
            actions.get(key, {}),
            (key in blocked, version),
            tuple(findings.get(key, ())),
        )
        for key in sorted(keys)
    ]


def _card(
    info: ProviderInfo,
    tracebacks: int,
    roles: Counter[str],
    hops: HopFigures,
    actions: Mapping[EnforcementKind, Counter[str]],
    blocklist: tuple[bool, int | None],
    findings: tuple[Finding, ...],
) -> Scorecard:
    letters = actions.get(records.LETTER, Counter())
    authorizations = actions.get(records.AUTHORIZATION, Counter())
    return Scorecard(
        key=info.key,
        name=info.name or info.key,
        foreign=info.foreign,
        tracebacks=tracebacks,
        roles={role: roles[role] for role in ROLES},
        requests=hops.requests,
        answered=hops.answered,
        refused=hops.refused,
        no_response=hops.no_response,
        pending=hops.pending,
        late=hops.late,
        answer_hours_median=statistics.median(hops.hours) if hops.hours else None,
        answer_hours_p90=nearest_rank(hops.hours, 90),
        letters=dict(sorted(letters.items())),
        authorizations={
            status: authorizations[status]
            for status in sorted({*AUTHORIZATION_STATUSES, *authorizations})
        },
        on_blocklist=blocklist[0],
        blocklist_version=blocklist[1],
        findings=findings,
    )
