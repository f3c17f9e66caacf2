"""Know your upstream (47 CFR 64.1200(n)(4); docs/concepts.md "The rules since 2024").

A provider must "take reasonable and effective steps to ensure that any originating provider
or intermediate provider from which it receives traffic is not using it to carry or process a
high volume of illegal traffic". robotrace knows, from the provider's own hop answers, whom it
receives traced traffic from; this module puts beside each of them what the public record
says of it: its Robocall Mitigation Database status, the letters, notifications and orders
issued to it (never drafts), the block authorizations in force against it, and where the
current published block list names it — ordered by risk, then by how many tracebacks.

What a provider may see here of another provider is decided in docs/tenancy.md: what the FCC
publishes (a step's reference, kind, date and status; the RMD; the block list), never the
evidence, the tracebacks' ids or chains, or a draft.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from robotrace.enforcement.authorizations import ACTIVE
from robotrace.enforcement.service import reference_of
from robotrace.enforcement.standing import BlockListStanding, block_list_standings
from robotrace.providers.rmd_store import statuses
from robotrace.providers.status import RmdStatus
from robotrace.store import models
from robotrace.store.models import EnforcementKind
from robotrace.traceback.model import Outcome, ProviderCard

#: The steps of either ladder a provider is sent, as the FCC publishes them.
LETTER_KINDS = (
    EnforcementKind.WARNING_LETTER,
    EnforcementKind.CEASE_AND_DESIST,
    EnforcementKind.NOTIFICATION,
    EnforcementKind.INITIAL_ORDER,
    EnforcementKind.FINAL_ORDER,
)
KIND_NAMES = {
    EnforcementKind.WARNING_LETTER: "Warning letter",
    EnforcementKind.CEASE_AND_DESIST: "Cease-and-desist letter",
    EnforcementKind.NOTIFICATION: "Notification of Suspected Illegal Traffic",
    EnforcementKind.INITIAL_ORDER: "Initial Determination Order",
    EnforcementKind.FINAL_ORDER: "Final Determination Order",
    EnforcementKind.BLOCK_AUTHORIZATION: "Block authorization",
}
#: A step saved but not sent: nobody outside the regulator's office has seen it.
DRAFT = "draft"
#: RMD statuses that mean the provider is not, or no longer, in the database.
NOT_IN_RMD = ("removed", "not_in_export", "unlisted")

# Risk levels, highest first (:func:`risk_of`).
BLOCKED, WARNED, UNLISTED, NONE = 3, 2, 1, 0


@dataclass(frozen=True)
class PublicStep:
    """An issued letter, notification, order or authorization, as the FCC publishes it."""

    id: int
    reference: str
    kind: str
    title: str
    status: str
    issued_at: datetime | None
    effective_at: datetime | None


@dataclass(frozen=True)
class Tally:
    """How often a provider named one upstream: tracebacks, the last call's time, and when
    it last named it."""

    provider_id: int
    tracebacks: int
    last_call_at: datetime
    last_named_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class Upstream(ProviderCard):
    """An upstream a provider named (:class:`ProviderCard`: who), how often and when, and its
    public record."""

    tracebacks: int
    last_call_at: datetime
    last_named_at: datetime | None
    rmd: RmdStatus
    letters: list[PublicStep]
    authorizations: list[PublicStep]
    block_list: BlockListStanding
    risk: int = NONE
    concerns: list[str] = field(default_factory=list)


def tallies(db: Session, provider_id: int) -> list[Tally]:
    """Each provider that ``provider_id`` named as its upstream in its hop answers, with how
    many tracebacks, in one query. Withdrawn tracebacks (opened by mistake) do not count."""
    hop, tb = models.Hop, models.Traceback
    query = (
        select(
            hop.upstream_provider_id,
            func.count(func.distinct(hop.traceback_id)),
            func.max(tb.call_time),
            func.max(hop.answered_at),
        )
        .join(tb, hop.traceback_id == tb.id)
        .where(
            hop.provider_id == provider_id,
            hop.upstream_provider_id.is_not(None),
            hop.upstream_provider_id != provider_id,
            or_(tb.outcome.is_(None), tb.outcome != Outcome.WITHDRAWN),
        )
        .group_by(hop.upstream_provider_id)
    )
    return [Tally(pid, n, last, named) for pid, n, last, named in db.execute(query)]


def _public_step(row: models.EnforcementAction) -> PublicStep:
    return PublicStep(
        id=row.id,
        reference=reference_of(row),
        kind=row.kind.value,
        title=KIND_NAMES.get(row.kind, row.kind.value.replace("_", " ")),
        status=row.status,
        issued_at=row.issued_at,
        effective_at=row.effective_at,
    )


def issued_steps(
    db: Session, provider_ids: Sequence[int]
) -> dict[int, tuple[list[PublicStep], list[PublicStep]]]:
    """Per provider: its issued letters, notifications and orders (newest first), and its
    block authorizations in force. Drafts never: a step counts once it has been issued."""
    action = models.EnforcementAction
    query = (
        select(action)
        .where(
            action.provider_id.in_(list(provider_ids)),
            action.status != DRAFT,
            action.issued_at.is_not(None),
            or_(
                action.kind.in_(LETTER_KINDS),
                (action.kind == EnforcementKind.BLOCK_AUTHORIZATION) & (action.status == ACTIVE),
            ),
        )
        .order_by(action.issued_at.desc(), action.id.desc())
    )
    found: dict[int, tuple[list[PublicStep], list[PublicStep]]] = {
        pid: ([], []) for pid in provider_ids
    }
    for row in db.scalars(query):
        letters, authorizations = found[row.provider_id]
        is_letter = row.kind in LETTER_KINDS
        (letters if is_letter else authorizations).append(_public_step(row))
    return found


def risk_of(upstream: Upstream) -> int:
    """``BLOCKED``: on the current block list, under an authorization in force, or removed
    from the RMD; ``WARNED``: letters, notifications or orders issued to it; ``UNLISTED``:
    not in the RMD's latest export; ``NONE``: nothing on the record."""
    if upstream.block_list.reasons or upstream.authorizations or upstream.rmd.status == "removed":
        return BLOCKED
    if upstream.letters:
        return WARNED
    if upstream.rmd.status in NOT_IN_RMD:
        return UNLISTED
    return NONE


