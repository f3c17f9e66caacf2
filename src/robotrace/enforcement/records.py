"""The store reads and writes that enforcement's service shares: providers, tracebacks,
letters and authorizations, the audit log. No rules here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from robotrace.enforcement.authorizations import (
    ACTIVE,
    ActiveAuthorization,
    Scope,
    step_reference,
)
from robotrace.enforcement.blocklist import FINAL_ORDER, RMD_REMOVED, InForce
from robotrace.enforcement.errors import EnforcementError, InvalidRequest
from robotrace.enforcement.letters import CampaignSummary, ProviderAddress, excerpt
from robotrace.enforcement.similar import CampaignFacts
from robotrace.providers.store import provider_of, resolve_provider
from robotrace.store import models
from robotrace.store.db import rows_matched
from robotrace.store.models import EnforcementKind
from robotrace.traceback.findings import counts
from robotrace.traceback.model import Traceback
from robotrace.traceback.store import list_tracebacks

LETTER = EnforcementKind.WARNING_LETTER
AUTHORIZATION = EnforcementKind.BLOCK_AUTHORIZATION
NOTIFICATION = EnforcementKind.NOTIFICATION
INITIAL_ORDER = EnforcementKind.INITIAL_ORDER
FINAL_ORDER_KIND = EnforcementKind.FINAL_ORDER
#: A final order's status while its mandatory blocking stands.
IN_FORCE = "in_force"


def provider_by_key(session: Session, key: str) -> models.Provider:
    """The provider ``key`` names (its key, or an OCN, RMD number or FRN of it)."""
    row = resolve_provider(session, key)
    if row is None:
        raise InvalidRequest(f"no provider {key.strip()[:40]!r}")
    return row


def address_of(row: models.Provider) -> ProviderAddress:
    record = provider_of(row)
    return ProviderAddress(
        key=row.key,
        name=row.business_name,
        ocn=record.ocn,
        frn=next(iter(record.frns), ""),
        rmd_number=next(iter(record.rmd_numbers), ""),
        country=row.country,
        contact_email=row.contact_email,
        address=row.business_address or "",
        contact_name=str((row.rmd_contact or {}).get("name", "")),
        contact_title=str((row.rmd_contact or {}).get("title", "")),
    )


def campaign_summaries(session: Session, ids: Sequence[str]) -> list[CampaignSummary]:
    """The named campaigns as a letter describes them: name, what the calls said, calls."""
    if not ids:
        return []
    rows = session.scalars(select(models.Campaign).where(models.Campaign.id.in_(list(ids))))
    found = {
        c.id: CampaignSummary(c.id, c.name or c.id, excerpt(c.representative or ""), c.call_count)
        for c in rows
    }
    return [found[i] for i in ids if i in found]


def tracebacks_after(session: Session, since: datetime | None) -> list[Traceback]:
    """Tracebacks, oldest first; those of calls before ``since`` are dropped here (the store
    has no windowed loader yet, and a year is a few thousand tracebacks), and withdrawn ones
    (opened by mistake) always: they are no evidence and no statistic; nor are those of a
    campaign marked not illegal (robotrace.campaigns.review)."""
    legitimate = set(
        session.scalars(select(models.Campaign.id).where(models.Campaign.status == "not_illegal"))
    )
    found = [tb for tb in list_tracebacks(session) if counts(tb) and tb.campaign not in legitimate]
    return found if since is None else [tb for tb in found if tb.call.call_time >= since]


def action(session: Session, action_id: int, kind: EnforcementKind) -> models.EnforcementAction:
    row = session.get(models.EnforcementAction, action_id)
    if row is None or row.kind != kind:
        raise LookupError(f"no {kind.value.replace('_', ' ')} {action_id}")
    return row


def issued_at(action: models.EnforcementAction) -> datetime:
    """When ``action`` was issued. The column is empty only while a step is a draft; reading
    a draft as an issued step is an error, not a missing time."""
    if action.issued_at is None:
        raise EnforcementError(f"{action.kind} {action.id} has not been issued")
    return action.issued_at


def next_number(session: Session, kind: EnforcementKind) -> int:
    """The next number in ``kind``'s own sequence (WL-000001, BA-000001 …). The counter row
    stays write-locked until the transaction ends, so that two steps issued at once get
    different numbers; a kind without a counter yet starts after its highest number."""
    counter = models.StepCounter
    bump = update(counter).where(counter.kind == kind.value).values(last=counter.last + 1)
    if rows_matched(session.execute(bump)) == 0:
        highest = select(func.max(models.EnforcementAction.number)).where(
            models.EnforcementAction.kind == kind
        )
        try:
            with session.begin_nested():
                session.add(counter(kind=kind.value, last=(session.scalar(highest) or 0) + 1))
        except IntegrityError:  # another transaction made it first: take the next one
            session.execute(bump)
    number = session.scalar(select(counter.last).where(counter.kind == kind.value))
    assert number is not None
    return number


def lock_action(session: Session, action_id: int, status: str | None = None) -> bool:
    """Write-lock one action (a no-op UPDATE, as the no-response policy does), only while it
    has ``status`` if given; False when it does not (any more)."""
    statement = update(models.EnforcementAction).where(models.EnforcementAction.id == action_id)
    if status is not None:
        statement = statement.where(models.EnforcementAction.status == status)
    statement = statement.values(status=models.EnforcementAction.status)
    return session.connection().execute(statement).rowcount == 1


def lock_provider(session: Session, provider_id: int) -> None:
    """Serialise enforcement steps on one provider until the transaction ends (PostgreSQL
    ``FOR NO KEY UPDATE``, which rows referencing the provider do not wait for; SQLite has
    one writer at a time)."""
    session.execute(
        select(models.Provider.id)
        .where(models.Provider.id == provider_id)
        .with_for_update(key_share=True)
    )


def locked_noncompliant_letter_id(session: Session, provider_id: int) -> int | None:
    """:func:`noncompliant_letter_id`, with that letter write-locked while it is still
    noncompliant, so that a decision in flight on it is waited for and then seen."""
    while (letter_id := noncompliant_letter_id(session, provider_id)) is not None:
        if lock_action(session, letter_id, "noncompliant"):
            return letter_id
    return None


def noncompliant_letter_id(session: Session, provider_id: int) -> int | None:
    """The provider's latest letter decided noncompliant, if any."""
    return session.scalar(
        select(models.EnforcementAction.id)
        .where(
            models.EnforcementAction.provider_id == provider_id,
            models.EnforcementAction.kind == LETTER,
            models.EnforcementAction.status == "noncompliant",
        )
        .order_by(models.EnforcementAction.id.desc())
        .limit(1)
    )


