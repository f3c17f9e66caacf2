"""The mandatory ladder of 47 CFR 64.1200(n), beside the permissive K4 one (docs/enforcement.md).

1. **Notification of Suspected Illegal Traffic** to a provider the tracebacks name: it must
   investigate and answer by ``respond_by`` either
   - ``blocked``: it is the originating or gateway provider, blocks the identified traffic and
     substantially similar traffic, and reports how; or
   - ``not_carrier``: it is an intermediate or terminating provider, and names the upstream
     provider(s) the traffic came from — each gets a notification of its own (the notice
     moves upstream) and this one is ``referred``.
2. At ``respond_by`` the worker proposes ``no_response``, ``complied`` or ``noncompliant``
   (judged on identified and substantially similar traffic); a regulator decides.
3. **Initial Determination Order** on a notification decided ``noncompliant`` or
   ``no_response``: the provider has at least 14 days to respond.
4. **Final Determination Order** once that window has passed: every provider immediately
   downstream of it must block all of its traffic from ``effective_at`` (30 days later by
   default). The block list carries it as a *mandatory* entry (reason ``final_order``).

Callers own the transaction; each step writes its audit event and queues its e-mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.clock import Clock, format_utc
from robotrace.enforcement import records
from robotrace.enforcement.errors import EnforcementError, InvalidRequest
from robotrace.enforcement.evidence import EvidenceRow
from robotrace.enforcement.letters import (
    agencies_from_settings,
    date_for_people,
    finding_of,
    render_template,
    salutation,
    template_source,
    when,
)
from robotrace.enforcement.service import (
    ISSUED,
    RESPONDED,
    key_of,
    named_evidence,
    publish_blocklist,
    reference_of,
    sender_from_settings,
    signatory_for,
)
from robotrace.notify.outbox import enqueue
from robotrace.notify.queue import provider_audiences
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.traceback.model import Answer, Traceback
from robotrace.traceback.store import load_tracebacks

REFERRED = "referred"
WITHDRAWN = "withdrawn"
FINAL = "final"
BLOCKED = "blocked"
NOT_CARRIER = "not_carrier"
ORDER_RESPONSE = "order_response"
ORDER_EMAIL_KIND = "order.issued"
#: A notification or initial order still waiting on the provider or a regulator.
OPEN_STATES = (ISSUED, RESPONDED)

_TITLES = {
    records.NOTIFICATION: "Notification of Suspected Illegal Traffic",
    records.INITIAL_ORDER: "Initial Determination Order",
    records.FINAL_ORDER_KIND: "Final Determination Order",
}


def title_of(action: models.EnforcementAction) -> str:
    return _TITLES[action.kind]


# --- Notifications ------------------------------------------------------------------------


def issue_notification(
    session: Session,
    key: str,
    campaigns: Sequence[str],
    originators: Sequence[str],
    actor: str,
    clock: Clock,
    settings: Settings,
    user_id: int | None = None,
    findings: Sequence[str] = (),
) -> models.EnforcementAction:
    """Notify ``key`` of the identified traffic (named campaigns, originators, findings), with
    the window's tracebacks against it as evidence — also those whose call only passed through
    it (an intermediate provider must then say so and name its upstream)."""
    provider = records.provider_by_key(session, key)
    named, rows = named_evidence(
        session,
        provider,
        campaigns,
        originators,
        findings,
        clock,
        settings.evidence_window_days,
        in_path=True,
    )
    return _notify(
        session,
        provider,
        list(named.campaigns),
        list(named.originators),
        list(named.findings),
        [r.as_json() for r in rows],
        actor,
        clock,
        settings,
        user_id,
    )


def _notify(
    session: Session,
    provider: models.Provider,
    campaigns: list[str],
    originators: list[str],
    findings: list[str],
    rows: list[dict[str, Any]],
    actor: str,
    clock: Clock,
    settings: Settings,
    user_id: int | None,
    follows: models.EnforcementAction | None = None,
) -> models.EnforcementAction:
    now = clock.now()
    notification = models.EnforcementAction(
        provider_id=provider.id,
        kind=records.NOTIFICATION,
        number=records.next_number(session, records.NOTIFICATION),
        ladder="n",
        status=ISSUED,
        issued_at=now,
        respond_by=now + timedelta(days=settings.notification_response_days),
        named_campaigns=campaigns,
        named_originators=originators,
        named_findings=findings,
        evidence={"window_days": settings.evidence_window_days, "rows": rows},
        issued_by=user_id,
        follows_id=follows.id if follows else None,
    )
    session.add(notification)
    session.flush()
    paragraphs = [
        "The Enforcement Bureau has identified the traffic below as suspected illegal traffic "
        "that reached the United States network through your network.",
        "Under 47 CFR 64.1200(n) you must promptly investigate it. If you are the originating "
        "or gateway provider of it, block the identified traffic and substantially similar "
        "traffic on an ongoing basis and report what you did and how you identify similar "
        "traffic. If you are neither, say so and name the provider(s) from which it came.",
        "If you do not respond, or your response is insufficient, or the traffic continues, "
        "the Bureau may issue an Initial Determination Order.",
    ]
    if follows is not None:
        paragraphs.insert(0, f"{reference_of(follows)}'s recipient named you as its upstream.")
    _finish(
        session, notification, provider, paragraphs, actor, clock, settings, "notification.issued"
    )
    return notification


def respond_to_notification(
    session: Session,
    notification_id: int,
    response: str,
    text: str,
    upstreams: Sequence[str],
    actor: str,
    clock: Clock,
    settings: Settings,
    user_id: int | None = None,
) -> models.MitigationReport:
    """The notified provider's response: ``blocked`` with its report, or ``not_carrier``
    naming its upstream(s), each of which is notified in turn."""
    records.lock_action(session, notification_id)
    notification = records.action(session, notification_id, records.NOTIFICATION)
    session.refresh(notification)
    if notification.status not in OPEN_STATES or notification.decided_at is not None:
        raise EnforcementError(f"this notification is {notification.status}; it takes no response")
    text = text.strip()
    provider = session.get(models.Provider, notification.provider_id)
    assert provider is not None
    if response == BLOCKED:
        if not text:
            raise InvalidRequest(
                "say what you blocked and how you find substantially similar traffic"
            )
        named: list[models.Provider] = []
        notification.status = RESPONDED
    elif response == NOT_CARRIER:
        if notification.status != ISSUED:
            raise EnforcementError("you said you block this traffic; name no upstream now")
        named = _upstreams(session, provider, upstreams)
        notification.status = REFERRED
    else:
        raise InvalidRequest(f"a response is {BLOCKED} or {NOT_CARRIER}, not {response!r}")
    now = clock.now()
    report = models.MitigationReport(
        action_id=notification.id,
        provider_id=notification.provider_id,
        text=text,
        filed_at=now,
        filed_by=user_id,
        late=notification.respond_by is not None and now > notification.respond_by,
        kind=response,
        upstreams=[p.key for p in named],
    )
    session.add(report)
    records.audit(
        session,
        now,
        actor,
        "notification.responded",
        provider.key,
        action_id=notification.id,
        response=response,
        upstreams=report.upstreams,
        late=report.late,
    )
    for upstream in named:
        _notify(
            session,
            upstream,
            list(notification.named_campaigns),
            list(notification.named_originators),
            list(notification.named_findings),
            _referred_rows(session, notification, upstream, clock, settings.evidence_window_days),
            actor,
            clock,
            settings,
            None,
            follows=notification,
        )
    return report


def _referred_rows(
    session: Session,
    notification: models.EnforcementAction,
    upstream: models.Provider,
    clock: Clock,
    window_days: float,
) -> list[dict[str, Any]]:
    """An upstream's evidence: the referring notification's rows, and the window's own
    tracebacks of the named traffic through the upstream (it may carry more of it than came
    through the provider that named it)."""
    # The referring provider's rows say what *it* did; for the upstream they are calls it was
    # named as the source of (role "referred"), until its own tracebacks say more.
    rows = {
        r["traceback_id"]: {**r, "roles": [REFERRED], "finding": None}
        for r in notification.evidence.get("rows", [])
    }
    try:
        _named, own = named_evidence(
            session,
            upstream,
            notification.named_campaigns,
            notification.named_originators,
            (),
            clock,
            window_days,
            in_path=True,
        )
    except InvalidRequest:
        own = []  # no traceback shows it: the referral is the evidence
    rows.update((r.traceback_id, r.as_json()) for r in own)
    return sorted(rows.values(), key=lambda r: (r["call_time"], r["traceback_id"]))


def _upstreams(
    session: Session, provider: models.Provider, given: Sequence[str]
) -> list[models.Provider]:
    keys = [g.strip() for g in given if g.strip()]
    if not keys:
        raise InvalidRequest("name the provider(s) from which the traffic came")
    found: dict[int, models.Provider] = {}
    for key in keys:
        upstream = records.provider_by_key(session, key)
        if upstream.id == provider.id:
            raise InvalidRequest("a provider cannot name itself as its upstream")
        found[upstream.id] = upstream
    return list(found.values())


# --- Determination orders -----------------------------------------------------------------


def issue_initial_order(
    session: Session,
    notification_id: int,
    actor: str,
    clock: Clock,
    settings: Settings,
    user_id: int | None = None,
    respond_days: float | None = None,
) -> models.EnforcementAction:
    """An Initial Determination Order on a notification decided noncompliant or no_response;
    the provider has ``respond_days`` (at least 14; None: the ``initial_order_response_days``
    setting) to respond."""
    records.lock_action(session, notification_id)
    notification = records.action(session, notification_id, records.NOTIFICATION)
    session.refresh(notification)
    if notification.status not in ("noncompliant", "no_response"):
        raise EnforcementError(
            f"this notification is {notification.status}; an initial order needs one decided "
            "noncompliant or no_response"
        )
    if _following(session, notification.id, records.INITIAL_ORDER):
        raise EnforcementError("an initial order on this notification was issued already")
    days = settings.initial_order_response_days if respond_days is None else respond_days
    if days < 14:
        raise InvalidRequest("47 CFR 64.1200(n) gives at least 14 days to respond")
    provider = session.get(models.Provider, notification.provider_id)
    assert provider is not None
    now = clock.now()
    order = models.EnforcementAction(
        provider_id=provider.id,
        kind=records.INITIAL_ORDER,
        number=records.next_number(session, records.INITIAL_ORDER),
        ladder="n",
        status=ISSUED,
        issued_at=now,
        respond_by=now + timedelta(days=days),
        named_campaigns=list(notification.named_campaigns),
        named_originators=list(notification.named_originators),
        named_findings=list(notification.named_findings),
        evidence=_evidence_of(notification),
        issued_by=user_id,
        follows_id=notification.id,
        decision=notification.decision,
    )
    session.add(order)
    session.flush()
    paragraphs = [
        f"The Enforcement Bureau has initially determined that you did not comply with "
        f"{reference_of(notification)}: {notification.decision or notification.status}.",
        "You may respond to this initial determination by the date above. If the Bureau then "
        "makes it final, every provider immediately downstream of you must block all of your "
        "traffic.",
    ]
    _finish(session, order, provider, paragraphs, actor, clock, settings, "initial_order.issued")
    return order


def respond_to_order(
    session: Session,
    order_id: int,
    text: str,
    actor: str,
    clock: Clock,
    user_id: int | None = None,
) -> models.MitigationReport:
    """The provider's response to an initial order (kept, and marked late after the window)."""
    records.lock_action(session, order_id)
    order = records.action(session, order_id, records.INITIAL_ORDER)
    session.refresh(order)
    if order.status not in OPEN_STATES:
        raise EnforcementError(f"this order is {order.status}; it takes no response")
    if not text.strip():
        raise InvalidRequest("the response is empty")
    now = clock.now()
    report = models.MitigationReport(
        action_id=order.id,
        provider_id=order.provider_id,
        text=text.strip(),
        filed_at=now,
        filed_by=user_id,
        late=order.respond_by is not None and now > order.respond_by,
        kind=ORDER_RESPONSE,
    )
    session.add(report)
    order.status = RESPONDED
    key = key_of(session, order.provider_id)
    records.audit(
        session, now, actor, "initial_order.responded", key, action_id=order.id, late=report.late
    )
    return report


