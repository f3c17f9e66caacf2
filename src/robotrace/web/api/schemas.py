"""The API's shared request and response bodies (pydantic), so OpenAPI documents every route.

Where an API schema lives: beside the one router that uses it, above its routes
(``web/api/<router>.py``), so a route and its shapes read together; here, what more than one
router uses — the problem body, the id bounds, the due-time zone note — and the hop, signer and
traceback shapes of the hop answer, which the hop, signer and traceback routers share. The
published document names a schema by its class, or by module and class where two routers use
the same class name (``robotrace__web__api__orders__WithdrawIn``): moving such a class to
another module changes the document, and the clients generated from it.

A body that shows a domain read model (a frozen dataclass such as
:class:`~robotrace.traceback.model.HopAnswer`) takes its fields from it with
:func:`fields_of` rather than listing them again (docs/architecture.md#read-models); where
the published document orders a body's fields otherwise, ``fields_of(..., order=...)`` keeps
that order, and a body redeclares a field only to publish it narrower.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import types
from datetime import datetime
from enum import Enum
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Literal,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from fastapi import Path
from pydantic import BaseModel, Field, create_model, model_validator

from robotrace.enforcement.evidence import EvidenceRow
from robotrace.providers.registry import Provider, named_provider
from robotrace.traceback.findings import SignerSummary, TraceSummary
from robotrace.traceback.model import CallUnderTrace, GivenAnswer, Hop, Traceback

#: Where an API body shows a due time in the provider's own zone beside ``due_at`` (UTC).
DUE_AT_LOCAL = Field(
    description="due_at on the provider's wall clock: ISO 8601 with the zone's offset "
    "(2021-07-07T08:00:00-04:00)"
)
TIME_ZONE = Field(
    description="the provider's IANA time zone, which its business hours and so its due "
    "times are read in (docs/concepts.md#due-times-and-the-business-calendar)"
)
PROVIDER_FIELD = Field(
    min_length=1, max_length=32, description="a provider: its key, OCN, RMD number or FRN"
)
#: The largest row id (or version, or page offset) a request may name: PostgreSQL's INTEGER.
#: A larger one, or a negative one, is answered 422 before it reaches the database (where
#: it would fail on PostgreSQL, and past 64 bits on SQLite too).
LARGEST_ID = 2**31 - 1
#: A path parameter that names a row by its id (or a block list version).
RowId = Annotated[int, Path(ge=0, le=LARGEST_ID)]


def _published(annotation: Any) -> Any:
    """``annotation`` as the API shows it: an enum as the string it is, a tuple as the list
    it is in JSON."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return str
    if get_origin(annotation) is tuple and get_args(annotation)[1:] == (Ellipsis,):
        item = _published(get_args(annotation)[0])
        return list[item]  # type: ignore[valid-type]  # a type made at run time
    if get_origin(annotation) in (Union, types.UnionType):
        return functools.reduce(operator.or_, (_published(a) for a in get_args(annotation)))
    return annotation


#: The pydantic models :func:`fields_of` built, by the read models whose fields they show
#: (and the order it was given).
READ_MODEL_FIELDS: dict[tuple[tuple[type, ...], tuple[str, ...]], type[BaseModel]] = {}


def _definitions(read_model: type) -> dict[str, Any]:
    """The pydantic field definitions of ``read_model``'s fields, in their order; a field whose
    metadata says ``inline`` (a read model in a read model) gives its own fields in its place."""
    definitions: dict[str, Any] = {}
    hints = get_type_hints(read_model)
    for found in dataclasses.fields(read_model):
        if found.metadata.get("inline"):
            definitions |= _definitions(hints[found.name])
            continue
        description = found.metadata.get("description")
        about = {"description": description} if description else {}
        default = found.default if found.metadata.get("required", True) is False else ...
        definitions[found.name] = (_published(hints[found.name]), Field(default, **about))
    return definitions


def fields_of(*read_models: type, order: tuple[str, ...] = ()) -> type[BaseModel]:
    """A pydantic model with the fields of ``read_models`` (dataclasses), in their order, as
    a base for the bodies that show them: each required (the API always sends it) unless its
    metadata says ``required=False``, with the ``description`` its metadata gives. With
    ``order``, only the fields it names, in that order: for a body whose published order
    mixes several read models' fields."""
    key = (read_models, order)
    if key not in READ_MODEL_FIELDS:
        definitions: dict[str, Any] = {}
        for read_model in read_models:
            definitions |= _definitions(read_model)
        if order:
            definitions = {name: definitions[name] for name in order}
        name = "".join(model.__name__ for model in read_models) + "Fields"
        READ_MODEL_FIELDS[key] = create_model(name, **definitions)
    return READ_MODEL_FIELDS[key]


