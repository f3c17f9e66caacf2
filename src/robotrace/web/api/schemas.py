"""The API's request and response bodies (pydantic), so OpenAPI documents every route."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, Field, model_validator

OCN_FIELD = Field(min_length=1, max_length=16, description="Operating Company Number")
#: The largest row id (or version, or page offset) a request may name: PostgreSQL's INTEGER.
#: A larger one, or a negative one, is answered 422 before it reaches the database (where
#: it would fail on PostgreSQL, and past 64 bits on SQLite too).
LARGEST_ID = 2**31 - 1
#: A path parameter that names a row by its id (or a block list version).
RowId = Annotated[int, Path(ge=0, le=LARGEST_ID)]


class Problem(BaseModel):
    """Every error: ``detail`` says why — a sentence; for a bad file every ``file:line:
    reason``; for a bad body FastAPI's list of ``{loc, msg, type}`` objects."""

    detail: str | list[str] | list[dict[str, Any]]


class Me(BaseModel):
    email: str
    name: str
    role: Literal["admin", "coordinator", "regulator", "provider"]
    provider_ocn: str | None = Field(description="the provider a provider user belongs to")
    provider_name: str | None
    via: Literal["session", "token"]
    can_write: bool


class HopRequestOut(BaseModel):
    """A hop request as its provider sees it: the call to search for, no traceback id."""

    id: int
    calling_number: str
    called_number: str
    call_time: datetime
    requested_at: datetime
    due_at: datetime
    open: bool
    answer: str | None
    answered_at: datetime | None
    upstream: str | None
    customer: str | None
    note: str
    late: bool
    downstream_ocn: str | None = Field(description="the provider that named yours (hop > 0)")
    downstream_name: str | None


class NewProvider(BaseModel):
    """An upstream provider the portal does not know yet."""

    ocn: str = OCN_FIELD
    name: str = Field(default="", max_length=200)
    country: str = Field(default="United States", max_length=100)
    foreign: bool = False
    contact_email: str = Field(default="", max_length=200)


class AnswerIn(BaseModel):
    """A provider's answer to one hop request."""

    answer: Literal["upstream", "origin", "not_found", "refused"]
    upstream: str | None = Field(default=None, max_length=16, description="OCN (upstream)")
    new_provider: NewProvider | None = None
    customer: str | None = Field(default=None, max_length=200, description="origin: who")
    note: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _complete(self) -> AnswerIn:
        if self.upstream:
            self.upstream = self.upstream.strip().upper()
        if self.new_provider is not None:
            self.new_provider.ocn = self.new_provider.ocn.strip().upper()
            self.upstream = self.upstream or self.new_provider.ocn
        if self.answer == "upstream" and not self.upstream:
            raise ValueError(
                "an upstream answer names the upstream provider (upstream or new_provider)"
            )
        if self.answer == "origin" and not (self.customer or "").strip():
            raise ValueError("an origin answer names the customer that placed the call")
        if self.new_provider is not None and self.new_provider.ocn != self.upstream:
            raise ValueError("new_provider.ocn must be the upstream OCN")
        return self


class SignerRequestOut(BaseModel):
    """A direct request to your provider as the signer of a call (STIR/SHAKEN, docs/shaken.md):
    the origid your signature carried and the call, no traceback id."""

    id: int = Field(description="the direct request's id (not a traceback id)")
    origid: str | None = Field(description="the origid of your PASSporT on the call")
    attest: Literal["A", "B"]
    calling_number: str
    called_number: str
    call_time: datetime
    requested_at: datetime
    due_at: datetime
    open: bool
    answer: str | None
    answered_at: datetime | None
    upstream: str | None
    customer: str | None
    note: str


class SignerAnswerIn(BaseModel):
    """Your answer to a direct request: your customer placed the call (``origin``), you
    received it from another provider (``upstream``: its OCN), or ``not_found`` /
    ``refused`` with a ``note`` saying why."""

    answer: Literal["origin", "upstream", "not_found", "refused"]
    customer: str | None = Field(default=None, max_length=200, description="origin: who")
    upstream: str | None = Field(default=None, max_length=16, description="OCN (upstream)")
    note: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _complete(self) -> SignerAnswerIn:
        self.upstream = (self.upstream or "").strip().upper() or None
        if self.answer == "origin" and not (self.customer or "").strip():
            raise ValueError("an origin answer names the customer that placed the call")
        if self.answer == "upstream" and not self.upstream:
            raise ValueError("an upstream answer names the upstream provider's OCN")
        if self.answer in ("not_found", "refused") and not self.note.strip():
            raise ValueError(f"a {self.answer} answer says why in note")
        return self


class HopOut(BaseModel):
    id: int
    position: int
    provider: str
    role: str
    roles: list[str]
    requested_at: datetime
    due_at: datetime
    answer: str | None
    answered_at: datetime | None
    upstream: str | None
    customer: str | None
    note: str
    late: bool
    overdue: bool


class SignerOut(BaseModel):
    """The provider whose verified STIR/SHAKEN signature the call carried, and its direct
    request (the signer shortcut, docs/shaken.md)."""

    provider: str = Field(description="OCN (the signing certificate's SPC)")
    attest: Literal["A", "B", "C"]
    origid: str | None
    requested_at: str | None
    answer: str | None
    answered_at: str | None
    upstream: str | None
    customer: str | None


class TracebackOut(BaseModel):
    """A traceback: the ``robotrace trace`` JSON (docs/cli.md) plus status, times and hop ids."""

    id: str
    status: Literal["open", "closed"]
    outcome: str | None
    calling_number: str
    called_number: str
    call_time: str
    terminating_provider: str
    campaign: str | None
    opened_at: datetime
    closed_at: datetime | None
    hops: list[HopOut]
    originating_provider: str | None
    gateway_provider: str | None
    non_cooperative: list[str]
    customer: str | None
    signer: SignerOut | None = None
    signer_on_path: bool | None = Field(
        default=None, description="whether the chain passed the signer; null: not known yet"
    )


class OpenTracebackIn(BaseModel):
    """Either a stored evidence call (``call_id``) or the call's details."""

    call_id: int | None = None
    calling_number: str | None = Field(default=None, max_length=64)
    called_number: str | None = Field(default=None, max_length=64)
    call_time: datetime | None = None
    terminating_provider: str | None = Field(default=None, max_length=16)

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


class ProviderBrief(BaseModel):
    """What anyone signed in may learn of a provider by search."""

    ocn: str
    name: str
    country: str


class ProviderOut(BaseModel):
    ocn: str
    business_name: str
    country: str
    foreign: bool
    rmd_number: str
    frn: str
    implementation: str
    voice_service_provider: bool
    gateway_provider: bool
    intermediate_provider: bool
    last_recertified: str
    contact_email: str
    created_at: datetime
    updated_at: datetime


class ImportOut(BaseModel):
    added: int
    updated: int
    unchanged: int