def issue_final_order(
    session: Session,
    initial_order_id: int,
    actor: str,
    clock: Clock,
    settings: Settings,
    user_id: int | None = None,
    reason: str = "",
    block_days: float | None = None,
) -> models.EnforcementAction:
    """A Final Determination Order once the initial order's response window has passed: the
    providers immediately downstream must block all of the provider's traffic from
    ``effective_at``. The block list gets its new version in the same transaction."""
    records.lock_action(session, initial_order_id)
    initial = records.action(session, initial_order_id, records.INITIAL_ORDER)
    session.refresh(initial)
    if initial.status not in OPEN_STATES:
        raise EnforcementError(f"this initial order is {initial.status}")
    now = clock.now()
    assert initial.respond_by is not None
    if now <= initial.respond_by:
        raise EnforcementError(
            f"the provider may respond until {format_utc(initial.respond_by)}; decide after it"
        )
    provider = session.get(models.Provider, initial.provider_id)
    assert provider is not None
    days = settings.final_order_block_days if block_days is None else block_days
    if days < 0:
        raise InvalidRequest("the blocking date cannot be before the order")
    downstream = downstream_of(session, provider.key, _traceback_ids(initial))
    order = models.EnforcementAction(
        provider_id=provider.id,
        kind=records.FINAL_ORDER_KIND,
        number=records.next_number(session, records.FINAL_ORDER_KIND),
        ladder="n",
        status=records.IN_FORCE,
        issued_at=now,
        effective_at=now + timedelta(days=days),
        named_campaigns=list(initial.named_campaigns),
        named_originators=list(initial.named_originators),
        named_findings=list(initial.named_findings),
        evidence=_evidence_of(initial),
        issued_by=user_id,
        follows_id=initial.id,
        downstream=downstream,
        reason=reason.strip() or f"final determination following {reference_of(initial)}",
    )
    session.add(order)
    initial.status, initial.decided_at = FINAL, now
    session.flush()
    paragraphs = [
        f"The Enforcement Bureau has made final its initial determination {reference_of(initial)}.",
        "Every provider immediately downstream of you must block and cease accepting all of your "
        "traffic from the date above, until the Bureau lifts this order.",
    ]
    _finish(session, order, provider, paragraphs, actor, clock, settings, "final_order.issued")
    publish_blocklist(session, clock, settings)
    return order


