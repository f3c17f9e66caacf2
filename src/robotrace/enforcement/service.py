"""Enforcement against the store: evidence, letters, decisions, reports, authorizations and
the block list — the one place the API, the pages and the worker call. Callers own the
transaction (commit or roll back); each step writes its audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.clock import Clock, as_utc, format_utc
from robotrace.enforcement import compliance, records
from robotrace.enforcement.authorizations import (
    ACTIVE,
    LIFTED,
    NoticeContent,
    Scope,
    check_issuable,
    check_liftable,
    normalized_numbers,
    render_notice_html,
    step_reference,
)
from robotrace.enforcement.compliance import Decision, NamedTraffic
from robotrace.enforcement.errors import EnforcementError, InvalidRequest
from robotrace.enforcement.evidence import (
    NON_COOPERATIVE,
    Candidate,
    EvidenceRow,
    candidates,
    evidence_rows,
    path_rows,
)
from robotrace.enforcement.letters import (
    Deadlines,
    LetterContent,
    Sender,
    Signatory,
    agencies_from_settings,
    deadlines_from_settings,
    html_to_pdf,
    render_letter_html,
)

# The block list's functions are part of this service too (re-exported for callers).
from robotrace.enforcement.publish import blocklist_version as blocklist_version
from robotrace.enforcement.publish import latest_blocklist as latest_blocklist
from robotrace.enforcement.publish import publish_blocklist as publish_blocklist
from robotrace.enforcement.similar import TrafficProfile, profile_of
from robotrace.notify.outbox import enqueue
from robotrace.notify.queue import provider_audiences
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.models import EnforcementKind
from robotrace.traceback.store import provider_directory

ISSUED = "issued"
LETTER_EMAIL_KIND = "letter.issued"


def window_start(now: datetime, window_days: float) -> datetime:
    """Where the evidence window of ``window_days`` (the ``evidence_window_days`` setting, or
    a request's own) ending ``now`` starts."""
    return now - timedelta(days=window_days)


def letter_reference(letter: models.EnforcementAction) -> str:
    """``WL-000003``: the letter's reference (:func:`reference_of`)."""
    return reference_of(letter)


def notice_reference(authorization: models.EnforcementAction) -> str:
    """``BA-000002``: the authorization's reference (:func:`reference_of`)."""
    return reference_of(authorization)


_PREFIXES = {
    records.LETTER: "WL",
    records.AUTHORIZATION: "BA",
    records.NOTIFICATION: "NSIT",
    records.INITIAL_ORDER: "IDO",
    records.FINAL_ORDER_KIND: "FDO",
}


def reference_of(action: models.EnforcementAction) -> str:
    """The step's reference: WL- (letter), BA- (authorization), NSIT- (notification), IDO-
    and FDO- (initial and final determination orders), and its number in its kind's own
    sequence (a row without one — made outside the service — shows its id)."""
    number = action.number if action.number is not None else action.id
    return step_reference(_PREFIXES.get(action.kind, "EA"), number)


# --- Previews and drafts -----------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """A step as it would go out now: its reference, kind and document (HTML)."""

    reference: str
    kind: EnforcementKind
    document: str


def preview(session: Session, issue: Callable[[], models.EnforcementAction]) -> Preview:
    """What ``issue`` would send, computed by issuing it inside a savepoint that is then
    rolled back: the same code writes the preview and the letter, so the preview is the
    letter (its number and dates are those of this moment; sending later takes the
    moment of sending). Nothing stays: no step, no number, no e-mail, no audit."""
    nested = session.begin_nested()
    try:
        action = issue()
        session.flush()
        return Preview(reference_of(action), action.kind, action.document or "")
    finally:
        nested.rollback()


DRAFT_KINDS = (EnforcementKind.WARNING_LETTER, EnforcementKind.NOTIFICATION)


def save_draft(
    session: Session,
    key: str,
    kind: EnforcementKind,
    campaigns: Sequence[str],
    originators: Sequence[str],
    findings: Sequence[str],
    actor: str,
    clock: Clock,
    user_id: int | None = None,
    draft_id: int | None = None,
) -> models.EnforcementDraft:
    """Keep a letter or notification unsent (a new draft, or ``draft_id`` changed): only
    what it names and to whom; its evidence and document are made when it is sent."""
    if kind not in DRAFT_KINDS:
        raise InvalidRequest(f"a draft is a warning letter or a notification, not {kind}")
    try:
        named = NamedTraffic(_clean(campaigns), _clean(originators), _clean(findings))
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    provider = records.provider_by_key(session, key)
    now = clock.now()
    draft = session.get(models.EnforcementDraft, draft_id) if draft_id else None
    if draft_id and draft is None:
        raise LookupError(f"no draft {draft_id}")
    if draft is None:
        draft = models.EnforcementDraft(created_at=now, created_by=user_id, actor=actor)
        session.add(draft)
    draft.provider_id, draft.kind, draft.updated_at = provider.id, kind.value, now
    draft.named_campaigns = list(named.campaigns)
    draft.named_originators = list(named.originators)
    draft.named_findings = list(named.findings)
    session.flush()
    records.audit(session, now, actor, "draft.saved", provider.key, draft_id=draft.id)
    return draft


def drafts(session: Session, provider_id: int | None = None) -> list[models.EnforcementDraft]:
    """Unsent drafts, newest first (one provider's, or all)."""
    query = select(models.EnforcementDraft).order_by(models.EnforcementDraft.id.desc())
    if provider_id is not None:
        query = query.where(models.EnforcementDraft.provider_id == provider_id)
    return list(session.scalars(query))


def discard_draft(session: Session, draft_id: int, actor: str, clock: Clock) -> None:
    draft = session.get(models.EnforcementDraft, draft_id)
    if draft is None:
        raise LookupError(f"no draft {draft_id}")
    key = key_of(session, draft.provider_id)
    session.delete(draft)
    records.audit(session, clock.now(), actor, "draft.discarded", key, draft_id=draft_id)


# --- Evidence ---------------------------------------------------------------------------


def evidence_for_provider(
    session: Session, key: str, clock: Clock, window_days: float
) -> list[EvidenceRow]:
    """Tracebacks in the window in which ``key`` originated, let in, or stonewalled a call."""
    provider = records.provider_by_key(session, key)
    now = clock.now()
    since = window_start(now, window_days)
    tracebacks = records.tracebacks_after(session, since)
    return evidence_rows(tracebacks, provider_directory(session), provider.key, since, now)


def letter_candidates(session: Session, clock: Clock, window_days: float) -> list[Candidate]:
    """Providers ranked for a letter: most tracebacks in the window first."""
    now = clock.now()
    since = window_start(now, window_days)
    tracebacks = records.tracebacks_after(session, since)
    return candidates(tracebacks, provider_directory(session), since, now)


# --- Letters ----------------------------------------------------------------------------


def _clean(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.strip() for n in names if n.strip()))


