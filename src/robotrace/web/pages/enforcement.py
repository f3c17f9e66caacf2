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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.enforcement import k4, mandatory, service
from robotrace.enforcement.authorizations import ACTIVE
from robotrace.enforcement.errors import EnforcementError
from robotrace.enforcement.evidence import NON_COOPERATIVE, EvidenceRow
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.models import EnforcementKind
from robotrace.web import access
from robotrace.web.api.schemas import LARGEST_ID, RowId
from robotrace.web.deps import REQUEST_DB, get_clock, get_settings, require_roles, writer
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


@dataclass(frozen=True)
class Mark:
    """What was done already to a provider, as the desk marks it beside the evidence:
    ``warned`` (a letter), ``notified`` (a notification or initial order), ``blocked`` (an
    authorization or final order in force), with the step it links to."""

    label: str
    reference: str
    href: str
    status: str


#: Which marks come first: blocking is the strongest step, then notices, then letters.
MARK_ORDER = {"blocked": 0, "notified": 1, "warned": 2}


def mark_of(action: models.EnforcementAction) -> Mark | None:
    """The mark a step leaves on its provider (None: it leaves none any more — a lifted
    authorization or final order, a withdrawn notification)."""
    reference, status = service.reference_of(action), action.status
    if action.kind == EnforcementKind.WARNING_LETTER:
        return Mark("warned", reference, f"/letters/{action.id}", status)
    if action.kind == EnforcementKind.BLOCK_AUTHORIZATION:
        live = status == ACTIVE
        return Mark("blocked", reference, f"/authorizations/{action.id}", status) if live else None
    if action.kind == EnforcementKind.FINAL_ORDER:
        live = status == "in_force"
        return Mark("blocked", reference, f"/orders/{action.id}", status) if live else None
    if status == "withdrawn":
        return None
    return Mark("notified", reference, f"/orders/{action.id}", status)


