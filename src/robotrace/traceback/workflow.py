"""The traceback rules as plain functions: values in, new values and audit events out.

Transitions: ``open_traceback`` → (``answer_hop`` | ``mark_no_response``)* until an outcome.
Nothing here touches a database, a clock or the network; ``now`` is always passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from robotrace.calendar import BusinessCalendar
from robotrace.clock import as_utc
from robotrace.settings import Settings
from robotrace.traceback.model import (
    RECEIVED_ATTESTATIONS,
    Answer,
    AuditEvent,
    CallUnderTrace,
    Hop,
    OriginAction,
    Outcome,
    ProviderInfo,
    SignerLead,
    Status,
    Traceback,
)

#: A STIR/SHAKEN Service Provider Code as a hop reports it (an OCN is four of these).
SPC_PATTERN = re.compile(r"[A-Za-z0-9]{1,32}")


@dataclass(frozen=True)
class Policy:
    """How long a provider has to answer, and whether to ask foreign providers.

    With a ``calendar`` a request is due ``due_after`` after its deemed receipt on the
    business calendar, in the asked provider's zone (robotrace.calendar); without one,
    ``due_after`` of wall-clock time after it was sent (the simulator and older tests)."""

    due_after: timedelta = timedelta(hours=24)
    follow_foreign: bool = True
    calendar: BusinessCalendar | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            due_after=timedelta(hours=settings.hop_due_hours),
            follow_foreign=settings.follow_foreign,
            calendar=BusinessCalendar.from_settings(settings),
        )

    def due_at(self, sent_at: datetime, zone: str = "") -> datetime:
        """When a request sent at ``sent_at`` to a provider in ``zone`` ("": the calendar's
        default zone) is due, in UTC."""
        if self.calendar is None:
            return as_utc(sent_at) + self.due_after
        hours = self.due_after / timedelta(hours=1)
        return as_utc(self.calendar.due(sent_at, zone or None, hours).due)


@dataclass(frozen=True)
class Reply:
    """A provider's answer to a hop request."""

    answer: Answer
    upstream: str | None = None
    customer: str | None = None
    new_provider: ProviderInfo | None = None
    note: str = ""
    #: What the provider received of STIR/SHAKEN (see :class:`Hop`); None: not said.
    received_attest: str | None = None
    received_signer: str | None = None
    #: origin answers only: what the provider did with its customer.
    origin_action: OriginAction | None = None


@dataclass(frozen=True)
class Step:
    """The traceback after a transition, the events it produced, and a provider it named."""

    traceback: Traceback
    events: tuple[AuditEvent, ...]
    new_provider: ProviderInfo | None = None


class WorkflowError(ValueError):
    """A transition that the rules do not allow; the message says why."""


class TracebackClosed(WorkflowError):
    pass


class NotYourHop(WorkflowError):
    pass


def _event(
    tb: Traceback,
    now: datetime,
    actor: str,
    action: str,
    provider: str | None = None,
    /,
    **details: object,
) -> AuditEvent:
    return AuditEvent(
        at=now,
        actor=actor,
        action=action,
        traceback_id=tb.id,
        provider=provider,
        details=dict(details),
    )


def _request(
    tb: Traceback, provider: ProviderInfo, now: datetime, actor: str, policy: Policy
) -> tuple[Traceback, AuditEvent]:
    due_at = policy.due_at(now, provider.time_zone)
    hop = Hop(position=len(tb.hops), provider=provider.key, requested_at=now, due_at=due_at)
    tb = replace(tb, hops=(*tb.hops, hop))
    return tb, _event(
        tb,
        now,
        actor,
        "hop.requested",
        provider.key,
        position=hop.position,
        due_at=hop.due_at.isoformat(),
    )


def _close(
    tb: Traceback, outcome: Outcome, now: datetime, actor: str, **details: object
) -> tuple[Traceback, AuditEvent]:
    tb = replace(tb, status=Status.CLOSED, outcome=outcome, closed_at=now)
    return tb, _event(tb, now, actor, "traceback.closed", outcome=outcome.value, **details)


