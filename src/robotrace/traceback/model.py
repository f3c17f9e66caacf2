"""The traceback's data: plain frozen dataclasses, no database and no web.

A :class:`Traceback` starts from one call at its terminating provider and grows one
:class:`Hop` per provider asked. Rules in :mod:`robotrace.traceback.workflow` take these
values and return new ones together with the :class:`AuditEvent` records of what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from robotrace.store.values import Answer as Answer
from robotrace.store.values import AuditEvent as AuditEvent
from robotrace.store.values import CallUnderTrace as CallUnderTrace
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
class ProviderCard:
    """The read model of who a provider is, as a list names it: robotrace's key, its business
    name, its country and whether it is foreign. The workflow's :class:`ProviderInfo` and the
    upstreams a provider named (robotrace.enforcement.upstreams.Upstream) take it from here."""

    key: str
    name: str = ""
    country: str = "United States"
    foreign: bool = False


@dataclass(frozen=True)
class ProviderInfo(ProviderCard):
    """What the workflow needs to know of a provider: who (:class:`ProviderCard`), how to
    reach it, and the IANA zone its business hours are read in ("": the business calendar's
    default zone)."""

    contact_email: str = ""
    time_zone: str = ""


def read_values(read_model: type, value: object) -> dict[str, Any]:
    """The fields of ``read_model`` (a dataclass ``value`` is, or inherits from) and their
    values in ``value``: for a class that shows the same read model."""
    return {found.name: getattr(value, found.name) for found in fields(read_model)}


@dataclass(frozen=True, kw_only=True)
class GivenAnswer:
    """The read model of what a provider answered to a request — a hop request, or the direct
    request to the call's signer: nothing yet while ``answer`` is None.

    The one list of these fields: the domain (:class:`Hop`, :class:`SignerLead`), the portal's
    request rows (robotrace.web.access) and the API's bodies (robotrace.web.api.schemas) take
    them from here. A field's ``metadata`` may carry the ``description`` its API schema shows,
    and ``required=False`` where that schema marks it optional (docs/architecture.md#read-models).
    """

    answer: Answer | None = None
    answered_at: datetime | None = None
    upstream: str | None = None
    customer: str | None = None
    note: str = ""

    @staticmethod
    def signer_fields(row: Any) -> dict[str, Any]:
        """These fields of the signer's answer, from its ``signer_*`` columns of a
        ``tracebacks`` row (robotrace.store.models.Traceback)."""
        return {
            "answer": Answer(row.signer_answer) if row.signer_answer else None,
            "answered_at": row.signer_answered_at,
            "upstream": row.signer_upstream,
            "customer": row.signer_customer,
            "note": row.signer_note or "",
        }

    def signer_columns(self) -> dict[str, Any]:
        """The ``signer_*`` columns of a ``tracebacks`` row that keep this answer (what
        :meth:`signer_fields` reads back)."""
        return {
            "signer_answer": self.answer.value if self.answer else None,
            "signer_answered_at": self.answered_at,
            "signer_upstream": self.upstream,
            "signer_customer": self.customer,
            "signer_note": self.note or None,
        }


@dataclass(frozen=True, kw_only=True)
class HopAnswer(GivenAnswer):
    """The read model of a hop's answer: what the provider answered, whether after its due
    time, what it received of STIR/SHAKEN and, for an origin answer, what it did."""

    late: bool = False
    #: What the provider received of STIR/SHAKEN with the call: the attestation (one of
    #: :data:`RECEIVED_ATTESTATIONS`) and the signer's SPC; None where it did not say.
    received_attest: str | None = field(
        default=None, metadata={"description": "attestation it received", "required": False}
    )
    received_signer: str | None = field(
        default=None, metadata={"description": "the signer's SPC", "required": False}
    )
    #: An origin answer's action with its customer; None where it did not say.
    origin_action: OriginAction | None = field(
        default=None, metadata={"description": "origin: action taken", "required": False}
    )

    @staticmethod
    def row_fields(row: Any, upstream: str | None) -> dict[str, Any]:
        """These fields, from a ``hops`` row (robotrace.store.models.Hop, or a query row with
        its columns); ``upstream`` is the key of the provider it named (the row holds its id).
        The one place a hop's answer is read from the store (:meth:`row_columns` writes it)."""
        return {
            "answer": row.answer,
            "answered_at": row.answered_at,
            "upstream": upstream,
            "customer": row.customer,
            "note": row.note,
            "late": row.late,
            "received_attest": row.received_attest,
            "received_signer": row.received_signer,
            "origin_action": OriginAction(row.origin_action) if row.origin_action else None,
        }

    def row_columns(self, upstream_id: int | None) -> dict[str, Any]:
        """The columns of a ``hops`` row that keep this answer (what :meth:`row_fields` reads
        back); ``upstream_id`` is the id of the provider it named."""
        return {
            "answer": self.answer,
            "answered_at": self.answered_at,
            "upstream_provider_id": upstream_id,
            "customer": self.customer,
            "note": self.note,
            "late": self.late,
            "received_attest": self.received_attest,
            "received_signer": self.received_signer,
            "origin_action": self.origin_action.value if self.origin_action else None,
        }


@dataclass(frozen=True)
class Hop(HopAnswer):
    """One provider asked, and its answer (:class:`HopAnswer`, keyword arguments)."""

    position: int
    provider: str
    requested_at: datetime
    due_at: datetime

    @property
    def pending(self) -> bool:
        return self.answer is None

    def overdue(self, now: datetime) -> bool:
        return self.pending and now > self.due_at


@dataclass(frozen=True)
class SignerLead(GivenAnswer):
    """The provider that signed the call (STIR/SHAKEN), from its verified Identity header,
    and the direct request the traceback may send it (the signer shortcut).

    Attestation A or B names the originating provider; C names a gateway."""

    provider: str
    attest: str
    origid: str | None = None
    requested_at: datetime | None = None
    due_at: datetime | None = None

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
