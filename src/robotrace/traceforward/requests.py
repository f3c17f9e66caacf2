"""Trace Forward requests: the rules, over the store (the caller owns the transaction).

A traceback follows a call back from the called party towards whoever placed it; Trace
Forward follows the campaign's call-back number — the one its calls read out for the victim
to call — forward to the customer it rings at. The coordinator asks for one of a campaign's
call-back numbers; robotrace finds the carrier its block was assigned to in the number-block
table (robotrace.numbering.store), registers that carrier by OCN and name when it is
not yet a known provider, and sends it a request that is due as a hop request is (the
``hop_due_hours`` on the business calendar in its zone). The carrier answers:

- ``assigned``: the number is its customer's, named (and how to reach them);
- ``not_ours``: it does not serve the number (ported out; it may say who does now);
- ``not_assigned``: the number is its, but assigned to no customer (spoofed);
- ``refused``: it will not say, and why.

One open request per campaign and number. The request tells the carrier the number, the
campaign's name and when its calls were heard — never tracebacks, chains or other providers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.clock import Clock, format_utc
from robotrace.notify.hops import local_due, messages_to
from robotrace.notify.outbox import enqueue
from robotrace.notify.queue import provider_audiences
from robotrace.numbering.store import holder_of, nanp_digits
from robotrace.providers.registry import named_provider
from robotrace.providers.store import add_named_provider, zone_of
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.audit import append_audit
from robotrace.store.db import lock_for_transaction
from robotrace.traceback.model import AuditEvent
from robotrace.traceback.workflow import Policy

ANSWERS = ("assigned", "not_ours", "not_assigned", "refused")
REQUESTED = "traceforward.requested"
MAX_TEXT = 200
MAX_NOTE = 2000


class TraceForwardError(ValueError):
    """A request or answer the rules refuse; nothing was changed."""


class AlreadyDone(TraceForwardError):
    """The number is being asked already, or the request was answered already (the API's
    409: the state refuses it, not the input)."""


@dataclass(frozen=True)
class Reply:
    answer: str
    customer: str = ""
    customer_contact: str = ""
    now_served_by: str = ""
    note: str = ""


def ask(
    session: Session,
    campaign_id: str,
    number: str,
    actor: str,
    clock: Clock,
    settings: Settings,
) -> models.TraceForwardRequest:
    """Ask the carrier of ``number`` (one of the campaign's call-back numbers) whose it is;
    the request is due as a hop request is, by the policy ``settings`` give, and links to
    the portal at their ``base_url``."""
    lock_for_transaction(session, "trace-forward")  # one open request per number
    campaign = session.get(models.Campaign, campaign_id)
    if campaign is None:
        raise TraceForwardError(f"no campaign {campaign_id!r}")
    digits = nanp_digits(number)
    if digits is None:
        raise TraceForwardError(f"{number[:40]!r} is not a North American number")
    if f"+1{digits}" not in campaign.callback_numbers:
        raise TraceForwardError(f"+1{digits} is not a call-back number of campaign {campaign.id}")
    holder = holder_of(session, number)
    if holder is None:
        raise TraceForwardError(
            f"no carrier is known for {digits[:3]}-{digits[3:6]}: import the number blocks "
            "(robotrace numbering import, or Admin → Number blocks)"
        )
    if _open_request(session, campaign_id, holder.number) is not None:
        raise AlreadyDone(f"{holder.number} was asked already; the request is open")
    carrier = _carrier(session, holder.ocn, holder.company, actor, clock)
    zone = zone_of(carrier, settings.business_zone).zone
    now = clock.now()
    request = models.TraceForwardRequest(
        campaign_id=campaign_id,
        number=holder.number,
        provider_id=carrier.id,
        block=holder.prefix,
        ocn=holder.ocn,
        asked_by=actor,
        requested_at=now,
        due_at=Policy.from_settings(settings).due_at(now, zone),
    )
    session.add(request)
    session.flush()
    details = {"request": request.id, "number": holder.number, "block": holder.prefix}
    _audit(session, now, actor, "traceforward.requested", carrier.key, details)
    _notify(session, request, campaign, carrier, clock, settings)
    return request


def _carrier(session: Session, ocn: str, company: str, actor: str, clock: Clock) -> Any:
    """The provider registered under ``ocn``, else one added by OCN and company name (as an
    upstream named in an answer is)."""
    return add_named_provider(session, named_provider(company or ocn, ocn=ocn), actor, clock)


def _open_request(
    session: Session, campaign_id: str, number: str
) -> models.TraceForwardRequest | None:
    return session.scalar(
        select(models.TraceForwardRequest).where(
            models.TraceForwardRequest.campaign_id == campaign_id,
            models.TraceForwardRequest.number == number,
            models.TraceForwardRequest.answer.is_(None),
        )
    )


def answer(
    session: Session,
    request: models.TraceForwardRequest,
    reply: Reply,
    actor: str,
    clock: Clock,
) -> models.TraceForwardRequest:
    """Record the carrier's ``reply`` to an open request (the caller checked it is the
    carrier's own: robotrace.web.access)."""
    lock_for_transaction(session, "trace-forward")  # two answers at once: one wins
    session.refresh(request)
    if request.answer is not None:
        raise AlreadyDone("this request was answered already")
    checked = checked_reply(reply)
    now = clock.now()
    request.answer = checked.answer
    request.customer = checked.customer
    request.customer_contact = checked.customer_contact
    request.now_served_by = checked.now_served_by
    request.note = checked.note
    request.answered_at = now
    request.answered_by = actor
    session.flush()
    carrier = session.get(models.Provider, request.provider_id)
    details = {"request": request.id, "answer": checked.answer, "late": now > request.due_at}
    _audit(session, now, actor, "traceforward.answered", carrier.key if carrier else None, details)
    return request


def checked_reply(reply: Reply) -> Reply:
    """``reply`` with its text trimmed; :class:`TraceForwardError` when it breaks a rule."""
    if reply.answer not in ANSWERS:
        raise TraceForwardError(f"answer must be one of {', '.join(ANSWERS)}")
    texts = {
        "customer": (reply.customer.strip(), MAX_TEXT),
        "customer contact": (reply.customer_contact.strip(), MAX_NOTE),
        "now served by": (reply.now_served_by.strip(), MAX_TEXT),
        "note": (reply.note.strip(), MAX_NOTE),
    }
    for what, (text, longest) in texts.items():
        if len(text) > longest:
            raise TraceForwardError(f"{what} is longer than {longest} characters")
        if any(not c.isprintable() and c not in "\n\t" for c in text):
            raise TraceForwardError(f"{what} holds control characters")
    customer = texts["customer"][0]
    if reply.answer == "assigned" and not customer:
        raise TraceForwardError("name the customer the number is assigned to")
    if reply.answer == "refused" and not texts["note"][0]:
        raise TraceForwardError("say why in the note")
    return Reply(
        reply.answer,
        customer if reply.answer == "assigned" else "",
        texts["customer contact"][0] if reply.answer == "assigned" else "",
        texts["now served by"][0] if reply.answer == "not_ours" else "",
        texts["note"][0],
    )


def _audit(
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    provider: str | None,
    details: dict[str, object],
) -> None:
    append_audit(session, [AuditEvent(at, actor, action, "", provider, details)])


def payload(
    request: models.TraceForwardRequest,
    campaign: models.Campaign,
    carrier: models.Provider,
    settings: Settings,
) -> dict[str, Any]:
    """What the carrier is told: the number and the campaign, never tracebacks or other
    providers (docs/tenancy.md)."""
    base_url = settings.base_url
    return {
        "request_id": request.id,
        "number": request.number,
        "block": request.block,
        "campaign": {"name": campaign.name, "topic": campaign.topic},
        "heard": {
            "first": format_utc(campaign.first_seen_at) if campaign.first_seen_at else None,
            "last": format_utc(campaign.last_seen_at) if campaign.last_seen_at else None,
        },
        "provider": {"key": carrier.key, "name": carrier.business_name},
        "requested_at": format_utc(request.requested_at),
        "due_at": format_utc(request.due_at),
        **local_due(request.due_at, zone_of(carrier, settings.business_zone).zone),
        "link": f"{base_url.rstrip('/')}/inbox/trace-forward/{request.id}",
    }


def _notify(
    session: Session,
    request: models.TraceForwardRequest,
    campaign: models.Campaign,
    carrier: models.Provider,
    clock: Clock,
    settings: Settings,
) -> None:
    audience = provider_audiences(session, {carrier.id})[carrier.id]
    body = payload(request, campaign, carrier, settings)
    for m in messages_to(audience, REQUESTED, request.id, body):
        enqueue(session, m.channel, m.target, m.kind, m.payload, m.dedupe_key, clock)


def requests_of_campaign(session: Session, campaign_id: str) -> list[Any]:
    """The campaign's requests with their carriers, newest first (for staff)."""
    return list(
        session.execute(
            select(models.TraceForwardRequest, models.Provider)
            .join(models.Provider, models.TraceForwardRequest.provider_id == models.Provider.id)
            .where(models.TraceForwardRequest.campaign_id == campaign_id)
            .order_by(models.TraceForwardRequest.id.desc())
        )
    )
