"""The enforcement desk (regulators write; coordinators and admins read): providers ranked by
evidence, the letters and their state, the authorizations in force and the latest block list;
and one provider's evidence in the window, grouped by campaign, with the form that issues a
warning letter naming chosen campaigns and originators.

The rules are :mod:`robotrace.enforcement.service`'s; this module only shows and asks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace import settings
from robotrace.clock import Clock
from robotrace.enforcement import service
from robotrace.enforcement.authorizations import ACTIVE
from robotrace.enforcement.errors import EnforcementError
from robotrace.enforcement.evidence import EvidenceRow
from robotrace.store import models
from robotrace.store.models import EnforcementKind
from robotrace.web import access
from robotrace.web.deps import REQUEST_DB, get_clock, require_roles, writer
from robotrace.web.pages.common import READERS, in_savepoint
from robotrace.web.pages.letters import REGULATOR, providers_of, refusal_status, refused
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
LETTER_STATES = ("issued", "noncompliant", "complied")


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
    letters = access.enforcement_actions(db, principal, EnforcementKind.WARNING_LETTER)
    auths = access.enforcement_actions(db, principal, EnforcementKind.BLOCK_AUTHORIZATION)
    return render(
        request,
        "enforcement.html",
        principal,
        candidates=service.letter_candidates(db, clock),
        window_days=settings.get("evidence_window_days"),
        letters={state: [x for x in letters if x.status == state] for state in LETTER_STATES},
        in_force=[a for a in auths if a.status == ACTIVE],
        lifted=[a for a in auths if a.status != ACTIVE],
        providers=providers_of(db, [*letters, *auths]),
        blocklist=blocklist_summary(db),
        letter_reference=service.letter_reference,
        notice_reference=service.notice_reference,
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
        letters=[x for x in letters if x.provider_id == provider.id],
        letter_reference=service.letter_reference,
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
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    provider = access.provider_row(db, principal, key)
    try:
        letter = in_savepoint(
            db,
            lambda: service.issue_letter(
                db, provider.key, campaigns, originators, principal.actor, clock, principal.user_id
            ),
        )
    except EnforcementError as exc:
        status, error = refusal_status(exc), refused("No letter issued", exc)
        chosen = {"chosen_campaigns": campaigns, "chosen_originators": originators}
        return _evidence_page(
            request, principal, db, clock, provider, status, error=error, **chosen
        )
    return RedirectResponse(f"/letters/{letter.id}", 303)
