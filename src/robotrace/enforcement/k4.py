"""Blocking under a permissive (K4) authorization, and the notice to the FCC it needs.

47 CFR 64.1200(k)(4) lets a provider block calls from an originating or intermediate provider
that, notified by the Commission, failed to mitigate illegal traffic within 48 hours — and
asks it to give the Commission notice, with a brief summary of its basis, **before** it starts.
A downstream provider (or its blocker, on its behalf) records here that it blocks under an
authorization since a time; robotrace writes the notice and counts the calls it reports —
by hand when it declares, and period by period from its blockers (:mod:`.blocked_calls`),
which the notice shows: calls blocked under that authorization by the declaring provider.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.clock import Clock, as_utc, format_utc
from robotrace.enforcement import blocked_calls, records
from robotrace.enforcement.authorizations import ACTIVE
from robotrace.enforcement.errors import EnforcementError, InvalidRequest
from robotrace.enforcement.letters import render_template, template_source, when
from robotrace.enforcement.service import reference_of
from robotrace.store import models

#: Calls one report may add: a counter, not a place to store an arbitrary number.
MAX_CALLS_REPORTED = 10**12


def basis_of(session: Session, authorization: models.EnforcementAction, zone: str) -> str:
    """The default summary of why blocking is allowed: the letter and its decision (its time
    written in ``zone``)."""
    if authorization.letter_id is None:
        return authorization.reason or "the Commission's block authorization"
    letter = session.get(models.EnforcementAction, authorization.letter_id)
    assert letter is not None
    decided = when(letter.decided_at, zone) if letter.decided_at else "(undecided)"
    return (
        f"The Commission notified the provider in {reference_of(letter)} and it failed to "
        f"effectively mitigate the illegal traffic within 48 hours: decided "
        f"{letter.status} on {decided}. {authorization.reason}".strip()
    )


def declare_blocking(
    session: Session,
    authorization_id: int,
    blocker_key: str,
    since: datetime,
    actor: str,
    clock: Clock,
    zone: str,
    user_id: int | None = None,
    basis: str = "",
    calls_blocked: int = 0,
) -> models.BlockingNotice:
    """Record that ``blocker_key`` blocks under the authorization since ``since`` (again:
    the calls are added, the earliest ``since`` kept), and write its notice to the FCC (its
    times in ``zone``, the ``display_zone`` setting)."""
    auth = records.action(session, authorization_id, records.AUTHORIZATION)
    if auth.status != ACTIVE:
        raise EnforcementError(f"{reference_of(auth)} is {auth.status}; nobody blocks under it")
    blocker = records.provider_by_key(session, blocker_key)
    if blocker.id == auth.provider_id:
        raise InvalidRequest("a provider does not block itself")
    since = as_utc(since)
    effective = as_utc(auth.effective_at or records.issued_at(auth))
    if since < effective:
        raise InvalidRequest(
            f"{reference_of(auth)} allows blocking from {format_utc(effective)}, not before"
        )
    if not 0 <= calls_blocked <= MAX_CALLS_REPORTED:
        raise InvalidRequest("calls_blocked is a count of calls")
    now = clock.now()
    notice = session.scalar(
        select(models.BlockingNotice).where(
            models.BlockingNotice.authorization_id == auth.id,
            models.BlockingNotice.provider_id == blocker.id,
        )
    )
    if notice is None:
        notice = models.BlockingNotice(
            authorization_id=auth.id,
            provider_id=blocker.id,
            since=since,
            declared_at=now,
            declared_by=user_id,
            basis=basis.strip() or basis_of(session, auth, zone),
            calls_blocked=0,
        )
        session.add(notice)
    notice.since = min(as_utc(notice.since), since)
    notice.calls_blocked += calls_blocked
    blocked = session.get(models.Provider, auth.provider_id)
    assert blocked is not None
    notice.document = render_notice(session, notice, auth, blocker, blocked, zone)
    session.flush()
    records.audit(
        session,
        now,
        actor,
        "blocking.declared",
        blocker.key,
        authorization_id=auth.id,
        blocked=blocked.key,
        since=format_utc(notice.since),
        calls_blocked=calls_blocked,
    )
    return notice


def late(notice: models.BlockingNotice) -> bool:
    """The notice came after the blocking began (the rule asks for it before)."""
    return as_utc(notice.declared_at) > as_utc(notice.since)


def render_notice(
    session: Session,
    notice: models.BlockingNotice,
    auth: models.EnforcementAction,
    blocker: models.Provider,
    blocked: models.Provider,
    zone: str,
) -> str:
    """The notice to the FCC as HTML, its times written in ``zone``."""
    letter = session.get(models.EnforcementAction, auth.letter_id) if auth.letter_id else None
    reported = blocked_calls.totals(session, auth.id, blocker.id)
    context = {
        "blocker": vars(records.address_of(blocker)),
        "blocked": vars(records.address_of(blocked)),
        "notice": {
            "declared_at": when(notice.declared_at, zone),
            "since": when(notice.since, zone),
            "authorization": reference_of(auth),
            "letter": reference_of(letter) if letter else "",
            "basis": notice.basis,
            "late": late(notice),
            "calls_declared": notice.calls_blocked,
            "calls_reported": sum(t.calls for t in reported),
            "reported_from": when(min(t.first for t in reported), zone) if reported else "",
            "reported_to": when(max(t.last for t in reported), zone) if reported else "",
        },
    }
    return render_template(template_source("", "blocking_notice.html"), context)


def refresh_notice(session: Session, notice: models.BlockingNotice, zone: str) -> None:
    """Write the notice again (after its provider reported blocked calls under it), its
    times in ``zone``."""
    auth = records.action(session, notice.authorization_id, records.AUTHORIZATION)
    blocker = session.get(models.Provider, notice.provider_id)
    blocked = session.get(models.Provider, auth.provider_id)
    assert blocker is not None and blocked is not None
    notice.document = render_notice(session, notice, auth, blocker, blocked, zone)
    session.flush()


def notices(
    session: Session, authorization_id: int | None = None, provider_id: int | None = None
) -> list[models.BlockingNotice]:
    """Blocking notices, of one authorization and/or one blocking provider, oldest first."""
    query = select(models.BlockingNotice)
    if authorization_id is not None:
        query = query.where(models.BlockingNotice.authorization_id == authorization_id)
    if provider_id is not None:
        query = query.where(models.BlockingNotice.provider_id == provider_id)
    return list(session.scalars(query.order_by(models.BlockingNotice.id)))
