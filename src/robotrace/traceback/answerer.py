"""Provider answerers: who answers a hop request, and how.

A :class:`RecordsAnswerer` searches one provider's own call records and nothing else; the
simulator's refusing and silent providers are answerers too. A later portal turns the records
answerer into an agent that talks to the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypedDict

from robotrace.shaken.certificate import CertificateBundle
from robotrace.shaken.received import received_of
from robotrace.traceback.model import (
    Answer,
    CallUnderTrace,
    OriginAction,
    ProviderInfo,
    Traceback,
)
from robotrace.traceback.workflow import Reply


@dataclass(frozen=True)
class HopRequest(CallUnderTrace):
    """What a provider is told about the call it must search for (:class:`CallUnderTrace`)."""

    traceback_id: str
    provider: str
    due_at: datetime
    #: The call's origid, on a direct request to the provider that signed it.
    origid: str | None = None


def signer_request_of(tb: Traceback) -> HopRequest:
    """The direct request to the traceback's signer (the signer shortcut)."""
    signer = tb.signer
    assert signer is not None and signer.due_at is not None
    return HopRequest(
        traceback_id=tb.id,
        provider=signer.provider,
        calling_number=tb.call.calling_number,
        called_number=tb.call.called_number,
        call_time=tb.call.call_time,
        due_at=signer.due_at,
        origid=signer.origid,
    )


def request_of(tb: Traceback) -> HopRequest:
    """The hop request for the traceback's current hop."""
    hop = tb.current_hop
    assert hop is not None
    return HopRequest(
        traceback_id=tb.id,
        provider=hop.provider,
        calling_number=tb.call.calling_number,
        called_number=tb.call.called_number,
        call_time=tb.call.call_time,
        due_at=hop.due_at,
    )


class Answerer(Protocol):
    def answer(self, request: HopRequest) -> Reply | None:
        """The provider's reply, or ``None`` where it does not answer at all."""
        ...


class LegLookup(Protocol):
    def lookup(self, called: str, calling: str, when: datetime, skew_s: float) -> Any: ...


class UnmappedTrunk(ValueError):
    """The matching leg came in on a trunk the provider's trunk map does not map: the records
    cannot say who sent the call, and no answer is given rather than a guessed one."""

    def __init__(self, request: HopRequest, trunk: str, call_id: str | None, delta_s: float):
        self.request, self.trunk, self.call_id = request, trunk, call_id
        super().__init__(
            f"the matching call {call_id or '?'} (at {delta_s:+.3f} s) came in on {trunk}, "
            "which the trunk map does not map: add it to the trunk map"
        )


class _Said(TypedDict):
    """What both answers to a matched call carry: what the hop received, and the match."""

    received_attest: str | None
    received_signer: str | None
    note: str


class RecordsAnswerer:
    """Answers from one provider's own CDRs: upstream, origin, or not found; raises
    :class:`UnmappedTrunk` where the matching leg's trunk is not mapped.

    Each answer says what the matching leg's ``identity`` column holds of STIR/SHAKEN (the
    attestation, and the signer where ``certificates`` hold the x5u's certificate:
    robotrace.shaken.received); an origin answer states ``origin_action`` when given (what
    the provider does with a customer a traceback finds; records do not say it)."""

    def __init__(
        self,
        records: LegLookup,
        directory: Mapping[str, ProviderInfo] | None = None,
        *,
        skew_s: float,
        certificates: Mapping[str, CertificateBundle] | None = None,
        origin_action: OriginAction | None = None,
    ) -> None:
        self.records = records
        self.directory = directory if directory is not None else {}
        self.skew_s = skew_s
        self.certificates = certificates or {}
        self.origin_action = origin_action

    def answer(self, request: HopRequest) -> Reply:
        found = self.records.lookup(
            request.called_number, request.calling_number, request.call_time, self.skew_s
        )
        if not found.found:
            return Reply(Answer.NOT_FOUND, note="no matching call in our records")
        if getattr(found, "answer", "") == "unmapped":
            raise UnmappedTrunk(request, found.trunk, found.sip_call_id, found.delta_s)
        note = f"matched call {found.sip_call_id or '?'} at {found.delta_s:+.3f} s"
        attest, signer = received_of(getattr(found, "identity", None), self.certificates)
        said = _Said(received_attest=attest, received_signer=signer, note=note)
        if found.from_provider:
            upstream = found.from_provider
            named = None
            if upstream not in self.directory:
                named = ProviderInfo(key=upstream, name=f"provider {upstream}")
            return Reply(Answer.UPSTREAM, upstream=upstream, new_provider=named, **said)
        customer = found.customer or "unnamed customer"
        return Reply(Answer.ORIGIN, customer=customer, origin_action=self.origin_action, **said)


class RefusingAnswerer:
    """A provider that declines to say where its calls came from."""

    def answer(self, request: HopRequest) -> Reply:
        return Reply(Answer.REFUSED, note="we do not disclose customer information")


class SilentAnswerer:
    """A provider that never answers hop requests."""

    def answer(self, request: HopRequest) -> None:
        return None