#: The traceback body's fields in the order the published document has them: the trace JSON's
#: (TraceSummary) with the traceback's status, campaign and times among them.
TRACEBACK_ORDER = (
    "id", "status", "outcome", "calling_number", "called_number", "call_time",
    "terminating_provider", "campaign", "opened_at", "closed_at", "hops", "originating_provider",
    "gateway_provider", "non_cooperative", "customer", "signer", "signer_on_path",
    "loop_caused_by", "late_answer_held",
)  # fmt: skip

if TYPE_CHECKING:  # the checker sees a plain model; the fields are the read models'
    RequestFields = BaseModel
    HopFields = BaseModel
    SignerFields = BaseModel
    TracebackFields = BaseModel
else:
    #: A request as its provider sees it: the call and the provider's answer.
    RequestFields = fields_of(CallUnderTrace, GivenAnswer)
    HopFields = fields_of(Hop)
    SignerFields = fields_of(SignerSummary)
    TracebackFields = fields_of(TraceSummary, Traceback, order=TRACEBACK_ORDER)


class Problem(BaseModel):
    """Every error: ``detail`` says why — a sentence; for a bad file every ``file:line:
    reason``; for a bad body FastAPI's list of ``{loc, msg, type}`` objects."""

    detail: str | list[str] | list[dict[str, Any]]


class AskedOut(BaseModel):
    """What a request says beyond the call (robotrace.store.asked): the campaign's name and
    what its calls say, a recording at a web address, and how many other requests about the
    same campaign your provider has had — never the traceback, its chain or other providers."""

    campaign_name: str
    excerpt: str = Field(description="what the calls say, at most 300 characters")
    recording: str | None = Field(description="the traced call's recording, when at a web address")
    other_requests_of_campaign: int

    @classmethod
    def of(cls, asked: Any) -> AskedOut:
        return cls(
            campaign_name=asked.campaign_name,
            excerpt=asked.excerpt,
            recording=asked.recording or None,
            other_requests_of_campaign=asked.other_requests,
        )


class HopRequestOut(RequestFields):
    """A hop request as its provider sees it: the call to search for, no traceback id."""

    id: int
    requested_at: datetime
    due_at: datetime
    due_at_local: str = DUE_AT_LOCAL
    time_zone: str = TIME_ZONE
    open: bool
    late: bool
    downstream_key: str | None = Field(description="the provider that named yours (hop > 0)")
    downstream_name: str | None
    asked: AskedOut | None = Field(None, description="what the request says beyond the call")


class NewProvider(BaseModel):
    """An upstream provider the portal does not know yet: a name and a way to reach it are
    enough; an OCN, RMD number or FRN, when you know one, finds it if the portal does."""

    name: str = Field(min_length=1, max_length=200)
    country: str = Field(default="United States", max_length=100)
    foreign: bool = False
    contact_email: str = Field(default="", max_length=254)
    contact_phone: str = Field(default="", max_length=40)
    ocn: str = Field(default="", max_length=8, description="OCN (STIR/SHAKEN SPC), if any")
    rmd_number: str = Field(default="", max_length=10, description="RMD number, if any")
    frn: str = Field(default="", max_length=10, description="FCC Registration Number, if any")

    def provider(self) -> Provider:
        """The named provider, checked (ValueError says what is wrong)."""
        return named_provider(**self.model_dump())


OriginActionName = Literal[
    "warned", "suspended", "terminated", "consent_shown", "no_action", "other"
]


class AnswerIn(BaseModel):
    """A provider's answer to one hop request."""

    answer: Literal["upstream", "origin", "not_found", "refused"]
    upstream: str | None = Field(
        default=None,
        max_length=32,
        description="upstream: the provider's key, OCN, RMD number or FRN",
    )
    new_provider: NewProvider | None = None
    customer: str | None = Field(default=None, max_length=200, description="origin: who")
    note: str = Field(default="", max_length=4000)
    received_attest: Literal["A", "B", "C", "none"] | None = Field(
        default=None,
        description="the STIR/SHAKEN attestation the call arrived with (ATIS-1000074), "
        '"none": unsigned; leave out when not known',
    )
    received_signer: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9]{1,32}$",
        description="the SPC of the certificate that signed it (from the x5u's TNAuthList)",
    )
    origin_action: OriginActionName | None = Field(
        default=None,
        description="origin: what you did with the customer; other says what in note",
    )

    @model_validator(mode="after")
    def _complete(self) -> AnswerIn:
        if self.upstream:
            self.upstream = self.upstream.strip()
        if self.answer == "upstream" and not (self.upstream or self.new_provider):
            raise ValueError(
                "an upstream answer names the upstream provider (upstream or new_provider)"
            )
        if self.answer == "origin" and not (self.customer or "").strip():
            raise ValueError("an origin answer names the customer that placed the call")
        self._check_shaken_and_action()
        if self.new_provider is not None:
            self.new_provider.provider()  # refused here, with its reason, as in the form
        return self

    def _check_shaken_and_action(self) -> None:
        if self.origin_action is not None and self.answer != "origin":
            raise ValueError("only an origin answer states an origin_action")
        if self.origin_action == "other" and not self.note.strip():
            raise ValueError("origin_action other says what was done in note")
        if self.received_signer and self.received_attest in (None, "none"):
            raise ValueError("a received_signer needs the received_attest it signed with")