def issue_letter(
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
    """Issue a warning letter (the K4 notice) naming ``campaigns``, ``originators`` and/or
    ``findings`` (tracebacks in which the provider refused or did not answer); its evidence
    is the window's tracebacks against the provider for them. Queues the e-mail."""
    provider = records.provider_by_key(session, key)
    window_days = settings.evidence_window_days
    named, rows = named_evidence(
        session, provider, campaigns, originators, findings, clock, window_days
    )
    now = clock.now()
    deadlines = deadlines_from_settings(now, settings)
    letter = models.EnforcementAction(
        provider_id=provider.id,
        kind=records.LETTER,
        number=records.next_number(session, records.LETTER),
        status=ISSUED,
        issued_at=now,
        mitigate_by=deadlines.mitigate_by,
        report_by=deadlines.report_by,
        named_campaigns=list(named.campaigns),
        named_originators=list(named.originators),
        named_findings=list(named.findings),
        evidence={"window_days": window_days, "rows": []},
        issued_by=user_id,
        ladder="k4",
    )
    session.add(letter)
    session.flush()
    letter.evidence = {**letter.evidence, "rows": [r.as_json() for r in rows]}
    content = LetterContent(
        reference_of(letter),
        records.address_of(provider),
        agencies_from_settings(settings),
        now,
        deadlines,
        named.campaigns,
        named.originators,
        rows,
        records.campaign_summaries(session, named.campaigns),
        sender_from_settings(settings),
        signatory_for(session, user_id, settings),
        settings.letter_contact,
    )
    letter.document = render_letter_html(content, settings)
    records.audit(
        session,
        now,
        actor,
        "letter.issued",
        provider.key,
        letter_id=letter.id,
        campaigns=list(named.campaigns),
        originators=list(named.originators),
        tracebacks=[r.traceback_id for r in rows],
        mitigate_by=format_utc(deadlines.mitigate_by),
        report_by=format_utc(deadlines.report_by),
    )
    _email_letter(session, letter, provider, deadlines, actor, clock, settings)
    return letter


def sender_from_settings(settings: Settings) -> Sender:
    """The letterhead: the portal's operator (operator_* settings), else the first agency."""
    agencies = agencies_from_settings(settings)
    name = settings.operator_name or (agencies[0] if agencies else "")
    return Sender(name, settings.operator_address, settings.operator_contact_email)


def signatory_for(session: Session, user_id: int | None, settings: Settings) -> Signatory:
    """Who signs: the letter_signatory settings, else the issuing regulator's account."""
    name = settings.letter_signatory
    if not name and user_id is not None:
        user = session.get(models.User, user_id)
        name = (user.name or user.email) if user is not None else ""
    agencies = agencies_from_settings(settings)
    title = settings.letter_signatory_title or (agencies[0] if agencies else "")
    return Signatory(name or title, title if name else "")


def named_evidence(
    session: Session,
    provider: models.Provider,
    campaigns: Sequence[str],
    originators: Sequence[str],
    findings: Sequence[str],
    clock: Clock,
    window_days: float,
    in_path: bool = False,
) -> tuple[NamedTraffic, list[EvidenceRow]]:
    """What a step names, checked, and the evidence rows of the last ``window_days`` for it
    (a finding counts only where the provider refused or was silent in that traceback).
    ``in_path`` also counts tracebacks whose call merely passed through the provider (a
    notification's)."""
    try:
        named = NamedTraffic(_clean(campaigns), _clean(originators), _clean(findings))
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    rows = evidence_for_provider(session, provider.key, clock, window_days)
    if in_path:
        now = clock.now()
        since = window_start(now, window_days)
        tracebacks = records.tracebacks_after(session, since)
        passed = path_rows(tracebacks, provider_directory(session), provider.key, since, now)
        rows = sorted([*rows, *passed], key=lambda r: (r.call_time, r.traceback_id))
    shown = {r.traceback_id for r in rows if NON_COOPERATIVE in r.roles}
    if missing := [f for f in named.findings if f not in shown]:
        raise InvalidRequest(
            f"{', '.join(missing)[:200]}: not a refusal or silence of {provider.key} in the window"
        )
    rows = [r for r in rows if named.covers(r)]
    if not rows:
        raise InvalidRequest(
            f"no traceback in the last {window_days:g} days shows {provider.key} with the "
            "named traffic"
        )
    return named, rows


def _email_letter(
    session: Session,
    letter: models.EnforcementAction,
    provider: models.Provider,
    deadlines: Deadlines,
    actor: str,
    clock: Clock,
    settings: Settings,
) -> None:
    base = settings.base_url.rstrip("/")
    payload = {
        "letter_id": letter.id,
        "reference": reference_of(letter),
        "provider": {"key": provider.key, "name": provider.business_name},
        "agencies": agencies_from_settings(settings),
        "issued_at": format_utc(records.issued_at(letter)),
        "mitigate_by": format_utc(deadlines.mitigate_by),
        "report_by": format_utc(deadlines.report_by),
        "campaigns": letter.named_campaigns,
        "originators": letter.named_originators,
        "link": f"{base}/api/v1/letters/{letter.id}.pdf",
    }
    addresses = provider_audiences(session, {provider.id})[provider.id].emails
    for address in addresses:
        key = f"{LETTER_EMAIL_KIND}:{letter.id}:email:{address}"
        enqueue(session, "email", address, LETTER_EMAIL_KIND, payload, key, clock)
    records.audit(
        session,
        clock.now(),
        actor,
        "letter.emailed",
        provider.key,
        letter_id=letter.id,
        to=list(addresses),
    )


def letter_pdf(letter: models.EnforcementAction) -> bytes:
    """The PDF of the letter as issued (rendered from its stored HTML)."""
    return html_to_pdf(letter.document or "")


def letter_rows(letter: models.EnforcementAction) -> list[EvidenceRow]:
    return [EvidenceRow.from_json(r) for r in letter.evidence.get("rows", [])]


def file_mitigation_report(
    session: Session,
    letter: models.EnforcementAction,
    text: str,
    actor: str,
    clock: Clock,
    user_id: int | None = None,
) -> models.MitigationReport:
    """The provider's report of what it did; after ``report_by`` it is kept, marked late."""
    if not text.strip():
        raise InvalidRequest("the report is empty")
    now = clock.now()
    late = letter.report_by is not None and now > letter.report_by
    report = models.MitigationReport(
        action_id=letter.id,
        provider_id=letter.provider_id,
        text=text.strip(),
        filed_at=now,
        filed_by=user_id,
        late=late,
    )
    session.add(report)
    key = key_of(session, letter.provider_id)
    records.audit(
        session, now, actor, "letter.mitigation_report", key, letter_id=letter.id, late=late
    )
    return report


def mitigation_reports(session: Session, action_id: int) -> list[models.MitigationReport]:
    """A step's reports and responses (a letter's, a notification's, an initial order's)."""
    query = select(models.MitigationReport).where(models.MitigationReport.action_id == action_id)
    return list(session.scalars(query.order_by(models.MitigationReport.id)))


def key_of(session: Session, provider_id: int) -> str:
    """The key of the provider with row id ``provider_id``."""
    provider = session.get(models.Provider, provider_id)
    assert provider is not None
    return provider.key


# --- Proposals and decisions --------------------------------------------------------------
#
# At a step's deadline (plus the grace period) the worker *proposes* complied, noncompliant
# or (a notification nobody answered) no_response, with the evidence; a regulator decides,
# with the provider's reports beside the proposal. ``enforcement_decisions = automatic``
# makes the worker decide its own proposal (the demo's mode).

DECIDABLE = {
    records.LETTER: (compliance.COMPLIED, compliance.NONCOMPLIANT),
    records.NOTIFICATION: (compliance.COMPLIED, compliance.NONCOMPLIANT, compliance.NO_RESPONSE),
}
#: A notification's status once the provider said it blocks (it is then judged like a letter).
RESPONDED = "responded"


def deadline_of(action: models.EnforcementAction) -> datetime | None:
    """When a step's time to act runs out: a letter's ``mitigate_by``, a notification's
    ``respond_by``."""
    return action.mitigate_by if action.kind == records.LETTER else action.respond_by


def named_traffic(action: models.EnforcementAction) -> NamedTraffic:
    return NamedTraffic(
        tuple(action.named_campaigns), tuple(action.named_originators), tuple(action.named_findings)
    )


def traffic_profile(session: Session, action: models.EnforcementAction) -> TrafficProfile:
    """The identified traffic of a step and what is substantially similar to it."""
    return profile_of(
        letter_rows(action),
        action.named_campaigns,
        action.named_originators,
        records.campaign_facts(session),
    )


def evaluate(session: Session, action: models.EnforcementAction, zone: str) -> Decision:
    """The proposal from the tracebacks stored now (nothing is written), its text writing
    times in ``zone`` (the ``display_zone`` setting). A notification that got no response is
    ``no_response`` whatever the traffic shows."""
    deadline = deadline_of(action)
    assert deadline is not None
    if action.kind == records.NOTIFICATION and action.status == ISSUED:
        text = f"No response to the notification by {format_utc(deadline)}."
        return Decision(compliance.NO_RESPONSE, (), text)
    key = key_of(session, action.provider_id)
    tracebacks = records.tracebacks_after(session, deadline)
    rows = evidence_rows(tracebacks, provider_directory(session), key)
    return compliance.decide(
        rows, named_traffic(action), deadline, zone, traffic_profile(session, action)
    )


#: A notification in these states is not judged: it went upstream or was withdrawn.
CLOSED_NOTIFICATION = ("referred", "withdrawn")


def _check_notification_decidable(session: Session, row: models.EnforcementAction) -> None:
    if row.status in CLOSED_NOTIFICATION:
        raise EnforcementError(f"this notification is {row.status}; it is not decided")
    followed = session.scalar(
        select(models.EnforcementAction.id).where(
            models.EnforcementAction.follows_id == row.id,
            models.EnforcementAction.kind == records.INITIAL_ORDER,
        )
    )
    if followed is not None:
        raise EnforcementError("an initial order follows this notification; it is decided")


def _decidable(session: Session, action_id: int, clock: Clock) -> models.EnforcementAction:
    row = session.get(models.EnforcementAction, action_id)
    if row is None or row.kind not in DECIDABLE:
        raise LookupError(f"no letter or notification {action_id}")
    session.refresh(row)
    if row.kind == records.NOTIFICATION:
        _check_notification_decidable(session, row)
    deadline = deadline_of(row)
    if deadline is None or clock.now() <= deadline:
        raise EnforcementError(
            f"the deadline {format_utc(deadline or clock.now())} has not passed yet"
        )
    return row


def propose(
    session: Session, action_id: int, actor: str, clock: Clock, zone: str
) -> models.EnforcementAction:
    """Write the worker's proposal on a letter or notification past its deadline (its text
    writes times in ``zone``, the ``display_zone`` setting)."""
    records.lock_action(session, action_id)
    action = _decidable(session, action_id, clock)
    decision = evaluate(session, action, zone)
    now = clock.now()
    action.proposal, action.proposal_text, action.proposed_at = decision.status, decision.text, now
    action.evidence = {
        **action.evidence,
        "after_deadline": [r.as_json() for r in decision.rows],
        "reasons": decision.reasons,
        "similar": traffic_profile(session, action).as_json(),
    }
    records.audit(
        session,
        now,
        actor,
        f"{_noun(action)}.proposed",
        key_of(session, action.provider_id),
        action_id=action.id,
        proposal=decision.status,
        tracebacks=[r.traceback_id for r in decision.rows],
    )
    return action


def decide(
    session: Session,
    action_id: int,
    actor: str,
    clock: Clock,
    zone: str,
    status: str | None = None,
    reason: str = "",
) -> models.EnforcementAction:
    """Decide (or decide again) a letter or notification past its deadline: ``status`` is the
    person's decision (None: the proposal, made now if there is none, its times written in
    ``zone``). A decision other than the proposal needs a ``reason``, kept with it."""
    action = propose(session, action_id, actor, clock, zone)
    chosen = status or action.proposal
    if chosen not in DECIDABLE[action.kind]:
        allowed = ", ".join(DECIDABLE[action.kind])
        raise InvalidRequest(f"a decision is one of {allowed}, not {chosen!r}")
    reason = reason.strip()
    if chosen != action.proposal and not reason:
        raise InvalidRequest(f"the proposal is {action.proposal}: say why the decision is {chosen}")
    now = clock.now()
    previous = action.status
    action.status, action.decided_at = chosen, now
    action.decision = action.proposal_text if chosen == action.proposal else ""
    if reason:
        action.decision = f"{action.decision}\nDecided {chosen} by {actor}: {reason}".strip()
    records.audit(
        session,
        now,
        actor,
        f"{_noun(action)}.decided",
        key_of(session, action.provider_id),
        action_id=action.id,
        letter_id=action.id,
        status=chosen,
        proposal=action.proposal,
        previous=previous,
        reason=reason,
        tracebacks=[r["traceback_id"] for r in action.evidence.get("after_deadline", [])],
    )
    return action


def decide_letter(
    session: Session,
    letter_id: int,
    actor: str,
    clock: Clock,
    zone: str,
    status: str | None = None,
    reason: str = "",
) -> models.EnforcementAction:
    """:func:`decide` for a warning letter."""
    records.action(session, letter_id, records.LETTER)
    return decide(session, letter_id, actor, clock, zone, status, reason)


def _noun(action: models.EnforcementAction) -> str:
    return "letter" if action.kind == records.LETTER else "notification"


def due_for_proposal(session: Session, now: datetime, grace: timedelta) -> list[int]:
    """Letters and notifications without a proposal whose deadline + grace has passed, oldest
    deadline first (a notification referred upstream is not judged: its upstreams are)."""
    action = models.EnforcementAction
    limit = now - grace
    query = (
        select(action.id)
        .where(
            action.proposal.is_(None),
            (
                (action.kind == records.LETTER)
                & (action.status == ISSUED)
                & (action.mitigate_by <= limit)
            )
            | (
                (action.kind == records.NOTIFICATION)
                & action.status.in_((ISSUED, RESPONDED))
                & (action.respond_by <= limit)
            ),
        )
        .order_by(action.id)
    )
    return list(session.scalars(query))


# --- Block authorizations ---------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizationRequest:
    key: str
    scope: Scope = Scope.PROVIDER
    numbers: Sequence[str] = ()
    effective_at: datetime | None = None
    reason: str = ""


def issue_authorization(
    session: Session,
    request: AuthorizationRequest,
    actor: str,
    clock: Clock,
    settings: Settings,
    user_id: int | None = None,
) -> models.EnforcementAction:
    """Authorize blocking (see :mod:`robotrace.enforcement.authorizations` for the scopes);
    the block list gets its new version in the same transaction."""
    provider = records.provider_by_key(session, request.key)
    numbers = normalized_numbers(request.scope, request.numbers)
    # Two regulators at once: the second waits here and then sees the first's authorization.
    records.lock_provider(session, provider.id)
    letter_id = records.locked_noncompliant_letter_id(session, provider.id)
    active = records.active_authorizations(session, provider.id)
    check_issuable(request.scope, numbers, letter_id, active)
    now = clock.now()
    effective = as_utc(request.effective_at) if request.effective_at else now
    auth = models.EnforcementAction(
        provider_id=provider.id,
        kind=records.AUTHORIZATION,
        number=records.next_number(session, records.AUTHORIZATION),
        status=ACTIVE,
        issued_at=now,
        scope=request.scope.value,
        numbers=list(numbers),
        effective_at=effective,
        reason=request.reason.strip(),
        letter_id=letter_id,
        issued_by=user_id,
    )
    session.add(auth)
    session.flush()
    auth.document = render_notice_html(
        NoticeContent(
            reference_of(auth),
            records.address_of(provider),
            agencies_from_settings(settings),
            now,
            effective,
            request.scope,
            numbers,
            auth.reason,
            _reference_of_id(session, letter_id),
        ),
        settings,
    )
    records.audit(
        session,
        now,
        actor,
        "authorization.issued",
        provider.key,
        authorization_id=auth.id,
        scope=auth.scope,
        numbers=list(numbers),
        effective_at=format_utc(effective),
        letter_id=letter_id,
    )
    publish_blocklist(session, clock, settings)
    return auth


def lift_authorization(
    session: Session, authorization_id: int, actor: str, clock: Clock, settings: Settings
) -> models.EnforcementAction:
    """Lift an active authorization, or a final order in force; its entries leave the block
    list (a new version)."""
    records.lock_action(session, authorization_id)
    auth = session.get(models.EnforcementAction, authorization_id)
    kinds = (records.AUTHORIZATION, records.FINAL_ORDER_KIND)
    if auth is None or auth.kind not in kinds:
        raise LookupError(f"no block authorization or final order {authorization_id}")
    session.refresh(auth)
    check_liftable(auth.status if auth.kind == records.AUTHORIZATION else _as_active(auth.status))
    now = clock.now()
    auth.status, auth.lifted_at, auth.lifted_by = LIFTED, now, actor
    records.audit(
        session,
        now,
        actor,
        "authorization.lifted" if auth.kind == records.AUTHORIZATION else "final_order.lifted",
        key_of(session, auth.provider_id),
        authorization_id=auth.id,
    )
    publish_blocklist(session, clock, settings)
    return auth


def _reference_of_id(session: Session, action_id: int | None) -> str | None:
    row = session.get(models.EnforcementAction, action_id) if action_id else None
    return reference_of(row) if row is not None else None


def _as_active(status: str) -> str:
    return ACTIVE if status == records.IN_FORCE else status


def notice_pdf(authorization: models.EnforcementAction) -> bytes:
    return html_to_pdf(authorization.document or "")
