"""Enforcement against the store: evidence, letters, decisions, reports, authorizations and
the block list — the one place the API, the pages and the worker call. Callers own the
transaction (commit or roll back); each step writes its audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace import settings
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
)
from robotrace.enforcement.compliance import Decision, NamedTraffic
from robotrace.enforcement.errors import EnforcementError, InvalidRequest
from robotrace.enforcement.evidence import Candidate, EvidenceRow, candidates, evidence_rows
from robotrace.enforcement.letters import (
    LetterContent,
    agencies_from_settings,
    deadlines_from_settings,
    html_to_pdf,
    render_letter_html,
)

# The block list's functions are part of this service too (re-exported for callers).
from robotrace.enforcement.publish import blocklist_version as blocklist_version
from robotrace.enforcement.publish import latest_blocklist as latest_blocklist
from robotrace.enforcement.publish import publish_blocklist as publish_blocklist
from robotrace.notify.outbox import enqueue
from robotrace.notify.queue import provider_audiences
from robotrace.store import models
from robotrace.store.providers import provider_directory

ISSUED = "issued"
LETTER_EMAIL_KIND = "letter.issued"


def window_start(now: datetime, days: float | None = None) -> datetime:
    return now - timedelta(days=settings.get("evidence_window_days") if days is None else days)


def letter_reference(action_id: int) -> str:
    return f"WL-{action_id:06d}"


def notice_reference(action_id: int) -> str:
    return f"BA-{action_id:06d}"


# --- Evidence ---------------------------------------------------------------------------


def evidence_for_provider(
    session: Session, key: str, clock: Clock, window_days: float | None = None
) -> list[EvidenceRow]:
    """Tracebacks in the window in which ``key`` originated, let in, or stonewalled a call."""
    provider = records.provider_by_key(session, key)
    now = clock.now()
    since = window_start(now, window_days)
    tracebacks = records.tracebacks_after(session, since)
    return evidence_rows(tracebacks, provider_directory(session), provider.key, since, now)


def letter_candidates(
    session: Session, clock: Clock, window_days: float | None = None
) -> list[Candidate]:
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
    user_id: int | None = None,
) -> models.EnforcementAction:
    """Issue a warning letter naming ``campaigns`` and/or ``originators``; its evidence is
    the window's tracebacks against the provider for that traffic. Queues the e-mail."""
    try:
        named = NamedTraffic(_clean(campaigns), _clean(originators))
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    provider = records.provider_by_key(session, key)
    rows = [r for r in evidence_for_provider(session, provider.key, clock) if named.covers(r)]
    if not rows:
        days = settings.get("evidence_window_days")
        raise InvalidRequest(
            f"no traceback in the last {days:g} days shows {provider.key} with the named traffic"
        )
    now = clock.now()
    deadlines = deadlines_from_settings(now)
    letter = models.EnforcementAction(
        provider_id=provider.id,
        kind=records.LETTER,
        status=ISSUED,
        issued_at=now,
        mitigate_by=deadlines.mitigate_by,
        report_by=deadlines.report_by,
        named_campaigns=list(named.campaigns),
        named_originators=list(named.originators),
        evidence={"window_days": settings.get("evidence_window_days"), "rows": []},
        issued_by=user_id,
    )
    session.add(letter)
    session.flush()
    letter.evidence = {**letter.evidence, "rows": [r.as_json() for r in rows]}
    content = LetterContent(
        letter_reference(letter.id),
        records.address_of(provider),
        agencies_from_settings(),
        now,
        deadlines,
        named.campaigns,
        named.originators,
        rows,
    )
    letter.document = render_letter_html(content)
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
    _email_letter(session, letter, provider, actor, clock)
    return letter


