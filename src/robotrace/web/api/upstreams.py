"""Know your upstream over the API (robotrace.enforcement.upstreams; docs/api.md).

``GET /api/v1/upstreams``: the providers the caller's own provider named as its upstream in
its hop answers, riskiest first, each with its RMD status, the letters, notifications and
orders issued to it, its block authorizations in force and where the current block list
names it. Readers of all name the provider (``provider=KEY``); a provider user naming
another provider gets 404, exactly as for a key that does not exist.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.enforcement.standing import BlockReason
from robotrace.enforcement.upstreams import PublicStep, Upstream
from robotrace.settings import Settings
from robotrace.store.models import UserRole
from robotrace.web import access
from robotrace.web.api.errors import responses
from robotrace.web.deps import REQUEST_DB, get_clock, get_settings, require_roles
from robotrace.web.principal import Principal

router = APIRouter(tags=["providers"])
READERS = (UserRole.ADMIN, UserRole.COORDINATOR, UserRole.REGULATOR, UserRole.PROVIDER)
#: Risk levels in words (robotrace.enforcement.upstreams.risk_of).
RISK_NAMES = {3: "blocked", 2: "warned", 1: "not_in_rmd", 0: "none"}


class StepOut(BaseModel):
    """An issued letter, notification, order or block authorization, as the FCC publishes
    it: never its evidence, and never a draft."""

    reference: str
    kind: str
    title: str
    status: str
    issued_at: datetime | None
    effective_at: datetime | None


class BlockListReasonOut(BaseModel):
    reason_code: str
    reference: str
    obligation: str
    since: datetime | None
    numbers: list[str]
    text: str


class RmdOut(BaseModel):
    status: str
    listed_numbers: list[str]
    removal_order: str | None
    removed_at: datetime | None
    last_recertified: str | None
    recertification_overdue: bool | None


class UpstreamOut(BaseModel):
    """One upstream: who, how often the provider named it, and its public record."""

    provider: str
    name: str
    country: str
    foreign: bool
    tracebacks: int
    last_call_at: datetime
    last_named_at: datetime | None
    risk: str
    concerns: list[str]
    rmd: RmdOut
    letters: list[StepOut]
    authorizations_in_force: list[StepOut]
    block_list_version: int | None
    on_block_list: bool
    block_list_reasons: list[BlockListReasonOut]


class UpstreamsOut(BaseModel):
    provider: str
    upstreams: list[UpstreamOut]


def _step(step: PublicStep) -> StepOut:
    return StepOut(
        reference=step.reference,
        kind=step.kind,
        title=step.title,
        status=step.status,
        issued_at=step.issued_at,
        effective_at=step.effective_at,
    )


def _reason(reason: BlockReason) -> BlockListReasonOut:
    return BlockListReasonOut(
        reason_code=reason.reason_code,
        reference=reason.reference,
        obligation=reason.obligation,
        since=reason.since,
        numbers=list(reason.numbers),
        text=reason.text,
    )


def _out(upstream: Upstream) -> UpstreamOut:
    rmd = upstream.rmd
    return UpstreamOut(
        provider=upstream.key,
        name=upstream.name,
        country=upstream.country,
        foreign=upstream.foreign,
        tracebacks=upstream.tracebacks,
        last_call_at=upstream.last_call_at,
        last_named_at=upstream.last_named_at,
        risk=RISK_NAMES[upstream.risk],
        concerns=upstream.concerns,
        rmd=RmdOut(
            status=rmd.status,
            listed_numbers=list(rmd.listed_numbers),
            removal_order=rmd.removal_order,
            removed_at=rmd.removed_at,
            last_recertified=rmd.last_recertified or None,
            recertification_overdue=rmd.recertification_overdue,
        ),
        letters=[_step(s) for s in upstream.letters],
        authorizations_in_force=[_step(s) for s in upstream.authorizations],
        block_list_version=upstream.block_list.version,
        on_block_list=bool(upstream.block_list.reasons),
        block_list_reasons=[_reason(r) for r in upstream.block_list.reasons],
    )


@router.get("/upstreams", response_model=UpstreamsOut, responses=responses(403, 404, 422))
def list_upstreams(
    provider: str | None = Query(
        None, max_length=64, description="readers of all: whose upstreams (key or identifier)"
    ),
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> UpstreamsOut:
    """The providers your provider named as its upstream in its hop answers (47 CFR
    64.1200(n)(4): know whom you take traffic from), riskiest first — on the block list,
    under an authorization, or removed from the RMD; then warned; then not in the RMD —
    then by tracebacks. Readers of all must name the provider (422 without one)."""
    today, due = clock.now().date(), settings.rmd_recertification_due
    subject, found = access.upstreams(db, principal, provider, today, due)
    return UpstreamsOut(provider=subject.key, upstreams=[_out(u) for u in found])