def open_traceback(
    traceback_id: str,
    call: CallUnderTrace,
    terminating: ProviderInfo,
    now: datetime,
    actor: str,
    policy: Policy | None = None,
    campaign: str | None = None,
    signer: SignerLead | None = None,
) -> Step:
    """Open a traceback for ``call`` and send the first hop request to its terminating provider;
    ``signer`` is the provider that signed the call, from its verified Identity header."""
    policy = policy or Policy()
    now = as_utc(now)
    call = replace(call, call_time=as_utc(call.call_time))
    tb = Traceback(
        id=traceback_id,
        call=call,
        terminating_provider=terminating.key,
        opened_at=now,
        campaign=campaign,
        signer=signer,
    )
    opened = _event(
        tb,
        now,
        actor,
        "traceback.opened",
        terminating.key,
        calling=call.calling_number,
        called=call.called_number,
        call_time=call.call_time.isoformat(),
    )
    tb, requested = _request(tb, terminating, now, actor, policy)
    events: tuple[AuditEvent, ...] = (opened, requested)
    if signer is not None:
        events += (_signer_event(tb, now, actor, "signer.recorded"),)
    return Step(tb, events)


def _signer_event(tb: Traceback, now: datetime, actor: str, action: str) -> AuditEvent:
    signer = tb.signer
    assert signer is not None
    return _event(
        tb, now, actor, action, signer.provider, attest=signer.attest, origid=signer.origid,
        answer=signer.answer.value if signer.answer else None, customer=signer.customer,
    )  # fmt: skip


def _check_said(reply: Reply) -> None:
    """What every answer must hold, to a hop request or to the signer's direct request."""
    if reply.answer is Answer.NO_RESPONSE:
        raise WorkflowError("no_response is recorded by mark_no_response, not answered")
    if reply.answer is Answer.ORIGIN and not (reply.customer or "").strip():
        raise WorkflowError("an origin answer must name the customer that placed the call")
    # A refusal is a finding against the provider (docs/concepts.md#findings): its stated
    # reason goes into the evidence, the scorecard and the period report.
    if reply.answer is Answer.REFUSED and not reply.note.strip():
        raise WorkflowError("a refused answer must say why in its note (the refusal's reason)")
    _check_origin_action(reply)
    _check_received(reply)


def _check_origin_action(reply: Reply) -> None:
    if reply.origin_action is None:
        return
    if reply.answer is not Answer.ORIGIN:
        raise WorkflowError("only an origin answer states an action taken with the customer")
    if reply.origin_action is OriginAction.OTHER and not reply.note.strip():
        raise WorkflowError("an origin action 'other' must say what was done in its note")


def _check_received(reply: Reply) -> None:
    """The attestation must be one ATIS-1000074 defines (or "none"); a signer is an SPC."""
    if reply.received_attest is not None and reply.received_attest not in RECEIVED_ATTESTATIONS:
        raise WorkflowError(
            f"received attestation {reply.received_attest!r} is not one of A, B, C or none"
        )
    signer = reply.received_signer
    if signer is not None and not SPC_PATTERN.fullmatch(signer):
        raise WorkflowError(f"received signer {signer!r} is not an SPC (1-32 letters or digits)")
    if signer is not None and reply.received_attest in (None, "none"):
        raise WorkflowError("a received signer needs the attestation it signed with")


def _check_not_itself(reply: Reply, provider: str) -> None:
    """A provider naming itself as its upstream would close the chain as a loop at once — and,
    answered late, turn its own missed deadline into someone else's loop (issue 24)."""
    if reply.answer is Answer.UPSTREAM and reply.upstream == provider:
        raise WorkflowError(
            f"provider {provider} cannot name itself as its upstream: name the provider it "
            "received the call from, or answer origin, not_found or refused"
        )


def _check_reply(reply: Reply, provider: str, directory: Mapping[str, ProviderInfo]) -> None:
    _check_said(reply)
    if reply.answer is not Answer.UPSTREAM:
        return
    if not reply.upstream:
        raise WorkflowError("an upstream answer must name the upstream provider")
    _check_not_itself(reply, provider)
    if reply.upstream in directory:
        return
    if reply.new_provider is None or reply.new_provider.key != reply.upstream:
        raise WorkflowError(
            f"upstream provider {reply.upstream} is unknown: name it with its details"
        )


