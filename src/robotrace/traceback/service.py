"""The traceback workflow against the store: load, apply a rule, save, audit — one place.

The portal's pages, the API and the worker all change tracebacks through these functions;
the rules themselves stay in :mod:`robotrace.traceback.workflow`. Callers own the
transaction (commit or roll back).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.notify.queue import queue_signer_request
from robotrace.numbers import InvalidNumber, traced_numbers
from robotrace.providers.identity import clean_ocn
from robotrace.providers.registry import Provider
from robotrace.providers.store import (
    add_named_provider,
    named_key,
    provider_by_identifier,
    resolve_key,
    zone_of,
)
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.audit import append_audit
from robotrace.store.db import lock_for_transaction
from robotrace.traceback import workflow
from robotrace.traceback.model import Answer, CallUnderTrace, SignerLead, Traceback
from robotrace.traceback.store import load_traceback, provider_directory, save_traceback
from robotrace.traceback.workflow import Policy, Reply, Step

_ID = re.compile(r"^TB-(\d+)$")


def next_traceback_id(session: Session) -> str:
    """``TB-000001``, ``TB-000002``, … (the next after the largest stored).

    Longest first, then largest: ``TB-1000000`` sorts after ``TB-999999``."""
    ids = session.scalars(
        select(models.Traceback.id)
        .where(models.Traceback.id.like("TB-%"))
        .order_by(func.length(models.Traceback.id).desc(), models.Traceback.id.desc())
        .limit(20)
    )
    numbers = [int(m.group(1)) for i in ids if (m := _ID.match(i))]
    return f"TB-{max(numbers, default=0) + 1:06d}"


def _commit_step(session: Session, step: Step, call_id: int | None = None) -> Traceback:
    save_traceback(session, step.traceback, call_id=call_id)
    append_audit(session, step.events)
    return step.traceback


def resolve_reply(
    session: Session,
    reply: Reply,
    actor: str,
    clock: Clock,
    named: Provider | None = None,
    by: str | None = None,
) -> Reply:
    """The reply with its upstream as a provider key: the upstream may be given by any
    identifier (key, OCN, RMD number, FRN), or ``named`` by name and contact, which finds
    the provider holding one of its identifiers or registers a new one."""
    if reply.answer is not Answer.UPSTREAM:
        return reply
    key = resolve_key(session, reply.upstream) if reply.upstream else None
    if key is None and named is not None:
        key = add_named_provider(session, named, actor, clock, by).key
    elif key is not None and named is not None and named_key(session, named) not in (None, key):
        raise workflow.WorkflowError(f"upstream {reply.upstream} is not the provider named")
    if key is None:
        raise workflow.WorkflowError(
            f"upstream provider {reply.upstream} is unknown: name it with its details"
        )
    return replace(reply, upstream=key, new_provider=None)


def open_traceback(
    session: Session,
    call: CallUnderTrace,
    terminating_key: str,
    actor: str,
    clock: Clock,
    policy: Policy,
    call_id: int | None = None,
    campaign: str | None = None,
    signer: SignerLead | None = None,
) -> Traceback:
    """Open a traceback for ``call`` at its terminating provider and request the first hop;
    ``signer``: the provider that signed the call (see :func:`signer_lead_of`)."""
    try:  # as every provider will see them: one spelling, and no text that is no number
        calling, called = traced_numbers(call.calling_number, call.called_number)
    except InvalidNumber as exc:
        raise workflow.WorkflowError(str(exc)) from None
    call = replace(call, calling_number=calling, called_number=called)
    if campaign is None and call_id is None:
        campaign = campaign_of_caller_id(session, calling)
    directory = provider_directory(session)
    terminating = directory.get(resolve_key(session, terminating_key) or "")
    if terminating is None:
        raise workflow.WorkflowError(f"no provider {terminating_key.strip()[:40]!r}")
    # The next id is read, then written: two openings at once would take the same one, and
    # the later save would overwrite the earlier traceback (found under load).
    lock_for_transaction(session, "opening-tracebacks")
    step = workflow.open_traceback(
        next_traceback_id(session),
        call,
        terminating,
        clock.now(),
        actor,
        policy,
        campaign,
        signer,
    )
    return _commit_step(session, step, call_id)


def campaign_of_caller_id(session: Session, calling: str) -> str | None:
    """The campaign a typed call (no transcript, no stored call) belongs to by its caller ID:
    the campaign whose evidence calls showed that caller ID (``calls.calling_e164``, as
    imports normalise it) — the one with most such calls when several did, then the smaller
    id. None for a withheld or unknown caller ID."""
    if not calling.startswith("+"):
        return None
    shown = func.count(models.Call.id)
    return session.scalar(
        select(models.Call.campaign_id)
        .where(models.Call.calling_e164 == calling, models.Call.campaign_id.is_not(None))
        .group_by(models.Call.campaign_id)
        .order_by(shown.desc(), models.Call.campaign_id)
        .limit(1)
    )


def signer_lead_of(session: Session, call: models.Call) -> SignerLead | None:
    """The signer shortcut a stored call offers: its Identity header verified, and the
    certificate's SPC is a registered provider's OCN (None otherwise)."""
    if not call.shaken_valid or not call.shaken_spc or not call.shaken_attest:
        return None
    signer = _holder_of_ocn(session, call.shaken_spc)
    if signer is None:
        return None
    return SignerLead(signer, call.shaken_attest, call.shaken_origid)


def _holder_of_ocn(session: Session, spc: str) -> str | None:
    """The key of the provider whose OCN is the certificate's SPC (the SPC names an OCN,
    never a key or an RMD number)."""
    try:
        ocn = clean_ocn(spc)
    except ValueError:
        return None
    holder = provider_by_identifier(session, "ocn", ocn)
    return holder.key if holder is not None else None


def open_traceback_for_call(
    session: Session,
    call_id: int,
    actor: str,
    clock: Clock,
    policy: Policy,
    *,
    again: bool = False,
) -> Traceback:
    """Open a traceback for a stored evidence call (its terminating provider must be known);
    one that a traceback traces already only when ``again`` (the API lets a coordinator trace
    a call again, the portal's form and campaign samples do not)."""
    lock_for_transaction(session, "opening-tracebacks")  # two openers of one call take turns
    call = session.get(models.Call, call_id)
    if call is None:
        raise workflow.WorkflowError(f"no call {call_id}")
    traced = session.scalar(
        select(models.Traceback.id).where(models.Traceback.call_id == call_id).limit(1)
    )
    if traced is not None and not again:
        raise workflow.WorkflowError(f"call {call_id} is traced already: {traced}")
    if call.terminating_provider_id is None:
        raise workflow.WorkflowError(f"call {call_id} does not say which provider delivered it")
    provider = session.get(models.Provider, call.terminating_provider_id)
    assert provider is not None
    sample = CallUnderTrace(call.calling_number, call.called_number, call.call_time)
    signer = signer_lead_of(session, call)
    return open_traceback(
        session, sample, provider.key, actor, clock, policy, call_id, call.campaign_id, signer
    )


def answer_hop(
    session: Session,
    traceback_id: str,
    provider_key: str,
    reply: Reply,
    actor: str,
    clock: Clock,
    policy: Policy,
    named: Provider | None = None,
) -> Traceback:
    """Record ``provider_key``'s answer on its open hop of the traceback; an upstream may be
    given by any identifier, or ``named`` (see :func:`resolve_reply`)."""
    tb = load_traceback(session, traceback_id, for_update=True)
    reply = resolve_reply(session, reply, actor, clock, named, provider_key)
    step = workflow.answer_hop(
        tb,
        provider_key,
        reply,
        provider_directory(session),
        clock.now(),
        actor,
        policy,
    )
    return _commit_step(session, step)


def request_signer(
    session: Session, traceback_id: str, actor: str, clock: Clock, settings: Settings
) -> Traceback:
    """Send the traceback's A/B signer a direct request with the call's origid, due by the
    policy ``settings`` give, and queue its ``signer.requested`` notices (e-mail, webhooks)
    in the same transaction."""
    tb = load_traceback(session, traceback_id, for_update=True)
    zone = _zone_of_key(session, tb.signer.provider, settings.business_zone) if tb.signer else ""
    policy = Policy.from_settings(settings)
    step = workflow.request_signer(tb, clock.now(), actor, policy, zone)
    tb = _commit_step(session, step)
    queue_signer_request(session, traceback_id, clock, settings)
    return tb


def _zone_of_key(session: Session, key: str, business_zone: str) -> str:
    row = session.scalar(select(models.Provider).where(models.Provider.key == key))
    return zone_of(row, business_zone).zone if row is not None else ""


def answer_signer(
    session: Session,
    traceback_id: str,
    provider_key: str,
    reply: Reply,
    actor: str,
    clock: Clock,
) -> Traceback:
    """Record the signer's answer to its direct request (``origin`` closes the traceback)."""
    tb = load_traceback(session, traceback_id, for_update=True)
    if reply.upstream:  # recorded as said when no provider holds it (it opens no hop)
        reply = replace(reply, upstream=resolve_key(session, reply.upstream) or reply.upstream)
    step = workflow.answer_signer(tb, provider_key.strip().upper(), reply, clock.now(), actor)
    return _commit_step(session, step)


def mark_no_response(session: Session, traceback_id: str, actor: str, clock: Clock) -> Traceback:
    tb = load_traceback(session, traceback_id, for_update=True)
    step = workflow.mark_no_response(tb, provider_directory(session), clock.now(), actor)
    return _commit_step(session, step)


def withdraw_traceback(
    session: Session, traceback_id: str, reason: str, actor: str, clock: Clock
) -> Traceback:
    """Withdraw an open traceback opened by mistake (:func:`workflow.withdraw`); its open
    requests leave the providers' inboxes, as every open-request query reads only open
    tracebacks."""
    tb = load_traceback(session, traceback_id, for_update=True)
    return _commit_step(session, workflow.withdraw(tb, reason, clock.now(), actor))


def overdue_traceback_ids(session: Session, now: datetime) -> list[str]:
    """Open tracebacks whose open hop is past its due time (for the worker's policy)."""
    rows = session.execute(
        select(models.Hop.traceback_id)
        .join(models.Traceback)
        .where(
            models.Traceback.status == "open",
            models.Hop.answer.is_(None),
            models.Hop.due_at < now,
        )
        .order_by(models.Hop.due_at)
    )
    return [r[0] for r in rows]