def _email_letter(
    session: Session,
    letter: models.EnforcementAction,
    provider: models.Provider,
    actor: str,
    clock: Clock,
) -> None:
    base = str(settings.get("base_url")).rstrip("/")
    payload = {
        "letter_id": letter.id,
        "reference": letter_reference(letter.id),
        "provider": {"key": provider.key, "name": provider.business_name},
        "agencies": agencies_from_settings(),
        "issued_at": format_utc(letter.issued_at),  # type: ignore[arg-type]
        "mitigate_by": format_utc(letter.mitigate_by),  # type: ignore[arg-type]
        "report_by": format_utc(letter.report_by),  # type: ignore[arg-type]
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
    key = _key(session, letter.provider_id)
    records.audit(
        session, now, actor, "letter.mitigation_report", key, letter_id=letter.id, late=late
    )
    return report


def mitigation_reports(session: Session, letter_id: int) -> list[models.MitigationReport]:
    query = select(models.MitigationReport).where(models.MitigationReport.action_id == letter_id)
    return list(session.scalars(query.order_by(models.MitigationReport.id)))


def _key(session: Session, provider_id: int) -> str:
    provider = session.get(models.Provider, provider_id)
    assert provider is not None
    return provider.key


# --- Decisions --------------------------------------------------------------------------


def evaluate_letter(session: Session, letter: models.EnforcementAction) -> Decision:
    """The compliance decision from the tracebacks stored now (nothing is written)."""
    assert letter.mitigate_by is not None
    key = _key(session, letter.provider_id)
    tracebacks = records.tracebacks_after(session, letter.mitigate_by)
    rows = evidence_rows(tracebacks, provider_directory(session), key)
    named = NamedTraffic(tuple(letter.named_campaigns), tuple(letter.named_originators))
    return compliance.decide(rows, named, letter.mitigate_by)


def decide_letter(
    session: Session, letter_id: int, actor: str, clock: Clock
) -> models.EnforcementAction:
    """Decide (or, for the regulator, decide again) a letter whose ``mitigate_by`` has passed."""
    records.lock_action(session, letter_id)
    letter = records.action(session, letter_id, records.LETTER)
    session.refresh(letter)
    now = clock.now()
    if letter.mitigate_by is None or now <= letter.mitigate_by:
        raise EnforcementError(
            f"the deadline {format_utc(letter.mitigate_by or now)} has not passed yet"
        )
    decision = evaluate_letter(session, letter)
    previous = letter.status
    letter.status = decision.status
    letter.decided_at = now
    letter.decision = decision.text
    letter.evidence = {**letter.evidence, "after_deadline": [r.as_json() for r in decision.rows]}
    records.audit(
        session,
        now,
        actor,
        "letter.decided",
        _key(session, letter.provider_id),
        letter_id=letter.id,
        status=decision.status,
        previous=previous,
        tracebacks=[r.traceback_id for r in decision.rows],
    )
    return letter


def due_letter_ids(session: Session, now: datetime, grace: timedelta) -> list[int]:
    """Undecided letters whose ``mitigate_by + grace`` has passed, oldest deadline first."""
    query = (
        select(models.EnforcementAction.id)
        .where(
            models.EnforcementAction.kind == records.LETTER,
            models.EnforcementAction.status == ISSUED,
            models.EnforcementAction.mitigate_by <= now - grace,
        )
        .order_by(models.EnforcementAction.mitigate_by, models.EnforcementAction.id)
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
            notice_reference(auth.id),
            records.address_of(provider),
            agencies_from_settings(),
            now,
            effective,
            request.scope,
            numbers,
            auth.reason,
            letter_reference(letter_id) if letter_id else None,
        )
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
    publish_blocklist(session, clock)
    return auth


def lift_authorization(
    session: Session, authorization_id: int, actor: str, clock: Clock
) -> models.EnforcementAction:
    """Lift an active authorization; its entries leave the block list (a new version)."""
    records.lock_action(session, authorization_id)
    auth = records.action(session, authorization_id, records.AUTHORIZATION)
    session.refresh(auth)
    check_liftable(auth.status)
    now = clock.now()
    auth.status, auth.lifted_at, auth.lifted_by = LIFTED, now, actor
    records.audit(
        session,
        now,
        actor,
        "authorization.lifted",
        _key(session, auth.provider_id),
        authorization_id=auth.id,
    )
    publish_blocklist(session, clock)
    return auth


def notice_pdf(authorization: models.EnforcementAction) -> bytes:
    return html_to_pdf(authorization.document or "")