RMD_CONCERNS = {
    "removed": "removed from the RMD",
    "not_in_export": "not in the RMD's latest export",
    "unlisted": "never in the RMD",
}


def concerns_of(upstream: Upstream) -> list[str]:
    """What the record says against it, in words, most serious first."""
    said: list[str] = []
    if upstream.block_list.reasons:
        said.append("on the current block list")
    if upstream.rmd.status in RMD_CONCERNS:
        said.append(RMD_CONCERNS[upstream.rmd.status])
    if upstream.authorizations:
        said.append(f"{len(upstream.authorizations)} block authorization(s) in force")
    if upstream.letters:
        said.append(f"{len(upstream.letters)} letter(s), notification(s) or order(s)")
    if upstream.rmd.recertification_overdue:
        said.append("RMD recertification overdue")
    return said


def by_risk(upstreams: Iterable[Upstream]) -> list[Upstream]:
    """Riskiest first, then most tracebacks, then by key (a stable order for equals)."""
    return sorted(upstreams, key=lambda u: (-risk_of(u), -u.tracebacks, u.key))


def upstreams_of(
    db: Session, provider_id: int, today: date, recertification_due: str
) -> list[Upstream]:
    """The upstreams ``provider_id`` named, with their public record (RMD status on ``today``
    by ``recertification_due``), riskiest first. A few queries however many upstreams
    (tallies, providers, RMD, steps, the block list once)."""
    counted = tallies(db, provider_id)
    ids = [t.provider_id for t in counted]
    if not ids:
        return []
    providers = {
        p.id: p for p in db.scalars(select(models.Provider).where(models.Provider.id.in_(ids)))
    }
    rmd = statuses(db, ids, today, recertification_due)
    steps = issued_steps(db, ids)
    standings = block_list_standings(db, [p.key for p in providers.values()])
    found = []
    for tally in counted:
        provider = providers[tally.provider_id]
        letters, authorizations = steps[tally.provider_id]
        upstream = Upstream(
            key=provider.key,
            name=provider.business_name,
            country=provider.country,
            foreign=bool(provider.foreign),
            tracebacks=tally.tracebacks,
            last_call_at=tally.last_call_at,
            last_named_at=tally.last_named_at,
            rmd=rmd[tally.provider_id],
            letters=letters,
            authorizations=authorizations,
            block_list=standings[provider.key],
        )
        found.append(replace(upstream, risk=risk_of(upstream), concerns=concerns_of(upstream)))
    return by_risk(found)
