"""The enforcement desk (regulators write; coordinators and admins read): providers ranked by
evidence; both ladders with each step's status and clock — K4 (letters, permissive block
authorizations and who blocks under them) and 64.1200(n) (notifications, initial and final
determination orders) — the worker's proposals awaiting a decision first; the latest block
list. And one provider's evidence in the window, grouped by campaign, with the form that
issues a warning letter or a notification naming chosen campaigns, originators and findings.

The rules are :mod:`robotrace.enforcement.service`'s; this module only shows and asks.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace import settings
from robotrace.clock import Clock
from robotrace.enforcement import k4, mandatory, service
from robotrace.enforcement.authorizations import ACTIVE
from robotrace.enforcement.errors import EnforcementError
from robotrace.enforcement.evidence import NON_COOPERATIVE, EvidenceRow
from robotrace.store import models
from robotrace.store.models import EnforcementKind
from robotrace.web import access
from robotrace.web.deps import REQUEST_DB, get_clock, require_roles, writer
from robotrace.web.pages import steps
from robotrace.web.pages.common import READERS, in_savepoint
from robotrace.web.pages.letters import REGULATOR, providers_of, refusal_status, refused
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
LETTER_STATES = ("issued", "noncompliant", "complied")
ORDER_KINDS = access.ORDER_KINDS


@dataclass(frozen=True)
class BlocklistSummary:
    version: int
    generated_at: datetime
    entries: int


@dataclass
class CampaignEvidence:
    """One campaign's rows in a provider's evidence (``campaign`` None: not attributed)."""

    campaign: str | None
    rows: list[EvidenceRow] = field(default_factory=list)


def by_campaign(rows: list[EvidenceRow]) -> list[CampaignEvidence]:
    """The rows grouped by campaign, the most tracebacks first; unattributed ones last."""
    groups: dict[str | None, CampaignEvidence] = {}
    for row in rows:
        groups.setdefault(row.campaign, CampaignEvidence(row.campaign)).rows.append(row)
    return sorted(
        groups.values(), key=lambda g: (g.campaign is None, -len(g.rows), g.campaign or "")
    )


def originators_in(rows: list[EvidenceRow]) -> list[str]:
    """The customer names the originating providers gave, each once, as a letter may name."""
    return sorted({row.originator for row in rows if row.originator}, key=str.lower)


def blocklist_summary(db: Session) -> BlocklistSummary | None:
    latest = service.latest_blocklist(db)
    if latest is None:
        return None
    entries = len(json.loads(latest.body).get("entries", []))
    return BlocklistSummary(latest.version, latest.generated_at, entries)


@router.get("/enforcement")
def overview(
    request: Request,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    now = clock.now()
    letters = access.enforcement_actions(db, principal, EnforcementKind.WARNING_LETTER)
    auths = access.enforcement_actions(db, principal, EnforcementKind.BLOCK_AUTHORIZATION)
    orders = access.enforcement_actions(db, principal, ORDER_KINDS)
    followed = steps.followed_by(orders)
    waiting = [x for x in letters if x.status == "issued"]
    open_orders = [o for o in orders if steps.open_step(o, followed)]
    return render(
        request,
        "enforcement.html",
        principal,
        candidates=service.letter_candidates(db, clock),
        window_days=settings.get("evidence_window_days"),
        letters={state: [x for x in letters if x.status == state] for state in LETTER_STATES},
        waiting_letters=steps.by_urgency(waiting, now),
        in_force=[a for a in auths if a.status == ACTIVE],
        lifted=[a for a in auths if a.status != ACTIVE],
        blocking=Counter(n.authorization_id for n in k4.notices(db)),
        open_orders=steps.by_urgency(open_orders, now),
        final_orders=[o for o in orders if o.kind == EnforcementKind.FINAL_ORDER],
        closed_orders=[
            o for o in orders if o not in open_orders and o.kind != EnforcementKind.FINAL_ORDER
        ],
        followed=followed,
        providers=providers_of(db, [*letters, *auths, *orders]),
        blocklist=blocklist_summary(db),
        **steps.template_helpers(),
    )


def _evidence_page(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    provider: models.Provider,
    status_code: int = 200,
    **context: object,
) -> Response:
    rows = service.evidence_for_provider(db, provider.key, clock)
    letters = access.enforcement_actions(db, principal, EnforcementKind.WARNING_LETTER)
    orders = access.enforcement_actions(db, principal, ORDER_KINDS)
    return render(
        request,
        "enforcement_provider.html",
        principal,
        status_code,
        provider=provider,
        groups=by_campaign(rows),
        total=len(rows),
        originators=originators_in(rows),
        window_days=settings.get("evidence_window_days"),
        notification_days=settings.get("notification_response_days"),
        findings=[r for r in rows if NON_COOPERATIVE in r.roles],
        letters=[x for x in letters if x.provider_id == provider.id],
        orders=[x for x in orders if x.provider_id == provider.id],
        letter_reference=service.letter_reference,
        reference_of=service.reference_of,
        can_issue=principal.role in REGULATOR,
        **context,
    )


@router.get("/enforcement/providers/{key}")
def provider_evidence(
    request: Request,
    key: str,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    provider = access.provider_row(db, principal, key)
    return _evidence_page(request, principal, db, clock, provider)


@router.post("/enforcement/providers/{key}/letters")
def issue_letter(
    request: Request,
    key: str,
    campaigns: list[str] = Form([]),
    originators: list[str] = Form([]),
    findings: list[str] = Form([]),
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """A warning letter (K4) naming the chosen traffic; its page opens."""
    provider = access.provider_row(db, principal, key)
    named = Named(campaigns, originators, findings)
    try:
        letter = in_savepoint(
            db,
            lambda: service.issue_letter(
                db,
                provider.key,
                campaigns,
                originators,
                principal.actor,
                clock,
                principal.user_id,
                findings=findings,
            ),
        )
    except EnforcementError as exc:
        return _refused(request, principal, db, clock, provider, "No letter issued", exc, named)
    return RedirectResponse(f"/letters/{letter.id}", 303)


@router.post("/enforcement/providers/{key}/notifications")
def issue_notification(
    request: Request,
    key: str,
    campaigns: list[str] = Form([]),
    originators: list[str] = Form([]),
    findings: list[str] = Form([]),
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """A Notification of Suspected Illegal Traffic (64.1200(n)) naming the chosen traffic;
    its page opens."""
    provider = access.provider_row(db, principal, key)
    named = Named(campaigns, originators, findings)
    try:
        notification = in_savepoint(
            db,
            lambda: mandatory.issue_notification(
                db,
                provider.key,
                campaigns,
                originators,
                principal.actor,
                clock,
                principal.user_id,
                findings=findings,
            ),
        )
    except EnforcementError as exc:
        what = "No notification issued"
        return _refused(request, principal, db, clock, provider, what, exc, named)
    return RedirectResponse(f"/orders/{notification.id}", 303)


@dataclass(frozen=True)
class Named:
    """The campaigns, originators and findings ticked, kept to tick them again."""

    campaigns: list[str]
    originators: list[str]
    findings: list[str]


def _refused(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    provider: models.Provider,
    what: str,
    exc: EnforcementError,
    named: Named,
) -> Response:
    chosen = {
        "chosen_campaigns": named.campaigns,
        "chosen_originators": named.originators,
        "chosen_findings": named.findings,
    }
    status, error = refusal_status(exc), refused(what, exc)
    return _evidence_page(request, principal, db, clock, provider, status, error=error, **chosen)