def marks_by_provider(actions: list[models.EnforcementAction]) -> dict[int, list[Mark]]:
    """Each provider's marks (by provider row id), the strongest and then newest first."""
    found: dict[int, list[tuple[int, int, Mark]]] = {}
    for action in actions:
        if (mark := mark_of(action)) is not None:
            found.setdefault(action.provider_id, []).append(
                (MARK_ORDER[mark.label], -action.id, mark)
            )
    return {pid: [m for *_, m in sorted(marks)] for pid, marks in found.items()}


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
    providers = providers_of(db, [*letters, *auths, *orders])
    drafts = service.drafts(db) if principal.role in REGULATOR else []
    marks = marks_by_provider([*letters, *auths, *orders])
    window_days = get_settings(request).evidence_window_days
    return render(
        request,
        "enforcement.html",
        principal,
        candidates=service.letter_candidates(db, clock, window_days),
        marks={providers[pid].key: found for pid, found in marks.items()},
        drafts=drafts,
        draft_providers=providers_of(db, drafts),
        window_days=window_days,
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
        providers=providers,
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
    settings = get_settings(request)
    rows = service.evidence_for_provider(db, provider.key, clock, settings.evidence_window_days)
    letters = access.enforcement_actions(db, principal, EnforcementKind.WARNING_LETTER)
    orders = access.enforcement_actions(db, principal, ORDER_KINDS)
    auths = access.enforcement_actions(db, principal, EnforcementKind.BLOCK_AUTHORIZATION)
    own = [x for x in [*letters, *auths, *orders] if x.provider_id == provider.id]
    return render(
        request,
        "enforcement_provider.html",
        principal,
        status_code,
        provider=provider,
        groups=by_campaign(rows),
        total=len(rows),
        originators=originators_in(rows),
        window_days=settings.evidence_window_days,
        notification_days=settings.notification_response_days,
        findings=[r for r in rows if NON_COOPERATIVE in r.roles],
        letters=[x for x in letters if x.provider_id == provider.id],
        orders=[x for x in orders if x.provider_id == provider.id],
        marks=marks_by_provider(own).get(provider.id, []),
        drafts=service.drafts(db, provider.id) if principal.role in REGULATOR else [],
        letter_reference=service.letter_reference,
        reference_of=service.reference_of,
        can_issue=principal.role in REGULATOR,
        **context,
    )


@router.get("/enforcement/providers/{key}")
def provider_evidence(
    request: Request,
    key: str,
    draft: int | None = Query(None, ge=1, le=LARGEST_ID),
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """The provider's evidence; ``draft`` (a regulator's) ticks that draft's choices, and
    its preview then saves over it."""
    provider = access.provider_row(db, principal, key)
    if draft is None or principal.role not in REGULATOR:
        return _evidence_page(request, principal, db, clock, provider)
    row = draft_row(db, draft)
    if row.provider_id != provider.id:
        raise HTTPException(404, "no such draft")
    named = Named(row.named_campaigns, row.named_originators, row.named_findings)
    return _evidence_page(request, principal, db, clock, provider, **chosen(named, row.id))


def draft_row(db: Session, draft_id: int) -> models.EnforcementDraft:
    row = db.get(models.EnforcementDraft, draft_id)
    if row is None:
        raise HTTPException(404, "no such draft")
    return row


def chosen(named: Named, draft_id: int | None) -> dict[str, Any]:
    """What the evidence page's form ticks again (and the draft it edits)."""
    return {
        "chosen_campaigns": named.campaigns,
        "chosen_originators": named.originators,
        "chosen_findings": named.findings,
        "draft_id": draft_id,
    }


def step_kind(kind: str) -> EnforcementKind:
    """``warning_letter`` or ``notification`` from a form (422 for anything else)."""
    try:
        found = EnforcementKind(kind.strip())
    except ValueError:
        found = None
    if found not in service.DRAFT_KINDS:
        raise HTTPException(422, "kind is warning_letter or notification")
    assert found is not None
    return found


def issuer(
    db: Session,
    principal: Principal,
    clock: Clock,
    settings: Settings,
    key: str,
    kind: EnforcementKind,
    named: Named,
) -> Callable[[], models.EnforcementAction]:
    """The call that issues the step (for a preview, or for sending)."""
    issue = service.issue_letter if kind == EnforcementKind.WARNING_LETTER else None
    issue = issue or mandatory.issue_notification
    return lambda: issue(
        db,
        key,
        named.campaigns,
        named.originators,
        principal.actor,
        clock,
        settings,
        principal.user_id,
        findings=named.findings,
    )


def _preview_page(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    provider: models.Provider,
    kind: EnforcementKind,
    named: Named,
    draft_id: int | None,
) -> Response:
    """The step as it would go out now, with Send, Save as draft and Cancel; a rule error
    shows the evidence page again with the reason."""
    settings = get_settings(request)
    try:
        issue = issuer(db, principal, clock, settings, provider.key, kind, named)
        shown = service.preview(db, issue)
    except EnforcementError as exc:
        what = "No letter" if kind == EnforcementKind.WARNING_LETTER else "No notification"
        what = f"{what} to preview"
        return _refused(request, principal, db, clock, provider, what, exc, named, draft_id)
    return render(
        request,
        "letter_preview.html",
        principal,
        preview=shown,
        provider=provider,
        kind=kind.value,
        letter=kind == EnforcementKind.WARNING_LETTER,
        named=named,
        draft_id=draft_id,
        send_to=f"/enforcement/providers/{provider.key}/"
        + ("letters" if kind == EnforcementKind.WARNING_LETTER else "notifications"),
        notification_days=settings.notification_response_days,
    )


@dataclass(frozen=True)
class Named:
    """The campaigns, originators and findings ticked, kept to tick them again."""

    campaigns: list[str]
    originators: list[str]
    findings: list[str]


def named_form(
    campaigns: list[str] = Form([]),
    originators: list[str] = Form([]),
    findings: list[str] = Form([]),
) -> Named:
    """The traffic a preview, draft or sent step names, as the evidence form ticks it."""
    return Named(campaigns, originators, findings)


@router.post("/enforcement/providers/{key}/preview")
def preview_step(
    request: Request,
    key: str,
    kind: str = Form("warning_letter"),
    named: Named = Depends(named_form),
    draft_id: int | None = Form(None, ge=1, le=LARGEST_ID),
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """The letter or notification as it would be sent: nothing is stored or e-mailed."""
    provider = access.provider_row(db, principal, key)
    return _preview_page(request, principal, db, clock, provider, step_kind(kind), named, draft_id)


@router.post("/enforcement/drafts")
def save_draft(
    request: Request,
    provider: str = Form(""),
    kind: str = Form("warning_letter"),
    named: Named = Depends(named_form),
    draft_id: int | None = Form(None, ge=1, le=LARGEST_ID),
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Keep the letter or notification unsent (a new draft, or ``draft_id`` changed)."""
    row = access.provider_row(db, principal, provider)
    if draft_id is not None:
        draft_row(db, draft_id)
    try:
        draft = in_savepoint(
            db,
            lambda: service.save_draft(
                db,
                row.key,
                step_kind(kind),
                named.campaigns,
                named.originators,
                named.findings,
                principal.actor,
                clock,
                principal.user_id,
                draft_id,
            ),
        )
    except EnforcementError as exc:
        return _refused(request, principal, db, clock, row, "No draft saved", exc, named)
    return RedirectResponse(f"/enforcement/drafts/{draft.id}", 303)


@router.get("/enforcement/drafts/{draft_id}")
def draft_detail(
    request: Request,
    draft_id: RowId,
    principal: Principal = Depends(require_roles(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """A draft, previewed as it would go out now."""
    draft = draft_row(db, draft_id)
    provider = db.get(models.Provider, draft.provider_id)
    assert provider is not None
    named = Named(draft.named_campaigns, draft.named_originators, draft.named_findings)
    kind = step_kind(draft.kind)
    return _preview_page(request, principal, db, clock, provider, kind, named, draft.id)


@router.post("/enforcement/drafts/{draft_id}/discard")
def discard_draft(
    draft_id: RowId,
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Discard a draft; one already gone (the form sent twice) leaves nothing to do."""
    draft = db.get(models.EnforcementDraft, draft_id)
    if draft is None:
        return RedirectResponse("/enforcement", 303)
    key = service.key_of(db, draft.provider_id)
    service.discard_draft(db, draft.id, principal.actor, clock)
    return RedirectResponse(f"/enforcement/providers/{key}", 303)


def _send(
    db: Session,
    principal: Principal,
    clock: Clock,
    settings: Settings,
    key: str,
    kind: EnforcementKind,
    named: Named,
    draft_id: int | None,
) -> models.EnforcementAction:
    """Issue the step and, when it was a draft, discard the draft in the same transaction."""
    if draft_id is not None:
        draft_row(db, draft_id)

    def send() -> models.EnforcementAction:
        action = issuer(db, principal, clock, settings, key, kind, named)()
        if draft_id is not None:
            service.discard_draft(db, draft_id, principal.actor, clock)
        return action

    return in_savepoint(db, send)


@router.post("/enforcement/providers/{key}/letters")
def issue_letter(
    request: Request,
    key: str,
    named: Named = Depends(named_form),
    draft_id: int | None = Form(None, ge=1, le=LARGEST_ID),
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Send a warning letter (K4) naming the chosen traffic (the preview's Send; a draft it
    came from is discarded); its page opens."""
    provider = access.provider_row(db, principal, key)
    kind = EnforcementKind.WARNING_LETTER
    try:
        settings = get_settings(request)
        letter = _send(db, principal, clock, settings, provider.key, kind, named, draft_id)
    except EnforcementError as exc:
        return _refused(request, principal, db, clock, provider, "No letter issued", exc, named)
    return RedirectResponse(f"/letters/{letter.id}", 303)


@router.post("/enforcement/providers/{key}/notifications")
def issue_notification(
    request: Request,
    key: str,
    named: Named = Depends(named_form),
    draft_id: int | None = Form(None, ge=1, le=LARGEST_ID),
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Send a Notification of Suspected Illegal Traffic (64.1200(n)) naming the chosen
    traffic (the preview's Send; a draft it came from is discarded); its page opens."""
    provider = access.provider_row(db, principal, key)
    kind = EnforcementKind.NOTIFICATION
    try:
        settings = get_settings(request)
        notification = _send(db, principal, clock, settings, provider.key, kind, named, draft_id)
    except EnforcementError as exc:
        what = "No notification issued"
        return _refused(request, principal, db, clock, provider, what, exc, named)
    return RedirectResponse(f"/orders/{notification.id}", 303)


def _refused(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    provider: models.Provider,
    what: str,
    exc: EnforcementError,
    named: Named,
    draft_id: int | None = None,
) -> Response:
    ticked = chosen(named, draft_id)
    status, error = refusal_status(exc), refused(what, exc)
    return _evidence_page(request, principal, db, clock, provider, status, error=error, **ticked)
