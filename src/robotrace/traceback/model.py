"""The traceback's data: plain frozen dataclasses, no database and no web.

A :class:`Traceback` starts from one call at its terminating provider and grows one
:class:`Hop` per provider asked. Rules in :mod:`robotrace.traceback.workflow` take these
values and return new ones together with the :class:`AuditEvent` records of what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from robotrace.store.values import Answer as Answer
from robotrace.store.values import AuditEvent as AuditEvent
from robotrace.store.values import Outcome as Outcome
from robotrace.store.values import Status as Status


class Role(StrEnum):
    TERMINATING = "terminating"
    INTERMEDIATE = "intermediate"
    GATEWAY = "gateway"
    ORIGINATING = "originating"
    FOREIGN = "foreign"


class OriginAction(StrEnum):
    """What an originating provider did with the customer that placed the traced call — the
    consortium reports the share of completed tracebacks whose caller was warned or
    terminated (docs/statistics.md#caller-warned-or-terminated)."""

    WARNED = "warned"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    CONSENT_SHOWN = "consent_shown"
    NO_ACTION = "no_action"
    OTHER = "other"


#: What a hop may say it received of STIR/SHAKEN: the attestation levels of ATIS-1000074
#: (A full, B partial, C gateway), or "none" — the call arrived without an Identity header.
RECEIVED_ATTESTATIONS = ("A", "B", "C", "none")


@dataclass(frozen=True)
class ProviderInfo:
    """What the workflow needs to know of a provider: who, whether it is foreign, and the
    IANA zone its business hours are read in ("": the business calendar's default zone)."""

    key: str
    name: str = ""
    country: str = "United States"
    foreign: bool = False
    contact_email: str = ""
    time_zone: str = ""


@dataclass(frozen=True)
class CallUnderTrace:
    """The sample call: numbers as the terminating provider saw them, time in UTC."""

    calling_number: str
    called_number: str
    call_time: datetime


@dataclass(frozen=True)
class Hop:
    position: int
    provider: str
    requested_at: datetime
    due_at: datetime
    answer: Answer | None = None
    answered_at: datetime | None = None
    upstream: str | None = None
    customer: str | None = None
    note: str = ""
    late: bool = False
    #: What the provider received of STIR/SHAKEN with the call: the attestation (one of
    #: :data:`RECEIVED_ATTESTATIONS`) and the signer's SPC; None where it did not say.
    received_attest: str | None = None
    received_signer: str | None = None
    #: An origin answer's action with its customer; None where it did not say.
    origin_action: OriginAction | None = None

    @property
    def pending(self) -> bool:
        return self.answer is None

    def overdue(self, now: datetime) -> bool:
        return self.pending and now > self.due_at


@dataclass(frozen=True)
class SignerLead:
    """The provider that signed the call (STIR/SHAKEN), from its verified Identity header,
    and the direct request the traceback may send it (the signer shortcut).

    Attestation A or B names the originating provider; C names a gateway."""

    provider: str
    attest: str
    origid: str | None = None
    requested_at: datetime | None = None
    due_at: datetime | None = None
    answer: Answer | None = None
    answered_at: datetime | None = None
    upstream: str | None = None
    customer: str | None = None
    note: str = ""

    @property
    def names_origin(self) -> bool:
        return self.attest in ("A", "B")

    @property
    def confirmed_origin(self) -> bool:
        return self.answer is Answer.ORIGIN


@dataclass(frozen=True)
class Traceback:
    id: str
    call: CallUnderTrace
    terminating_provider: str
    opened_at: datetime
    hops: tuple[Hop, ...] = ()
    status: Status = Status.OPEN
    outcome: Outcome | None = None
    closed_at: datetime | None = None
    campaign: str | None = None
    signer: SignerLead | None = None

    @property
    def current_hop(self) -> Hop | None:
        return self.hops[-1] if self.hops else None

    @property
    def confirming(self) -> bool:
        """Closed by the signer's own origin answer while the hop chain still runs to
        confirm the path: its open hop may still be answered."""
        hop = self.current_hop
        return (
            self.status is Status.CLOSED
            and self.signer is not None
            and self.signer.confirmed_origin
            and hop is not None
            and hop.pending
        )


@dataclass(frozen=True)
class HopRole:
    position: int
    provider: str
    roles: tuple[Role, ...]

    @property
    def role(self) -> Role:
        """The most telling role, for one-word displays."""
        for role in (Role.ORIGINATING, Role.GATEWAY, Role.TERMINATING, Role.FOREIGN):
            if role in self.roles:
                return role
        return Role.INTERMEDIATE