class SignerRequestOut(RequestFields):
    """A direct request to your provider as the signer of a call (STIR/SHAKEN, docs/shaken.md):
    the origid your signature carried and the call, no traceback id."""

    id: int = Field(description="the direct request's id (not a traceback id)")
    origid: str | None = Field(description="the origid of your PASSporT on the call")
    attest: Literal["A", "B"]
    requested_at: datetime
    due_at: datetime
    due_at_local: str = DUE_AT_LOCAL
    time_zone: str = TIME_ZONE
    open: bool


class SignerAnswerIn(BaseModel):
    """Your answer to a direct request: your customer placed the call (``origin``), you
    received it from another provider (``upstream``: any identifier of it), or ``not_found`` /
    ``refused`` with a ``note`` saying why."""

    answer: Literal["origin", "upstream", "not_found", "refused"]
    customer: str | None = Field(default=None, max_length=200, description="origin: who")
    upstream: str | None = Field(
        default=None, max_length=32, description="upstream: its key, OCN, RMD number or FRN"
    )
    note: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _complete(self) -> SignerAnswerIn:
        self.upstream = (self.upstream or "").strip().upper() or None
        if self.answer == "origin" and not (self.customer or "").strip():
            raise ValueError("an origin answer names the customer that placed the call")
        if self.answer == "upstream" and not self.upstream:
            raise ValueError("an upstream answer names the upstream provider")
        if self.answer in ("not_found", "refused") and not self.note.strip():
            raise ValueError(f"a {self.answer} answer says why in note")
        return self


class HopOut(HopFields):
    id: int
    role: str
    roles: list[str]
    due_at_local: str = DUE_AT_LOCAL
    time_zone: str = TIME_ZONE
    overdue: bool


class SignerOut(SignerFields):
    """The provider whose verified STIR/SHAKEN signature the call carried, and its direct
    request (the signer shortcut, docs/shaken.md)."""

    attest: Literal["A", "B", "C"]


class TracebackOut(TracebackFields):
    """A traceback: the ``robotrace trace`` JSON (docs/cli.md) plus status, times and hop ids."""

    status: Literal["open", "closed"]
    call_time: str  # as the trace JSON shows it: UTC text
    hops: list[HopOut]
    signer: SignerOut | None = None


class OpenTracebackIn(BaseModel):
    """Either a stored evidence call (``call_id``) or the call's details."""

    call_id: int | None = Field(None, ge=0, le=LARGEST_ID)
    calling_number: str | None = Field(default=None, max_length=64)
    called_number: str | None = Field(default=None, max_length=64)
    call_time: datetime | None = None
    terminating_provider: str | None = Field(
        default=None, max_length=32, description="key, OCN, RMD number or FRN"
    )

    @model_validator(mode="after")
    def _one_way(self) -> OpenTracebackIn:
        details = (self.called_number, self.call_time, self.terminating_provider)
        if self.call_id is not None:
            if any(d is not None for d in details):
                raise ValueError("give call_id or the call's details, not both")
            return self
        if any(d is None or d == "" for d in details):
            raise ValueError("give call_id, or called_number, call_time and terminating_provider")
        return self


# --- Enforcement: letters and orders (the enforcement and orders routers) -------------------


class FindingOut(BaseModel):
    """A refusal or a silence: a finding against the provider (docs/concepts.md#findings)."""

    kind: Literal["refused", "no_response"]
    reason: str = Field(description="the refusal's stated reason, or 'no answer by <due time>'")
    due_at: datetime
    answered_at: datetime | None = Field(
        description="when it refused, or answered late after no_response; null: never"
    )


class EvidenceRowOut(BaseModel):
    traceback_id: str
    campaign: str | None
    call_time: datetime
    caller_id: str
    called_number: str
    roles: list[str] = Field(description="originating, gateway and/or non_cooperative")
    originator: str | None = Field(description="the customer the originating provider named")
    finding: FindingOut | None = Field(
        default=None, description="non_cooperative: the refusal or silence, with its reason"
    )

    @classmethod
    def of(cls, row: EvidenceRow) -> EvidenceRowOut:
        return cls(**{**row.as_json(), "call_time": row.call_time})


class LetterIn(BaseModel):
    provider: str = PROVIDER_FIELD
    campaigns: list[str] = Field(default_factory=list, description="campaign ids to name")
    originators: list[str] = Field(default_factory=list, description="customer names to name")
    findings: list[str] = Field(
        default_factory=list,
        description="traceback ids in which the provider refused or did not answer",
    )


class DecisionIn(BaseModel):
    status: str | None = Field(
        default=None,
        description="complied, noncompliant (or, for a notification, no_response); "
        "default: the worker's proposal",
    )
    reason: str = Field(
        default="", max_length=5000, description="required when the decision is not the proposal"
    )
