"""Campaigns, for readers of all: the ranked list with its filters, one campaign's page, and
the coordinator's write — opening tracebacks for sample calls of a campaign.

Providers never see campaigns (403: the routes are not theirs at all, docs/tenancy.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.campaigns.reads import (
    COVID_TAG,
    PAGE_SIZE,
    SHOWN,
    CampaignDetail,
    CampaignFilter,
    campaign_detail,
    campaign_lines,
    campaign_total,
    tags_in_use,
)
from robotrace.campaigns.review import (
    NOT_ILLEGAL,
    AlreadyThere,
    ReviewRefused,
    mark_not_illegal,
    put_back_in_queue,
)
from robotrace.clock import Clock
from robotrace.paths.flows import load_flow
from robotrace.paths.sankey import sankey_svg
from robotrace.traceback.sampling import DEFAULT_SAMPLES, MAX_SAMPLES, open_tracebacks_for_samples
from robotrace.traceback.workflow import Policy, WorkflowError
from robotrace.web import access
from robotrace.web.api.schemas import LARGEST_ID
from robotrace.web.charts import bar_chart
from robotrace.web.deps import REQUEST_DB, get_clock, get_policy, require_roles, writer
from robotrace.web.evidence_uploads import analytics_dir
from robotrace.web.pages.common import READERS, STAFF, in_savepoint
from robotrace.web.pages.traceforward import campaign_section
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
NOTHING_LEFT = (
    "Nothing opened: every call of this campaign with a known terminating provider "
    "has a traceback already."
)
NOT_TRACED = (
    "Not opened: this campaign is marked not illegal. Put it back in the queue first if its "
    "calls should be traced."
)
Shown = Literal["open", "not_illegal", "all"]


def list_url(tag: str = "", text: str = "", page: int = 1, status: str = "open") -> str:
    """``/campaigns`` with the filters and page as its query (the empty ones and the default
    status, the queue, left out)."""
    shown = status if status != "open" else ""
    query = {"tag": tag, "q": text, "status": shown, "page": page if page > 1 else ""}
    encoded = urlencode({key: value for key, value in query.items() if value})
    return f"/campaigns?{encoded}" if encoded else "/campaigns"


@router.get("/campaigns")
def campaign_list(
    request: Request,
    tag: str = "",
    q: str = "",
    status: Shown = "open",
    page: int = Query(1, ge=1, le=LARGEST_ID),
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> Response:
    wanted = CampaignFilter(tag=tag.strip().lower(), text=q.strip(), status=status)
    page = max(page, 1)
    total = campaign_total(db, wanted)
    return render(
        request,
        "campaigns.html",
        principal,
        lines=campaign_lines(db, wanted, analytics_dir(request), PAGE_SIZE, (page - 1) * PAGE_SIZE),
        total=total,
        wanted=wanted,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        tags=tags_in_use(db),
        covid_tag=COVID_TAG,
        list_url=list_url,
        shown=SHOWN,
    )


def _detail(
    request: Request,
    principal: Principal,
    db: Session,
    campaign_id: str,
    opened: list[str] | None = None,
    status_code: int = 200,
    error: str | None = None,
    **context: object,
) -> Response:
    store = analytics_dir(request)
    row = access.campaign_row(db, principal, campaign_id)
    detail = campaign_detail(db, row, store)
    flow = load_flow(store, detail.line.id)
    return render(
        request,
        "campaign.html",
        principal,
        status_code,
        detail=detail,
        chart=bar_chart([(d.day.isoformat(), d.calls) for d in detail.days], "Calls per day (UTC)"),
        opened=_known(detail, opened or []),
        can_open=principal.is_staff,
        default_samples=DEFAULT_SAMPLES,
        max_samples=MAX_SAMPLES,
        error=error,
        flow=flow,
        flow_svg=sankey_svg(flow) if flow else "",
        **campaign_section(db, principal, row),
        **context,
    )


def _known(detail: CampaignDetail, opened: list[str]) -> list[str]:
    """The ids in the redirect's ``opened`` that are this campaign's tracebacks (the message
    names nothing else, whatever the address says)."""
    mine = {tb.id for tb in detail.tracebacks}
    return [tb_id for tb_id in opened if tb_id in mine]


def campaign_response(
    request: Request,
    principal: Principal,
    db: Session,
    campaign_id: str,
    status_code: int,
    **context: Any,
) -> Response:
    """The campaign page with what another part of it has to say (Trace Forward's refusal)."""
    return _detail(request, principal, db, campaign_id, status_code=status_code, **context)


@router.get("/campaigns/{campaign_id}")
def campaign_page(
    request: Request,
    campaign_id: str,
    opened: str = "",
    tf_asked: int = Query(0, ge=0, le=LARGEST_ID),
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> Response:
    return _detail(request, principal, db, campaign_id, opened.split(","), tf_asked=tf_asked)


@router.post("/campaigns/{campaign_id}/tracebacks")
def open_sample_tracebacks(
    request: Request,
    campaign_id: str,
    samples: int = Form(DEFAULT_SAMPLES),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    policy: Policy = Depends(get_policy),
) -> Response:
    row = access.campaign_row(db, principal, campaign_id)
    if row.status == NOT_ILLEGAL:
        return _detail(request, principal, db, row.id, status_code=409, error=NOT_TRACED)
    if not 1 <= samples <= MAX_SAMPLES:
        error = f"Choose between 1 and {MAX_SAMPLES} sample calls."
        return _detail(request, principal, db, row.id, status_code=400, error=error)
    try:
        opened = in_savepoint(
            db,
            lambda: open_tracebacks_for_samples(
                db, row.id, samples, principal.actor, clock, policy
            ),
        )
    except WorkflowError as exc:
        return _detail(request, principal, db, row.id, status_code=409, error=f"Not opened: {exc}.")
    if not opened:
        return _detail(request, principal, db, row.id, status_code=409, error=NOTHING_LEFT)
    query = urlencode({"opened": ",".join(tb.id for tb in opened)})
    return RedirectResponse(f"/campaigns/{quote(row.id, safe='')}?{query}", 303)


@router.post("/campaigns/{campaign_id}/not-illegal")
def mark_campaign_not_illegal(
    request: Request,
    campaign_id: str,
    reason: str = Form(""),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Take a legitimate recurring campaign out of the queue, with the reason why."""
    return _review(request, principal, db, campaign_id, mark_not_illegal, reason, clock)


@router.post("/campaigns/{campaign_id}/queue")
def put_campaign_back_in_queue(
    request: Request,
    campaign_id: str,
    reason: str = Form(""),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Take the "not illegal" mark back: the campaign is in the queue again."""
    return _review(request, principal, db, campaign_id, put_back_in_queue, reason, clock)


def _review(
    request: Request,
    principal: Principal,
    db: Session,
    campaign_id: str,
    step: Callable[..., object],
    reason: str,
    clock: Clock,
) -> Response:
    """Apply a review ``step`` (robotrace.campaigns.review) and show the campaign: its page
    again with the refusal (409 when it is there already, 422 for the reason)."""
    row = access.campaign_row(db, principal, campaign_id)
    try:
        step(db, row, reason, principal.actor, clock.now())
    except ReviewRefused as refused:
        status = 409 if isinstance(refused, AlreadyThere) else 422
        return _detail(request, principal, db, row.id, status_code=status, error=str(refused))
    return RedirectResponse(f"/campaigns/{quote(row.id, safe='')}", 303)