def withdraw(
    session: Session, action_id: int, reason: str, actor: str, clock: Clock
) -> models.EnforcementAction:
    """Close a notification or initial order without going further (the reason is kept)."""
    records.lock_action(session, action_id)
    action = session.get(models.EnforcementAction, action_id)
    if action is None or action.kind not in (records.NOTIFICATION, records.INITIAL_ORDER):
        raise LookupError(f"no notification or initial order {action_id}")
    session.refresh(action)
    if action.status in (WITHDRAWN, FINAL, REFERRED):
        raise EnforcementError(f"this step is {action.status} already")
    if not reason.strip():
        raise InvalidRequest("say why it is withdrawn")
    now = clock.now()
    action.status, action.decided_at = WITHDRAWN, now
    action.decision = f"Withdrawn by {actor}: {reason.strip()}"
    records.audit(
        session, now, actor, "order.withdrawn", key_of(session, action.provider_id),
        action_id=action.id, reason=reason.strip(),
    )  # fmt: skip
    return action


# --- Who is immediately downstream --------------------------------------------------------


def downstream_of(session: Session, key: str, traceback_ids: Sequence[str]) -> list[str]:
    """The providers that handed the tracebacks' calls on from ``key``: each asked provider
    that named ``key`` as its upstream (sorted keys)."""
    return sorted(immediately_downstream(load_tracebacks(session, traceback_ids), key))


