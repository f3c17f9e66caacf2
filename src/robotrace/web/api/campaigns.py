"""Campaigns, for readers of all (``/api/v1/campaigns``): the ranked list with the portal's
filters, one campaign's detail, and opening tracebacks for sample calls (coordinators and
admins). Providers get 403: campaigns are not theirs to see (docs/tenancy.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from robotrace.campaigns.reads import (
    CampaignDetail,
    CampaignFilter,
    CampaignLine,
    campaign_detail,
    campaign_lines,
    campaign_total,
)
from robotrace.campaigns.review import (
    NOT_ILLEGAL,
    REASON_LIMIT,
    AlreadyThere,
    ReviewRefused,
    mark_not_illegal,
    put_back_in_queue,
)
from robotrace.clock import Clock
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.traceback.sampling import DEFAULT_SAMPLES, MAX_SAMPLES, open_tracebacks_for_samples
from robotrace.traceback.workflow import Policy
from robotrace.web import access
from robotrace.web.api.errors import conflicts, responses
from robotrace.web.api.hops import page_headers
from robotrace.web.api.schemas import LARGEST_ID
from robotrace.web.deps import REQUEST_DB, get_clock, get_policy, require_roles, writer
from robotrace.web.evidence_uploads import analytics_dir
from robotrace.web.principal import Principal

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
READERS = access.READ_ALL
STAFF = (UserRole.COORDINATOR, UserRole.ADMIN)
PAGE_SIZE, MAX_PAGE_SIZE = 50, 500
NOTHING_LEFT = "every call of this campaign with a known terminating provider is traced already"
NOT_TRACED = "this campaign is marked not illegal: put it back in the queue to trace its calls"


class CampaignOut(BaseModel):
    id: str
    name: str
    tags: list[str]
    calls: int = Field(description="calls grouped into it")
    complaints: int = Field(
        description="complaints in the analytics store naming one of its call-back numbers "
        "or caller IDs"
    )
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    priority: float = Field(description="traceback priority, higher first")
    open_tracebacks: int
    closed_tracebacks: int
    status: Literal["open", "not_illegal"] = Field(
        description="open: in the queue; not_illegal: marked a legitimate recurring message"
    )

    @classmethod
    def of(cls, line: CampaignLine) -> CampaignOut:
        return cls(
            id=line.id,
            name=line.name,
            tags=list(line.tags),
            calls=line.calls,
            complaints=line.complaints,
            first_seen_at=line.first_seen_at,
            last_seen_at=line.last_seen_at,
            priority=line.priority,
            open_tracebacks=line.open_tracebacks,
            closed_tracebacks=line.closed_tracebacks,
            status=line.status,
        )


class SampleOut(BaseModel):
    call_id: int
    call_time: datetime
    calling_number: str
    transcript: str


class CallerIdOut(BaseModel):
    number: str
    calls: int


class DayOut(BaseModel):
    day: date = Field(description="a UTC day")
    calls: int


class CampaignTracebackOut(BaseModel):
    id: str
    status: str
    outcome: str | None
    opened_at: datetime
    call_time: datetime
    terminating_provider: str
    originating_provider: str | None
    gateway_provider: str | None


class CampaignDetailOut(CampaignOut):
    topic: str
    status_reason: str = Field(description="why it was marked not illegal (or put back)")
    status_by: str = Field(description="who last set its status; empty if nobody did")
    status_at: datetime | None
    representative: str = Field(description="its most typical transcript")
    callback_numbers: list[str] = Field(description="read out in its calls, most frequent first")
    caller_ids: list[CallerIdOut] = Field(description="the most frequent caller IDs")
    distinct_caller_ids: int
    samples: list[SampleOut] = Field(description="different transcripts, spread over time")
    calls_per_day: list[DayOut] = Field(description="days with calls, oldest first")
    tracebacks: list[CampaignTracebackOut]
    traceable_calls: int = Field(description="calls a sample may still be taken from")

    @classmethod
    def of_detail(cls, detail: CampaignDetail) -> CampaignDetailOut:
        return cls(
            **CampaignOut.of(detail.line).model_dump(),
            topic=detail.topic,
            status_reason=detail.status_reason,
            status_by=detail.status_by,
            status_at=detail.status_at,
            representative=detail.representative,
            callback_numbers=list(detail.callback_numbers),
            caller_ids=[CallerIdOut(number=c.number, calls=c.calls) for c in detail.caller_ids],
            distinct_caller_ids=detail.distinct_caller_ids,
            samples=[
                SampleOut(
                    call_id=s.call_id,
                    call_time=s.call_time,
                    calling_number=s.calling_number,
                    transcript=s.text,
                )
                for s in detail.samples
            ],
            calls_per_day=[DayOut(day=d.day, calls=d.calls) for d in detail.days if d.calls],
            tracebacks=[
                CampaignTracebackOut(
                    id=tb.id,
                    status=tb.status,
                    outcome=tb.outcome,
                    opened_at=tb.opened_at,
                    call_time=tb.call_time,
                    terminating_provider=tb.terminating,
                    originating_provider=tb.originating,
                    gateway_provider=tb.gateway,
                )
                for tb in detail.tracebacks
            ],
            traceable_calls=detail.traceable_calls,
        )


class SamplesIn(BaseModel):
    samples: int = Field(
        DEFAULT_SAMPLES, ge=1, le=MAX_SAMPLES, description="how many sample calls to trace"
    )


class OpenedOut(BaseModel):
    campaign: str
    tracebacks: list[str] = Field(description="the tracebacks opened, one per sample call")


PAGE_HEADERS = {
    "X-Total-Count": {
        "description": "how many campaigns match, over all pages",
        "schema": {"type": "integer"},
    },
    "Link": {
        "description": 'the next page as `<URL>; rel="next"`, when there is one',
        "schema": {"type": "string"},
    },
}


@router.get(
    "",
    response_model=list[CampaignOut],
    responses={**responses(403), 200: {"headers": PAGE_HEADERS}},
)
def list_campaigns(
    request: Request,
    response: Response,
    tag: str = Query("", max_length=100, description="only campaigns with this tag (any case)"),
    q: str = Query("", max_length=200, description="only campaigns whose name contains it"),
    status: Literal["open", "not_illegal", "all"] = Query(
        "open", description="open (the queue, the default), not_illegal, or all"
    ),
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=LARGEST_ID),
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> list[CampaignOut]:
    """Campaigns, highest traceback priority first, a page at a time; ``X-Total-Count`` and
    ``Link`` as for hop requests. By default only the queue: those marked not illegal are
    left out unless ``status`` asks for them."""
    wanted = CampaignFilter(tag=tag.strip().lower(), text=q.strip(), status=status)
    found = campaign_lines(db, wanted, analytics_dir(request), limit, offset)
    total = campaign_total(db, wanted)
    response.headers.update(page_headers(request, total, limit, offset, len(found)))
    return [CampaignOut.of(line) for line in found]


@router.get("/{campaign_id}", response_model=CampaignDetailOut, responses=responses(403, 404))
def get_campaign(
    request: Request,
    campaign_id: str,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> CampaignDetailOut:
    """One campaign: samples, numbers, calls per day and its tracebacks."""
    row = access.campaign_row(db, principal, campaign_id)
    return CampaignDetailOut.of_detail(campaign_detail(db, row, analytics_dir(request)))


@router.post(
    "/{campaign_id}/tracebacks",
    status_code=201,
    response_model=OpenedOut,
    responses=responses(403, 404, 409, 422),
)
def open_sample_tracebacks(
    campaign_id: str,
    body: SamplesIn | None = None,
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    policy: Policy = Depends(get_policy),
) -> OpenedOut:
    """Open a traceback for each of ``samples`` (default 3) calls of the campaign without
    one, spread over time (first, middle and last for 3); 409 when no call is left."""
    row = access.campaign_row(db, principal, campaign_id)
    if row.status == NOT_ILLEGAL:
        raise HTTPException(409, NOT_TRACED)
    samples = (body or SamplesIn()).samples
    with conflicts(422):
        opened = open_tracebacks_for_samples(db, row.id, samples, principal.actor, clock, policy)
    if not opened:
        raise HTTPException(409, NOTHING_LEFT)
    return OpenedOut(campaign=row.id, tracebacks=[tb.id for tb in opened])


class ReasonIn(BaseModel):
    reason: str = Field("", max_length=REASON_LIMIT, description="why (required to mark)")


class ReviewOut(BaseModel):
    campaign: str
    status: Literal["open", "not_illegal"]
    status_reason: str
    status_by: str
    status_at: datetime | None

    @classmethod
    def of(cls, row: models.Campaign) -> ReviewOut:
        return cls(
            campaign=row.id,
            status=row.status,
            status_reason=row.status_reason,
            status_by=row.status_by,
            status_at=row.status_at,
        )


@router.post(
    "/{campaign_id}/not-illegal",
    response_model=ReviewOut,
    responses=responses(403, 404, 409, 422),
)
def mark_campaign_not_illegal(
    campaign_id: str,
    body: ReasonIn,
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> ReviewOut:
    """Mark a campaign not illegal (a legitimate recurring message) with a reason: it leaves
    the queue, is not traced, and its tracebacks stop counting for letters. 409 when marked
    already; 422 without a reason. Audit-logged."""
    row = access.campaign_row(db, principal, campaign_id)
    _review(lambda: mark_not_illegal(db, row, body.reason, principal.actor, clock.now()))
    return ReviewOut.of(row)


@router.post("/{campaign_id}/queue", response_model=ReviewOut, responses=responses(403, 404, 409))
def put_campaign_back_in_queue(
    campaign_id: str,
    body: ReasonIn | None = None,
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> ReviewOut:
    """Take the "not illegal" mark back (an optional reason); 409 when it is not marked."""
    row = access.campaign_row(db, principal, campaign_id)
    reason = (body or ReasonIn()).reason
    _review(lambda: put_back_in_queue(db, row, reason, principal.actor, clock.now()))
    return ReviewOut.of(row)


def _review(change: Callable[[], None]) -> None:
    try:
        change()
    except ReviewRefused as refused:
        status = 409 if isinstance(refused, AlreadyThere) else 422
        raise HTTPException(status, str(refused)) from None
