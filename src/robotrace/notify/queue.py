"""Queue the notices due about open hop requests (rules in :mod:`robotrace.notify.hops`).

The caller hands the settings the notices depend on: the portal's address for their links,
the reminder window, and the zone of a provider whose own zone is not known."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.notify.hops import (
    HOP_KINDS,
    Audience,
    Message,
    OpenHop,
    SignerAsk,
    hop_messages,
    signer_messages,
)
from robotrace.notify.outbox import enqueue
from robotrace.providers.store import zone_of
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.asked import asked_of
from robotrace.store.db import session_factory, transaction
from robotrace.store.models import UserRole
from robotrace.store.values import CallUnderTrace


def open_hops(session: Session, business_zone: str) -> list[OpenHop]:
    """Hop requests still waiting for an answer, on open tracebacks; a provider whose own
    zone is not known is in ``business_zone``."""
    rows = session.execute(
        select(models.Hop, models.Traceback, models.Provider)
        .join(models.Traceback, models.Hop.traceback_id == models.Traceback.id)
        .join(models.Provider, models.Hop.provider_id == models.Provider.id)
        .where(models.Traceback.status == "open", models.Hop.answer.is_(None))
        .order_by(models.Hop.id)
    )
    return [
        OpenHop(
            hop.id,
            tb.id,
            hop.position,
            provider.id,
            provider.key,
            provider.business_name,
            CallUnderTrace(tb.calling_number, tb.called_number, tb.call_time),
            hop.requested_at,
            hop.due_at,
            zone_of(provider, business_zone).zone,
        )
        for hop, tb, provider in rows
    ]


def _addresses(emails: Iterable[str]) -> tuple[str, ...]:
    # One message per mailbox, however many ways it is listed.
    return tuple(sorted({e.strip().lower() for e in emails if "@" in e}))


def provider_audiences(session: Session, provider_ids: set[int]) -> dict[int, Audience]:
    """Each provider's contact address, active users and active webhooks."""
    emails: dict[int, list[str]] = {pid: [] for pid in provider_ids}
    webhooks: dict[int, list[int]] = {pid: [] for pid in provider_ids}
    for pid, contact in session.execute(
        select(models.Provider.id, models.Provider.contact_email).where(
            models.Provider.id.in_(provider_ids)
        )
    ):
        emails[pid].append(contact)
    users = select(models.User.provider_id, models.User.email).where(
        models.User.provider_id.in_(provider_ids), models.User.active.is_(True)
    )
    for pid, email in session.execute(users):
        emails[pid].append(email)
    hooks = select(models.Webhook.provider_id, models.Webhook.id).where(
        models.Webhook.provider_id.in_(provider_ids), models.Webhook.active.is_(True)
    )
    for pid, hook_id in session.execute(hooks):
        webhooks[pid].append(hook_id)
    return {pid: Audience(_addresses(emails[pid]), tuple(sorted(webhooks[pid]))) for pid in emails}


def coordinator_audience(session: Session) -> Audience:
    """Active coordinators, and the traceback group's webhooks (no provider)."""
    emails = session.scalars(
        select(models.User.email).where(
            models.User.role == UserRole.COORDINATOR, models.User.active.is_(True)
        )
    )
    hooks = session.scalars(
        select(models.Webhook.id).where(
            models.Webhook.provider_id.is_(None), models.Webhook.active.is_(True)
        )
    )
    return Audience(_addresses(emails), tuple(sorted(hooks)))


def queued_keys(session: Session, since: datetime) -> set[str]:
    """Dedupe keys of hop notices queued since ``since`` (no open hop is older)."""
    query = select(models.Notification.dedupe_key).where(
        models.Notification.kind.in_(HOP_KINDS), models.Notification.created_at >= since
    )
    return set(session.scalars(query))


def messages_due(session: Session, now: datetime, settings: Settings) -> list[Message]:
    """Hop notices due at ``now`` and not queued yet."""
    hops = open_hops(session, settings.business_zone)
    if not hops:
        return []
    audiences = provider_audiences(session, {h.provider_id for h in hops})
    coordinators = coordinator_audience(session)
    window = timedelta(hours=settings.reminder_hours)
    base_url = settings.base_url
    queued = queued_keys(session, min(h.requested_at for h in hops))

    def fresh(of: list[OpenHop]) -> list[Message]:
        due = (
            m
            for h in of
            for m in hop_messages(h, now, window, audiences[h.provider_id], coordinators, base_url)
        )
        return [m for m in due if m.dedupe_key not in queued]

    # What a request is about is read only for the hops that have a notice to send now.
    waiting = {m.payload["hop_id"] for m in fresh(hops)}
    if not waiting:
        return []
    asked = asked_of(session, sorted(waiting))
    told = [replace(h, asked=asked[h.hop_id].as_payload()) for h in hops if h.hop_id in asked]
    return fresh(told)


def queue_hop_notifications(engine: Engine, clock: Clock, settings: Settings) -> int:
    """Queue every hop notice due now; the number newly queued."""
    with session_factory(engine)() as session:
        messages = messages_due(session, clock.now(), settings)
    if not messages:
        return 0
    # A separate write transaction that starts with its first INSERT (see outbox.enqueue).
    with transaction(engine) as session:
        return sum(
            enqueue(session, m.channel, m.target, m.kind, m.payload, m.dedupe_key, clock)
            for m in messages
        )


def _signer_ask(session: Session, traceback_id: str, business_zone: str) -> tuple[SignerAsk, int]:
    tb = session.get(models.Traceback, traceback_id)
    assert tb is not None and tb.signer_key is not None
    assert tb.signer_requested_at is not None and tb.signer_due_at is not None
    provider = session.scalars(
        select(models.Provider).where(models.Provider.key == tb.signer_key)
    ).one()
    first_hop = session.scalar(
        select(models.Hop.id).where(models.Hop.traceback_id == tb.id, models.Hop.position == 0)
    )
    assert first_hop is not None
    ask = SignerAsk(
        tb.id, first_hop, provider.key, provider.business_name, tb.signer_origid,
        tb.signer_attest or "", CallUnderTrace(tb.calling_number, tb.called_number, tb.call_time),
        tb.signer_requested_at, tb.signer_due_at, zone_of(provider, business_zone).zone,
    )  # fmt: skip
    return ask, provider.id


def queue_signer_request(
    session: Session, traceback_id: str, clock: Clock, settings: Settings
) -> int:
    """Queue the ``signer.requested`` notices of a traceback's direct request to its signer,
    in the caller's transaction; the number newly queued (0 when queued before)."""
    ask, provider = _signer_ask(session, traceback_id, settings.business_zone)
    audience = provider_audiences(session, {provider})[provider]
    messages = signer_messages(ask, audience, settings.base_url)
    return sum(
        enqueue(session, m.channel, m.target, m.kind, m.payload, m.dedupe_key, clock)
        for m in messages
    )