def immediately_downstream(tracebacks: Sequence[Traceback], key: str) -> set[str]:
    return {
        hop.provider
        for tb in tracebacks
        for hop in tb.hops
        if hop.answer is Answer.UPSTREAM and hop.upstream == key and hop.provider != key
    }


def _traceback_ids(action: models.EnforcementAction) -> list[str]:
    ids = [r["traceback_id"] for r in action.evidence.get("rows", [])]
    ids += [r["traceback_id"] for r in action.evidence.get("after_deadline", [])]
    return list(dict.fromkeys(ids))


def _evidence_of(previous: models.EnforcementAction) -> dict[str, Any]:
    keep = ("window_days", "rows", "after_deadline", "reasons", "similar")
    return {k: previous.evidence[k] for k in keep if k in previous.evidence}


def _following(session: Session, action_id: int, kind: models.EnforcementKind) -> int | None:
    return session.scalar(
        select(models.EnforcementAction.id).where(
            models.EnforcementAction.follows_id == action_id,
            models.EnforcementAction.kind == kind,
        )
    )


def chain_of(session: Session, action: models.EnforcementAction) -> list[models.EnforcementAction]:
    """The step and every step that follows it, in order (notification → referrals or
    initial order → final order)."""
    found = [action]
    index = 0
    while index < len(found):
        children = session.scalars(
            select(models.EnforcementAction)
            .where(models.EnforcementAction.follows_id == found[index].id)
            .order_by(models.EnforcementAction.id)
        )
        found.extend(children)
        index += 1
    return found


