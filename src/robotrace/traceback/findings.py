"""What a traceback found: each provider's role, the originating, gateway and
non-cooperative providers of the call, and the findings against those that refused or stayed
silent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from robotrace.clock import as_utc, format_utc, parse_utc
from robotrace.traceback.model import (
    Answer,
    CallUnderTrace,
    Hop,
    HopRole,
    Outcome,
    ProviderInfo,
    Role,
    SignerLead,
    Status,
    Traceback,
)

#: The answers that are findings against the provider (docs/concepts.md#findings).
FINDING_KINDS = (Answer.REFUSED, Answer.NO_RESPONSE)
NO_REASON = "no reason given"


def _is_foreign(key: str, directory: Mapping[str, ProviderInfo]) -> bool:
    info = directory.get(key)
    return bool(info and info.foreign)


def roles_of(tb: Traceback, directory: Mapping[str, ProviderInfo]) -> tuple[HopRole, ...]:
    """Each asked provider's roles in the call, plus a foreign upstream named but not asked."""
    result = []
    for hop in tb.hops:
        roles: list[Role] = []
        if hop.position == 0:
            roles.append(Role.TERMINATING)
        if hop.answer is Answer.ORIGIN and _chain_origin(tb) is hop:
            roles.append(Role.ORIGINATING)
        foreign = _is_foreign(hop.provider, directory)
        if foreign:
            roles.append(Role.FOREIGN)
        elif (
            hop.answer is Answer.UPSTREAM and hop.upstream and _is_foreign(hop.upstream, directory)
        ):
            roles.append(Role.GATEWAY)
        if not roles:
            roles.append(Role.INTERMEDIATE)
        result.append(HopRole(hop.position, hop.provider, tuple(roles)))
    last = tb.current_hop
    asked = {h.provider for h in tb.hops}
    named = last.upstream if last and last.answer is Answer.UPSTREAM else None
    if named and named not in asked and _is_foreign(named, directory):
        result.append(HopRole(len(tb.hops), named, (Role.FOREIGN,)))
    return tuple(result)


def late_answer_held(tb: Traceback) -> bool:
    """Whether the traceback's last hop is a late answer after ``no_response`` that moved the
    chain nowhere new, so it was recorded and changed nothing: it waits for a coordinator's
    review, and the traceback keeps the outcome the missed deadline gave it."""
    last = tb.current_hop
    return (
        last is not None
        and last.late
        and last.answer is not None
        and tb.status is Status.CLOSED
        and tb.outcome in (Outcome.NON_RESPONSIVE, Outcome.FOREIGN_ORIGIN)
    )


def _chain_origin(tb: Traceback) -> Hop | None:
    """The hop that answered ``origin`` and ended the chain (none while held for review)."""
    last = tb.current_hop
    if last and last.answer is Answer.ORIGIN and not late_answer_held(tb):
        return last
    return None


def originating_provider_of(tb: Traceback) -> str | None:
    """The chain's origin; before the chain gets there, the signer that confirmed it."""
    found = _chain_origin(tb)
    if found is not None:
        return found.provider
    return tb.signer.provider if tb.signer and tb.signer.confirmed_origin else None


def customer_of(tb: Traceback) -> str | None:
    found = _chain_origin(tb)
    if found is not None:
        return found.customer
    return tb.signer.customer if tb.signer and tb.signer.confirmed_origin else None


def loop_caused_by(tb: Traceback) -> str | None:
    """The provider whose answer closed the chain on itself — it named as its upstream a
    provider already asked in this traceback — so loops can be counted against it; None
    when the chain does not end in a loop."""
    last = tb.current_hop
    if last is None or last.answer is not Answer.UPSTREAM or last.upstream is None:
        return None
    return last.provider if any(h.provider == last.upstream for h in tb.hops) else None


def chain_ended(tb: Traceback) -> bool:
    """Whether the hop chain has gone as far as it will (whatever closed the traceback)."""
    last = tb.current_hop
    if last is None or last.answer is None:
        return False
    return last.answer is not Answer.UPSTREAM or loop_caused_by(tb) is not None


def signer_on_path(tb: Traceback) -> bool | None:
    """Whether the provider that signed the call is on the path the chain traced: None while
    the chain has not reached it and may still (or there is no signer)."""
    if tb.signer is None:
        return None
    traced = {h.provider for h in tb.hops} | {h.upstream for h in tb.hops if h.upstream}
    if tb.signer.provider in traced:
        return True
    return False if chain_ended(tb) else None