def _said_of_shaken_and_origin(reply: Reply) -> dict[str, object]:
    """The audit details of what the reply said it received and did, where it said it."""
    said = {
        "received_attest": reply.received_attest,
        "received_signer": reply.received_signer,
        "origin_action": reply.origin_action.value if reply.origin_action else None,
    }
    return {key: value for key, value in said.items() if value is not None}


def _moves_on(tb: Traceback, reply: Reply) -> bool:
    """Whether ``reply`` names an upstream the chain has not asked yet."""
    return reply.answer is Answer.UPSTREAM and all(h.provider != reply.upstream for h in tb.hops)


def _hop_to_answer(
    tb: Traceback, provider: str, reply: Reply, now: datetime, actor: str
) -> tuple[Traceback, Hop, tuple[AuditEvent, ...]]:
    """The hop ``provider`` may answer now. A late answer after no_response reopens the
    traceback only when it moves the chain on to a provider not in it yet; any other late
    answer is recorded and the traceback stays closed with its outcome (see
    :func:`_hold_late_answer`)."""
    hop = tb.current_hop
    late_answer = (
        tb.status is Status.CLOSED
        and tb.outcome in (Outcome.NON_RESPONSIVE, Outcome.FOREIGN_ORIGIN)
        and hop is not None
        and hop.provider == provider
        and hop.answer is Answer.NO_RESPONSE
    )
    if late_answer:
        assert hop is not None
        if not _moves_on(tb, reply):
            return tb, replace(hop, answer=None, late=True), ()
        tb = replace(tb, status=Status.OPEN, outcome=None, closed_at=None)
        reopened = _event(
            tb, now, actor, "traceback.reopened", provider, reason="late answer after no_response"
        )
        return tb, replace(hop, answer=None, late=True), (reopened,)
    if tb.confirming and hop is not None and hop.provider == provider:
        return tb, hop, ()
    if tb.status is Status.CLOSED:
        raise TracebackClosed(
            f"traceback {tb.id} is closed ({tb.outcome}) since {tb.closed_at:%Y-%m-%d %H:%M}Z; "
            "it takes no more answers"
        )
    if hop is None or hop.provider != provider:
        raise NotYourHop(f"traceback {tb.id} has no open hop request for provider {provider}")
    return tb, hop, ()


def answer_hop(
    tb: Traceback,
    provider: str,
    reply: Reply,
    directory: Mapping[str, ProviderInfo],
    now: datetime,
    actor: str,
    policy: Policy | None = None,
) -> Step:
    """Record ``provider``'s answer to its hop request and move the traceback on."""
    policy = policy or Policy()
    now = as_utc(now)
    _check_reply(reply, provider, directory)
    tb, hop, events = _hop_to_answer(tb, provider, reply, now, actor)
    answered = replace(
        hop,
        answer=reply.answer,
        answered_at=now,
        upstream=reply.upstream,
        customer=reply.customer,
        note=reply.note,
        received_attest=reply.received_attest,
        received_signer=reply.received_signer,
        origin_action=reply.origin_action,
    )
    tb = replace(tb, hops=(*tb.hops[:-1], answered))
    events += (
        _event(
            tb,
            now,
            actor,
            "hop.answered",
            provider,
            answer=reply.answer.value,
            upstream=reply.upstream,
            customer=reply.customer,
            late=answered.late,
            **_said_of_shaken_and_origin(reply),
        ),
    )
    new_provider = None
    if reply.answer is Answer.UPSTREAM and reply.upstream not in directory:
        new_provider = reply.new_provider
        assert new_provider is not None
        directory = {**directory, new_provider.key: new_provider}
        events += (
            _event(
                tb,
                now,
                actor,
                "provider.named",
                new_provider.key,
                name=new_provider.name,
                country=new_provider.country,
            ),
        )
    tb, more = _advance(tb, answered, directory, now, actor, policy)
    return Step(tb, events + more, new_provider)