def active_authorizations(session: Session, provider_id: int) -> list[ActiveAuthorization]:
    rows = session.scalars(
        select(models.EnforcementAction).where(
            models.EnforcementAction.provider_id == provider_id,
            models.EnforcementAction.kind == AUTHORIZATION,
            models.EnforcementAction.status == ACTIVE,
        )
    )
    return [ActiveAuthorization(r.id, r.scope or "", tuple(r.numbers)) for r in rows]


def in_force(session: Session) -> list[InForce]:
    """Every active authorization with its provider (effective or not yet)."""
    rows = session.execute(
        select(models.EnforcementAction, models.Provider)
        .join(models.Provider, models.EnforcementAction.provider_id == models.Provider.id)
        .where(
            models.EnforcementAction.kind == AUTHORIZATION,
            models.EnforcementAction.status == ACTIVE,
        )
        .order_by(models.EnforcementAction.id)
    )
    authorized = [
        InForce(
            authorization_id=auth.id,
            scope=auth.scope or "provider",
            numbers=tuple(auth.numbers),
            effective_at=auth.effective_at or auth.issued_at,
            reason=auth.reason,
            key=provider.key,
            name=provider.business_name,
            contact=provider.contact_email,
            ocns=provider_of(provider).ocns,
            numbered_reference=_reference("BA", auth),
        )
        for auth, provider in rows
    ]
    return authorized + _final_orders_in_force(session) + _rmd_removals_in_force(session)


def _reference(prefix: str, action: models.EnforcementAction) -> str:
    return step_reference(prefix, action.number if action.number is not None else action.id)


def _final_orders_in_force(session: Session) -> list[InForce]:
    """Final Determination Orders not lifted: every provider immediately downstream must
    block all of the provider's traffic from the order's date (47 CFR 64.1200(n))."""
    rows = session.execute(
        select(models.EnforcementAction, models.Provider)
        .join(models.Provider, models.EnforcementAction.provider_id == models.Provider.id)
        .where(
            models.EnforcementAction.kind == FINAL_ORDER_KIND,
            models.EnforcementAction.status == IN_FORCE,
        )
        .order_by(models.EnforcementAction.id)
    )
    return [
        InForce(
            authorization_id=None,
            scope=Scope.PROVIDER,
            numbers=(),
            effective_at=order.effective_at or order.issued_at,
            reason=order.reason,
            key=provider.key,
            name=provider.business_name,
            contact=provider.contact_email,
            ocns=provider_of(provider).ocns,
            reason_code=FINAL_ORDER,
            order_id=order.id,
            downstream=tuple(order.downstream),
            numbered_reference=_reference("FDO", order),
        )
        for order, provider in rows
    ]


def _rmd_removals_in_force(session: Session) -> list[InForce]:
    """RMD removals: no provider may take the removed one's calls directly, from the removal
    until the reinstatement (:func:`blocklist.entries_of` keeps those in force at its time)."""
    rows = session.execute(
        select(models.RmdRemoval, models.Provider)
        .join(models.Provider, models.RmdRemoval.provider_id == models.Provider.id)
        .order_by(models.RmdRemoval.id)
    )
    return [
        InForce(
            authorization_id=None,
            scope=Scope.NO_DIRECT_TRAFFIC,
            numbers=(),
            effective_at=removal.removed_at,
            reason=f"removed from the Robocall Mitigation Database ({removal.order_reference})",
            key=provider.key,
            name=provider.business_name,
            contact=provider.contact_email,
            ocns=provider_of(provider).ocns,
            reason_code=RMD_REMOVED,
            rmd_order=removal.order_reference,
            until=removal.reinstated_at,
        )
        for removal, provider in rows
    ]


def campaign_facts(session: Session) -> dict[str, CampaignFacts]:
    """Each campaign's call-back numbers and typical transcript (for similar traffic)."""
    rows = session.execute(
        select(models.Campaign.id, models.Campaign.callback_numbers, models.Campaign.representative)
    )
    return {cid: CampaignFacts(tuple(numbers or ()), text or "") for cid, numbers, text in rows}


def audit(
    session: Session, at: datetime, actor: str, action: str, key: str | None, **details: Any
) -> None:
    """One audit-log row for an enforcement step (no traceback id)."""
    session.add(
        models.AuditEvent(at=at, actor=actor, action=action, provider_key=key, details=details)
    )
    session.flush()