@dataclass(frozen=True)
class SignerSummary:
    """The read model of the call's signer as the trace JSON shows it (``robotrace trace``,
    the API's ``SignerOut``): its direct request's times as UTC text, its answer by name."""

    provider: str = field(
        metadata={"description": "the signer's key (found by the certificate's SPC, its OCN)"}
    )
    attest: str
    origid: str | None
    requested_at: str | None
    answer: str | None
    answered_at: str | None
    upstream: str | None
    customer: str | None


def signer_summary(signer: SignerLead | None) -> SignerSummary | None:
    if signer is None:
        return None
    return SignerSummary(
        provider=signer.provider,
        attest=signer.attest,
        origid=signer.origid,
        requested_at=format_utc(signer.requested_at) if signer.requested_at else None,
        answer=signer.answer.value if signer.answer else None,
        answered_at=format_utc(signer.answered_at) if signer.answered_at else None,
        upstream=signer.upstream,
        customer=signer.customer,
    )


def gateway_provider_of(tb: Traceback, directory: Mapping[str, ProviderInfo]) -> str | None:
    """The US provider that took the call straight from a foreign one, if the chain shows it."""
    for hop_role in roles_of(tb, directory):
        if Role.GATEWAY in hop_role.roles:
            return hop_role.provider
    return None


def non_cooperative_of(tb: Traceback) -> list[str]:
    """Providers that refused, or did not answer in time, their hop request in this
    traceback (a late answer after ``no_response`` does not undo the missed deadline)."""
    found: list[str] = []
    for finding in refusal_findings(tb):
        if finding.provider not in found:
            found.append(finding.provider)
    return found