def _advance(
    tb: Traceback,
    hop: Hop,
    directory: Mapping[str, ProviderInfo],
    now: datetime,
    actor: str,
    policy: Policy,
) -> tuple[Traceback, tuple[AuditEvent, ...]]:
    """After an answer: ask the next provider, or close with the outcome the answer implies."""
    if tb.status is Status.CLOSED and hop.late:
        return tb, (_hold_late_answer(tb, hop, now, actor),)
    if tb.status is Status.CLOSED:
        return _advance_confirming(tb, hop, directory, now, actor, policy)
    if hop.answer is Answer.ORIGIN:
        tb, closed = _close(tb, Outcome.ORIGIN_IDENTIFIED, now, actor)
        return tb, (closed,)
    if hop.answer is not Answer.UPSTREAM:
        tb, closed = _close(tb, _dead_end_outcome(hop, directory), now, actor)
        return tb, (closed,)
    assert hop.upstream is not None
    if any(h.provider == hop.upstream for h in tb.hops):
        # who closed the chain on itself, so loops can be counted against the provider
        tb, closed = _close(
            tb, Outcome.LOOP, now, actor, loop_caused_by=hop.provider, named=hop.upstream
        )
        return tb, (closed,)
    if directory[hop.upstream].foreign and not policy.follow_foreign:
        tb, closed = _close(tb, Outcome.FOREIGN_ORIGIN, now, actor)
        return tb, (closed,)
    tb, requested = _request(tb, directory[hop.upstream], now, actor, policy)
    return tb, (requested,)


def _hold_late_answer(tb: Traceback, hop: Hop, now: datetime, actor: str) -> AuditEvent:
    """A late answer after no_response that moves the chain nowhere new (a final answer, or
    an upstream already in the chain): recorded on its hop, the traceback left closed with
    the outcome the missed deadline gave it. Only a coordinator's review may change that; a
    provider's own late word never turns its silence into another outcome."""
    assert hop.answer is not None and tb.outcome is not None
    return _event(
        tb,
        now,
        actor,
        "traceback.late_answer_held",
        hop.provider,
        answer=hop.answer.value,
        upstream=hop.upstream,
        outcome=tb.outcome.value,
        reason="a late answer changes no outcome without a coordinator's review",
    )


def _advance_confirming(
    tb: Traceback,
    hop: Hop,
    directory: Mapping[str, ProviderInfo],
    now: datetime,
    actor: str,
    policy: Policy,
) -> tuple[Traceback, tuple[AuditEvent, ...]]:
    """The chain after the signer closed the traceback: it goes on until it ends, and only
    says where; the outcome stays the signer's."""
    upstream = hop.upstream
    if hop.answer is Answer.UPSTREAM and upstream and all(h.provider != upstream for h in tb.hops):
        tb, requested = _request(tb, directory[upstream], now, actor, policy)
        return tb, (requested,)
    on_path = tb.signer is not None and any(h.provider == tb.signer.provider for h in tb.hops)
    ended = _event(tb, now, actor, "traceback.confirmed", hop.provider, signer_on_path=on_path)
    return tb, (ended,)


def _dead_end_outcome(hop: Hop, directory: Mapping[str, ProviderInfo]) -> Outcome:
    """A chain that ends without an origin: at a foreign provider, or at a domestic one."""
    info = directory.get(hop.provider)
    if info is not None and info.foreign:
        return Outcome.FOREIGN_ORIGIN
    if hop.answer is Answer.NOT_FOUND:
        return Outcome.NOT_FOUND
    return Outcome.NON_RESPONSIVE


def mark_no_response(
    tb: Traceback,
    directory: Mapping[str, ProviderInfo],
    now: datetime,
    actor: str,
) -> Step:
    """Mark the overdue open hop ``no_response``: the provider was non-cooperative here."""
    now = as_utc(now)
    if tb.status is Status.CLOSED:
        raise TracebackClosed(f"traceback {tb.id} is closed ({tb.outcome})")
    hop = tb.current_hop
    assert hop is not None, "an open traceback always has a hop request"
    if not hop.overdue(now):
        raise WorkflowError(
            f"hop {hop.position} of {tb.id} to {hop.provider} is due at "
            f"{hop.due_at:%Y-%m-%d %H:%M}Z; it is not overdue yet"
        )
    marked = replace(hop, answer=Answer.NO_RESPONSE)
    tb = replace(tb, hops=(*tb.hops[:-1], marked))
    event = _event(
        tb,
        now,
        actor,
        "hop.no_response",
        hop.provider,
        position=hop.position,
        due_at=hop.due_at.isoformat(),
    )
    tb, closed = _close(tb, _dead_end_outcome(marked, directory), now, actor)
    return Step(tb, (event, closed))


