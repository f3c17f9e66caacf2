"""Drive tracebacks to an outcome with answerers and a simulated clock.

Used by ``robotrace demo`` and ``robotrace trace``: each provider with an answerer replies
after its response delay; a provider without one (or a silent one) lets its hop run past the
due time, and the policy then marks it ``no_response``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from robotrace.clock import SimulatedClock
from robotrace.traceback.answerer import Answerer, request_of, signer_request_of
from robotrace.traceback.model import AuditEvent, ProviderInfo, Status, Traceback
from robotrace.traceback.workflow import (
    Policy,
    Step,
    answer_hop,
    answer_signer,
    mark_no_response,
    request_signer,
)

NO_RESPONSE_ACTOR = "policy:no_response"
SHORTCUT_ACTOR = "policy:signer_shortcut"


@dataclass
class Run:
    """A traceback's progress: the latest value, every event, and providers it named."""

    traceback: Traceback
    events: list[AuditEvent] = field(default_factory=list)
    named: list[ProviderInfo] = field(default_factory=list)

    def apply(self, step: Step) -> None:
        self.traceback = step.traceback
        self.events.extend(step.events)
        if step.new_provider is not None:
            self.named.append(step.new_provider)


def no_delay(key: str) -> timedelta:
    return timedelta(0)


def run_to_outcome(
    run: Run,
    answerers: Mapping[str, Answerer],
    directory: dict[str, ProviderInfo],
    clock: SimulatedClock,
    policy: Policy,
    response_delay: Callable[[str], timedelta] = no_delay,
    grace: timedelta = timedelta(minutes=1),
    shortcut: bool = True,
) -> Run:
    """Ask each provider in turn until the traceback closes. ``directory`` learns new names.

    With ``shortcut``, an A/B signer is asked directly first; when it names its customer the
    traceback closes then, and the chain goes on only to confirm the path (a silent provider
    ends the confirmation: nobody chases it)."""
    if shortcut:
        ask_signer(run, answerers, clock, policy, response_delay, directory)
    while run.traceback.status is Status.OPEN or run.traceback.confirming:
        hop = run.traceback.current_hop
        assert hop is not None
        answerer = answerers.get(hop.provider)
        reply = answerer.answer(request_of(run.traceback)) if answerer else None
        if reply is None and run.traceback.confirming:
            break
        if reply is None:
            clock.set(max(clock.now(), hop.due_at + grace))
            run.apply(mark_no_response(run.traceback, directory, clock.now(), NO_RESPONSE_ACTOR))
            continue
        clock.advance(response_delay(hop.provider))
        step = answer_hop(
            run.traceback,
            hop.provider,
            reply,
            directory,
            clock.now(),
            f"provider:{hop.provider}",
            policy,
        )
        if step.new_provider is not None:
            directory[step.new_provider.key] = step.new_provider
        run.apply(step)
    return run


def ask_signer(
    run: Run,
    answerers: Mapping[str, Answerer],
    clock: SimulatedClock,
    policy: Policy,
    response_delay: Callable[[str], timedelta] = no_delay,
    directory: Mapping[str, ProviderInfo] | None = None,
) -> None:
    """The signer shortcut: a direct request to the provider that signed the call (A/B),
    due in its zone (from ``directory``)."""
    tb = run.traceback
    signer = tb.signer
    if signer is None or not signer.names_origin or signer.requested_at is not None:
        return
    if tb.status is not Status.OPEN:
        return
    info = (directory or {}).get(signer.provider)
    zone = info.time_zone if info is not None else ""
    run.apply(request_signer(tb, clock.now(), SHORTCUT_ACTOR, policy, zone))
    answerer = answerers.get(signer.provider)
    reply = answerer.answer(signer_request_of(run.traceback)) if answerer else None
    if reply is None:
        return
    clock.advance(response_delay(signer.provider))
    actor = f"provider:{signer.provider}"
    run.apply(answer_signer(run.traceback, signer.provider, reply, clock.now(), actor))