@dataclass(frozen=True)
class Finding:
    """A refusal or a silence: a finding against ``provider`` in its own right.

    Each provider must answer a traceback request within 24 hours (47 CFR 64.1200(n)(1))
    and has certified in the Robocall Mitigation Database that it will answer fully and in
    time (47 CFR 64.6305). ``reason`` is the refusal's stated reason, or for a silence
    "no answer by <due time>"; ``answered_at`` is when the refusal came, or the late answer
    after the hop was marked ``no_response`` (None: it never answered)."""

    traceback_id: str
    provider: str
    kind: Answer  # Answer.REFUSED or Answer.NO_RESPONSE
    reason: str
    due_at: datetime
    answered_at: datetime | None
    call_time: datetime
    campaign: str | None

    @property
    def text(self) -> str:
        """One line for tables and letters: "refused: <reason>" or "no response by <due>"."""
        return self.written(_minute)

    def written(self, when: Callable[[datetime], str]) -> str:
        """:attr:`text` with its times written by ``when`` (documents write them for people,
        :func:`robotrace.calendar.for_people`)."""
        if self.kind is Answer.REFUSED:
            return f"refused: {self.reason}"
        late = f" (answered late {when(self.answered_at)})" if self.answered_at else ""
        return f"no response by {when(self.due_at)}{late}"

    def as_json(self) -> dict[str, Any]:
        return {
            "traceback_id": self.traceback_id,
            "provider": self.provider,
            "kind": self.kind.value,
            "reason": self.reason,
            "due_at": format_utc(self.due_at),
            "answered_at": format_utc(self.answered_at) if self.answered_at else None,
            "call_time": format_utc(self.call_time),
            "campaign": self.campaign,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        answered = data.get("answered_at")
        return cls(
            traceback_id=data["traceback_id"],
            provider=data["provider"],
            kind=Answer(data["kind"]),
            reason=data.get("reason", ""),
            due_at=parse_utc(data["due_at"]),
            answered_at=parse_utc(answered) if answered else None,
            call_time=parse_utc(data["call_time"]),
            campaign=data.get("campaign"),
        )


def _minute(when: datetime) -> str:
    return as_utc(when).strftime("%Y-%m-%d %H:%M UTC")


def counts(tb: Traceback) -> bool:
    """Whether ``tb`` counts at all — in findings, enforcement evidence, scorecards and
    statistics: every traceback but one withdrawn (opened by mistake)."""
    return tb.outcome is not Outcome.WITHDRAWN


def refusal_findings(tb: Traceback) -> tuple[Finding, ...]:
    """The findings of ``tb``, in hop order: each hop answered ``refused`` (with its stated
    reason) and each hop marked ``no_response``. A hop answered late after the mark keeps
    ``late`` and stays a ``no_response`` finding, its late answer's time shown; if that late
    answer was a refusal, it is a second finding. A hop still waiting, however overdue, is
    none until it is marked. A withdrawn traceback has none (:func:`counts`)."""
    if not counts(tb):
        return ()
    found: list[Finding] = []
    for hop in tb.hops:
        if hop.late or hop.answer is Answer.NO_RESPONSE:
            reason = f"no answer by {_minute(hop.due_at)}"
            found.append(_finding(tb, hop, Answer.NO_RESPONSE, reason))
        if hop.answer is Answer.REFUSED:
            reason = hop.note.strip() or NO_REASON
            found.append(_finding(tb, hop, Answer.REFUSED, reason))
    return tuple(found)


def _finding(tb: Traceback, hop: Hop, kind: Answer, reason: str) -> Finding:
    return Finding(
        traceback_id=tb.id,
        provider=hop.provider,
        kind=kind,
        reason=reason,
        due_at=as_utc(hop.due_at),
        answered_at=as_utc(hop.answered_at) if hop.answered_at else None,
        call_time=as_utc(tb.call.call_time),
        campaign=tb.campaign,
    )


@dataclass(frozen=True)
class TraceSummary:
    """The read model of the trace JSON (``robotrace trace``, documented in docs/cli.md; the
    API's ``TracebackOut`` shows it too): the call in its place (``inline``), each hop with
    its roles, and what the traceback found. A field's ``metadata`` works as in
    :class:`~robotrace.traceback.model.GivenAnswer`'s (docs/architecture.md#read-models)."""

    id: str
    call: CallUnderTrace = field(metadata={"inline": True})
    terminating_provider: str
    outcome: str | None
    hops: list[dict[str, object]]
    originating_provider: str | None
    gateway_provider: str | None
    non_cooperative: list[str]
    customer: str | None
    signer: SignerSummary | None = field(default=None, metadata={"required": False})
    signer_on_path: bool | None = field(
        default=None,
        metadata={
            "description": "whether the chain passed the signer; null: not known yet",
            "required": False,
        },
    )
    loop_caused_by: str | None = field(
        default=None,
        metadata={
            "description": "the provider that named as its upstream one already in the chain",
            "required": False,
        },
    )
    late_answer_held: bool = field(
        default=False,
        metadata={
            "description": "the last hop's late answer after no_response changed nothing: the "
            "traceback keeps its outcome until a coordinator reviews it",
            "required": False,
        },
    )

    def as_json(self) -> dict[str, object]:
        """The summary as JSON values: the call's fields in its place, times as UTC text."""
        shown: dict[str, object] = {}
        for found in fields(self):
            value = getattr(self, found.name)
            if isinstance(value, CallUnderTrace):
                shown |= value.as_json()
            else:
                shown[found.name] = asdict(value) if isinstance(value, SignerSummary) else value
        return shown


def _hop_summary(hop: Hop, roles: HopRole) -> dict[str, object]:
    return {
        "provider": hop.provider,
        "answer": hop.answer.value if hop.answer else None,
        "role": roles.role.value,
        "roles": [r.value for r in roles.roles],
        "upstream": hop.upstream,
        "customer": hop.customer,
        "late": hop.late,
    }


def summary_of(tb: Traceback, directory: Mapping[str, ProviderInfo]) -> dict[str, object]:
    """The traceback as the JSON that ``robotrace trace`` prints (:class:`TraceSummary`)."""
    roles = {r.position: r for r in roles_of(tb, directory)}
    return TraceSummary(
        id=tb.id,
        call=tb.call,
        terminating_provider=tb.terminating_provider,
        outcome=tb.outcome.value if tb.outcome else None,
        hops=[_hop_summary(hop, roles[hop.position]) for hop in tb.hops],
        originating_provider=originating_provider_of(tb),
        gateway_provider=gateway_provider_of(tb, directory),
        non_cooperative=non_cooperative_of(tb),
        customer=customer_of(tb),
        signer=signer_summary(tb.signer),
        signer_on_path=signer_on_path(tb),
        loop_caused_by=loop_caused_by(tb),
        late_answer_held=late_answer_held(tb),
    ).as_json()