def request_signer(
    tb: Traceback, now: datetime, actor: str, policy: Policy | None = None, zone: str = ""
) -> Step:
    """Send the signer a direct request (with the call's origid) beside the hop chain, due
    by the policy in the signer's ``zone``.

    Only an A or B attestation names the originating provider; C names a gateway, which the
    chain reaches on its own."""
    policy, now, signer = policy or Policy(), as_utc(now), tb.signer
    if tb.status is Status.CLOSED:
        raise TracebackClosed(f"traceback {tb.id} is closed ({tb.outcome})")
    if signer is None:
        raise WorkflowError(f"traceback {tb.id} has no verified signer")
    if not signer.names_origin:
        raise WorkflowError(
            f"attestation {signer.attest} names a gateway ({signer.provider}), not the "
            "originating provider: the hop chain reaches it"
        )
    if signer.requested_at is not None:
        raise WorkflowError(f"the signer {signer.provider} of {tb.id} was already asked")
    signer = replace(signer, requested_at=now, due_at=policy.due_at(now, zone))
    tb = replace(tb, signer=signer)
    return Step(tb, (_signer_event(tb, now, actor, "signer.requested"),))


def answer_signer(tb: Traceback, provider: str, reply: Reply, now: datetime, actor: str) -> Step:
    """The signer's answer to its direct request; ``origin`` closes the traceback
    ``origin_identified`` now, while the hop chain goes on to confirm the path."""
    now, signer = as_utc(now), tb.signer
    if signer is None or signer.requested_at is None or signer.provider != provider:
        raise NotYourHop(f"traceback {tb.id} has no direct request for provider {provider}")
    if signer.answer is not None:
        raise WorkflowError(f"the signer {provider} of {tb.id} has answered already")
    _check_said(reply)
    _check_not_itself(reply, provider)
    signer = replace(
        signer, answer=reply.answer, answered_at=now, upstream=reply.upstream,
        customer=reply.customer, note=reply.note,
    )  # fmt: skip
    tb = replace(tb, signer=signer)
    events: tuple[AuditEvent, ...] = (_signer_event(tb, now, actor, "signer.answered"),)
    if reply.answer is Answer.ORIGIN and tb.status is Status.OPEN:
        tb, closed = _close(tb, Outcome.ORIGIN_IDENTIFIED, now, actor)
        events += (closed,)
    return Step(tb, events)


#: The longest reason a withdrawal keeps (the audit log's details).
REASON_LENGTH = 2000


def withdraw(tb: Traceback, reason: str, now: datetime, actor: str) -> Step:
    """Close an open traceback opened by mistake, outcome ``withdrawn``: its open hop request
    (and the signer's direct request) is cancelled — left unanswered, never marked
    ``no_response`` — and nothing in it counts as a finding, evidence or a statistic."""
    now, reason = as_utc(now), " ".join(reason.split())
    if tb.status is Status.CLOSED:
        raise TracebackClosed(f"traceback {tb.id} is closed already ({tb.outcome})")
    if not reason:
        raise WorkflowError("a withdrawal must say why (the reason is kept in the audit log)")
    if len(reason) > REASON_LENGTH:
        raise WorkflowError(f"the reason is longer than {REASON_LENGTH} characters")
    hop = tb.current_hop
    cancelled = [hop.provider] if hop is not None and hop.pending else []
    signer = tb.signer
    if signer is not None and signer.requested_at is not None and signer.answer is None:
        cancelled.append(signer.provider)
    tb, closed = _close(
        tb, Outcome.WITHDRAWN, now, actor, reason=reason, cancelled=", ".join(cancelled) or None
    )
    return Step(tb, (closed,))


def withdrawn_reason(events: Sequence[AuditEvent]) -> str | None:
    """The reason a traceback was withdrawn, from its audit events (None: it was not)."""
    for event in events:
        if event.action == "traceback.closed" and event.details.get("outcome") == "withdrawn":
            return str(event.details.get("reason") or "")
    return None


def overdue_hops(tracebacks: list[Traceback], now: datetime) -> list[tuple[Traceback, Hop]]:
    """Open tracebacks whose current hop request has passed its due time."""
    found = []
    for tb in tracebacks:
        hop = tb.current_hop
        if tb.status is Status.OPEN and hop is not None and hop.overdue(as_utc(now)):
            found.append((tb, hop))
    return found