# --- Documents and e-mail -----------------------------------------------------------------


def _finish(
    session: Session,
    action: models.EnforcementAction,
    provider: models.Provider,
    paragraphs: list[str],
    actor: str,
    clock: Clock,
    settings: Settings,
    event: str,
) -> None:
    """Render and keep the step's document (its times in the ``display_zone``), audit it,
    queue its e-mail."""
    follows = (
        session.get(models.EnforcementAction, action.follows_id) if action.follows_id else None
    )
    rows = [EvidenceRow.from_json(r) for r in action.evidence.get("rows", [])]
    address = records.address_of(provider)
    zone = settings.display_zone
    context = {
        "step": {
            "reference": reference_of(action),
            "title": title_of(action),
            "date": date_for_people(records.issued_at(action), zone),
            "issued_at": when(records.issued_at(action), zone),
            "respond_by": when(action.respond_by, zone) if action.respond_by else "",
            "effective_at": when(action.effective_at, zone)
            if action.kind == records.FINAL_ORDER_KIND and action.effective_at
            else "",
            "follows": reference_of(follows) if follows else "",
        },
        "provider": vars(address),
        "salutation": salutation(address),
        "sender": vars(sender_from_settings(settings)),
        "signatory": vars(signatory_for(session, action.issued_by, settings)),
        "contact": settings.letter_contact or settings.operator_contact_email,
        "agencies": agencies_from_settings(settings),
        "paragraphs": paragraphs,
        "campaigns": list(action.named_campaigns),
        "campaign_details": [
            vars(c) for c in records.campaign_summaries(session, list(action.named_campaigns))
        ],
        "originators": list(action.named_originators),
        "downstream": list(action.downstream),
        "rows": [
            {
                "traceback_id": r.traceback_id,
                "campaign": r.campaign,
                "call_time": when(r.call_time, zone, seconds=True),
                "caller_id": r.caller_id,
                "role": f"{r.role}: {finding_of(r, zone)}" if r.finding else r.role,
            }
            for r in rows
        ],
    }
    action.document = render_template(template_source("", "mandatory_step.html"), context)
    now = clock.now()
    records.audit(
        session,
        now,
        actor,
        event,
        provider.key,
        action_id=action.id,
        reference=reference_of(action),
        follows=action.follows_id,
        respond_by=format_utc(action.respond_by) if action.respond_by else None,
        effective_at=format_utc(action.effective_at) if action.effective_at else None,
        downstream=list(action.downstream),
    )
    what_to_do = paragraphs[-2] if len(paragraphs) > 1 else ""
    _email(session, action, provider, what_to_do, clock, settings)


def _email(
    session: Session,
    action: models.EnforcementAction,
    provider: models.Provider,
    what_to_do: str,
    clock: Clock,
    settings: Settings,
) -> None:
    base = settings.base_url.rstrip("/")
    payload = {
        "action_id": action.id,
        "reference": reference_of(action),
        "title": title_of(action),
        "provider": {"key": provider.key, "name": provider.business_name},
        "agencies": agencies_from_settings(settings),
        "issued_at": format_utc(records.issued_at(action)),
        "respond_by": format_utc(action.respond_by) if action.respond_by else None,
        "effective_at": format_utc(action.effective_at)
        if action.kind == records.FINAL_ORDER_KIND and action.effective_at
        else None,
        "campaigns": list(action.named_campaigns),
        "originators": list(action.named_originators),
        "action": what_to_do,
        "link": f"{base}/api/v1/orders/{action.id}.pdf",
    }
    addresses = provider_audiences(session, {provider.id})[provider.id].emails
    for address in addresses:
        key = f"{ORDER_EMAIL_KIND}:{action.id}:email:{address}"
        enqueue(session, "email", address, ORDER_EMAIL_KIND, payload, key, clock)
