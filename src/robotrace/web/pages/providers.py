"""The provider registry in the portal: the directory (RMD status, search, pages of 100, the
providers nobody can reach), each provider's page (identifiers, the RMD's contact, RMD status
and history, why it is on the block list), the import of a registry file, and the forms that
set a provider's contact address (admins) and time zone (staff), and enter its removal from
the RMD or its reinstatement (regulators and admins).

The rules are the parts' (:mod:`robotrace.providers.rmd_store`, :mod:`robotrace.enforcement.rmd`);
this module shows and asks. The directory is read by :mod:`robotrace.providers.directory`,
which filters, counts and pages in the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from robotrace.clock import Clock, as_utc
from robotrace.enforcement.rmd import record_reinstatement, record_removal
from robotrace.enforcement.standing import block_list_standing
from robotrace.notify.hops import OpenHop
from robotrace.notify.queue import open_hops, provider_audiences
from robotrace.providers.directory import (
    SEARCH_LIMIT,
    directory_page,
    directory_row,
    portal_users,
)
from robotrace.providers.imports import RegistryImport, import_registry_file
from robotrace.providers.registry import named_provider
from robotrace.providers.rmd_store import history, statuses
from robotrace.providers.status import STATUSES
from robotrace.providers.store import (
    identify_provider,
    lookalikes_of,
    provider_of,
    set_time_zone,
    zone_of,
)
from robotrace.rows import BadRowsError
from robotrace.store import models
from robotrace.store.audit import append_audit
from robotrace.store.models import UserRole
from robotrace.traceback.model import AuditEvent
from robotrace.web import access
from robotrace.web.deps import (
    REQUEST_DB,
    current_principal,
    get_clock,
    get_settings,
    require_roles,
    writer,
)
from robotrace.web.evidence_uploads import BadFileName, save_stream, upload_folder, upload_name
from robotrace.web.pages import steps
from robotrace.web.pages.common import READERS, STAFF, in_savepoint
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
ADMIN = (UserRole.ADMIN,)
#: Who enters the FCC's removal orders and reinstatements.
RMD_EDITORS = (UserRole.REGULATOR, UserRole.ADMIN)
#: What staff may add to a provider on its page (keys come only from robotrace and merges).
IDENTIFIER_KINDS = ("rmd", "frn", "ocn", "name")
QUERY_LIMIT = 100
STATUS_LABELS = {
    "listed": "listed",
    "not_in_export": "not in the latest export",
    "removed": "removed",
    "unlisted": "never listed",
}
RULE = "47 CFR 64.6305"
#: Where a provider's time zone comes from, in words (robotrace.providers.zones).
ZONE_SOURCES = {
    "set": "set by staff",
    "address": "from the state in its business address",
    "default": "robotrace's default zone",
}


# --- The directory ------------------------------------------------------------------------


@dataclass(frozen=True)
class Unreachable:
    """A provider with open hop requests that no notice can reach."""

    provider_key: str
    name: str
    open_hops: int
    first_due: datetime


def unreachable_providers(db: Session, business_zone: str) -> list[Unreachable]:
    """Providers with open hop requests that have no contact address, no active portal user
    and no webhook: exactly those the notifier finds no audience for
    (:func:`robotrace.notify.queue.provider_audiences`), so nobody is skipped unseen."""
    waiting: dict[int, list[OpenHop]] = {}
    for hop in open_hops(db, business_zone):
        waiting.setdefault(hop.provider_id, []).append(hop)
    audiences = provider_audiences(db, set(waiting)) if waiting else {}
    found = [
        Unreachable(
            hops[0].provider_key,
            hops[0].provider_name,
            len(hops),
            min(h.due_at for h in hops),
        )
        for pid, hops in waiting.items()
        if not audiences[pid].emails and not audiences[pid].webhooks
    ]
    return sorted(found, key=lambda u: (u.first_due, u.provider_key))


def directory_href(status: str = "", q: str = "", page: int = 1) -> str:
    """The directory's address with a status filter, a search and a page (each optional)."""
    args = {"status": status, "q": q, "page": str(page) if page > 1 else ""}
    query = urlencode({name: value for name, value in args.items() if value})
    return "/providers" + (f"?{query}" if query else "")


# --- Import -------------------------------------------------------------------------------


class ImportRefused(ValueError):
    """The upload was not imported; ``lines`` says why, one reason per line."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("; ".join(lines))


def disk_name(shown: str) -> str:
    """The name the upload is imported under (the RMD import keeps it): ``shown`` reduced
    to letters, digits, dots, hyphens and underscores, short enough for any file system."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", shown).strip("._")[:100]
    return name or "upload.csv"


def import_upload(
    db: Session,
    upload: UploadFile,
    principal: Principal,
    clock: Clock,
    skip_bad_rows: bool = False,
) -> RegistryImport:
    """Import the uploaded file as ``robotrace providers import`` does (either format),
    streamed to a temporary file first."""
    try:
        shown = upload_name(upload.filename, None)[:200]
    except BadFileName as exc:
        raise ImportRefused([f"Not imported: {exc}."]) from None
    with upload_folder() as folder:
        path = folder / disk_name(shown)
        save_stream(upload.file, path)
        try:
            return in_savepoint(
                db,
                lambda: import_registry_file(
                    db, path, actor=principal.actor, clock=clock, shown_name=shown,
                    skip_bad_rows=skip_bad_rows,
                ),
            )  # fmt: skip
        except BadRowsError as exc:  # undecodable bytes and broken CSV included
            raise ImportRefused([str(e) for e in exc.errors]) from None
        except SQLAlchemyError as exc:
            said = f"{shown}: the database refused the file: {exc.__cause__}"
            raise ImportRefused([said]) from None


def import_message(done: RegistryImport) -> str:
    """What an import did, in one sentence (the refused rows are listed below it)."""
    if done.same_as is not None:
        return (
            f"The same file as import {done.same_as}: nothing changed "
            f"({done.unchanged} filings unchanged)."
        )
    what = "filings" if done.format == "rmd-export" else "rows"
    said = (
        f"Imported ({'RMD export' if done.format == 'rmd-export' else 'providers.csv'}): "
        f"{what}: {done.added} added, {done.updated} updated, {done.unchanged} unchanged, "
        f"{done.not_in_export} not in this export; "
        f"{done.providers_added} provider(s) added, {done.merged} merged"
    )
    if done.refused:
        said += f"; {len(done.refused)} refused row(s) left out"
    return said + "."


# --- A provider's page --------------------------------------------------------------------


# Where it stands on the current block list: robotrace.enforcement.standing (shared with
# "know your upstream", robotrace.enforcement.upstreams).


# --- A provider's enforcement record ------------------------------------------------------

#: Where each kind of step is read, and what it is called on the provider's page.
STEP_PAGES = {
    models.EnforcementKind.WARNING_LETTER: ("letters", "Warning letter"),
    models.EnforcementKind.CEASE_AND_DESIST: ("letters", "Cease-and-desist letter"),
    models.EnforcementKind.BLOCK_AUTHORIZATION: ("authorizations", "Block authorization"),
    models.EnforcementKind.NOTIFICATION: ("orders", "Notification of Suspected Illegal Traffic"),
    models.EnforcementKind.INITIAL_ORDER: ("orders", "Initial Determination Order"),
    models.EnforcementKind.FINAL_ORDER: ("orders", "Final Determination Order"),
}
#: A step not sent yet: the provider does not see it; staff see it marked.
DRAFT = "draft"


def enforcement_record(
    db: Session, principal: Principal, provider: models.Provider
) -> list[models.EnforcementAction]:
    """The provider's letters, authorizations, notifications and orders, newest first, as
    the principal may read them (robotrace.web.access): drafts only for staff."""
    rows = access.enforcement_actions(db, principal, tuple(STEP_PAGES))
    return [
        row
        for row in rows
        if row.provider_id == provider.id and (principal.role in READERS or row.status != DRAFT)
    ]


ROLE_NAMES = {
    "voice_service_provider": "voice service provider",
    "gateway_provider": "gateway provider",
    "intermediate_provider": "intermediate provider",
}


def roles_of(provider: models.Provider) -> list[str]:
    """What the provider filed that it acts as, in words."""
    return [said for name, said in ROLE_NAMES.items() if getattr(provider, name)]


def form_time(text: str) -> datetime | None:
    """A date and time from a form (``YYYY-MM-DDTHH:MM``, UTC); None when left empty."""
    value = text.strip()
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value) if len(value) <= 40 else None
    except ValueError:
        when = None
    if when is None:
        raise ValueError("the date and time must be written YYYY-MM-DD HH:MM (UTC)")
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def checked_email(text: str) -> str:
    """``text`` as a provider's contact address, by the rule every provider e-mail robotrace
    accepts follows (:func:`robotrace.providers.registry.named_provider`'s); "" clears it."""
    return named_provider("contact", contact_email=text).contact_email


def set_contact_email(
    db: Session, provider: models.Provider, email: str, actor: str, now: datetime
) -> None:
    """Set the address robotrace writes to (audited as ``provider.contact_set``)."""
    if email == provider.contact_email:
        return
    details: dict[str, object] = {"old": provider.contact_email, "new": email}
    event = AuditEvent(now, actor, "provider.contact_set", "", provider.key, details)
    append_audit(db, [event])
    provider.contact_email, provider.updated_at = email, now


def _provider_page(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    provider: models.Provider,
    status_code: int = 200,
    **context: object,
) -> Response:
    reads_all = principal.role in READERS
    due = get_settings(request).rmd_recertification_due
    return render(
        request,
        "provider.html",
        principal,
        status_code,
        provider=provider,
        record=provider_of(provider),
        roles=roles_of(provider),
        rmd=statuses(db, [provider.id], clock.now().date(), due)[provider.id],
        history=history(db, provider.id),
        labels=STATUS_LABELS,
        block_list=block_list_standing(db, provider.key),
        steps=enforcement_record(db, principal, provider),
        step_pages=STEP_PAGES,
        **steps.template_helpers(),
        counts=directory_row(db, provider) if reads_all else None,
        hops=access.hops_of_provider(db, principal, provider),
        users=portal_users(db, provider) if principal.is_staff else None,
        can_set_contact=principal.role in ADMIN,
        can_enter_removal=principal.role in RMD_EDITORS,
        can_identify=principal.is_staff,
        can_set_zone=principal.is_staff,
        looks_like=lookalikes_of(db, provider) if principal.is_staff else [],
        zone=zone_of(provider, request.app.state.settings.business_zone),
        zone_sources=ZONE_SOURCES,
        default_zone=request.app.state.settings.business_zone,
        rule=RULE,
        now_input=as_utc(clock.now()).strftime("%Y-%m-%dT%H:%M"),
        **context,
    )


# --- Routes -------------------------------------------------------------------------------


def _directory(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    status_code: int = 200,
    status: str = "",
    q: str = "",
    page: int = 1,
    **context: object,
) -> Response:
    wanted = status if status in STATUSES else None
    q = q.strip()[:QUERY_LIMIT]
    due = get_settings(request).rmd_recertification_due
    return render(
        request,
        "providers.html",
        principal,
        status_code,
        listing=directory_page(db, clock.now().date(), due, wanted, q, page),
        status=wanted or "",
        q=q,
        labels=STATUS_LABELS,
        href=directory_href,
        search_limit=SEARCH_LIMIT,
        unreachable=(
            unreachable_providers(db, request.app.state.settings.business_zone)
            if principal.is_staff
            else None
        ),
        can_import=principal.is_staff,
        **context,
    )


@router.get("/providers")
def directory(
    request: Request,
    status: str = "",
    q: str = "",
    page: str = "1",
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    number = int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1
    return _directory(request, principal, db, clock, status=status, q=q, page=number)


@router.get("/providers/search")
def search(
    request: Request,
    q: str = "",
    upstream_key: str = "",
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> Response:
    """An HTML fragment for the htmx search box: key, name and country only, for everyone.
    ``upstream_key``: the answer form's one upstream field, which searches as it is typed
    (htmx sends it under its own name)."""
    q = (q or upstream_key).strip()[:QUERY_LIMIT]
    return render(
        request, "_provider_search.html", principal, entries=access.search_directory(db, q), q=q
    )


@router.post("/providers/import")
def import_rmd(
    request: Request,
    file: UploadFile = File(...),
    skip_bad_rows: bool = Form(False),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    try:
        done = import_upload(db, file, principal, clock, skip_bad_rows)
    except ImportRefused as exc:
        return _directory(request, principal, db, clock, 400, import_errors=exc.lines)
    return _directory(
        request, principal, db, clock, message=import_message(done), refused_rows=done.refused
    )


@router.get("/providers/{key}")
def provider_page(
    request: Request,
    key: str,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    provider = access.provider_row(db, principal, key)
    if key != provider.key:  # an OCN, an RMD number, a merged provider's key: one address
        return RedirectResponse(f"/providers/{provider.key}", 303)
    return _provider_page(request, principal, db, clock, provider)


@router.post("/providers/{key}/contact")
def set_contact(
    request: Request,
    key: str,
    contact_email: str = Form(""),
    principal: Principal = Depends(writer(*ADMIN)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    provider = access.provider_row(db, principal, key)
    try:
        email = checked_email(contact_email)
    except ValueError as exc:
        error = f"Contact address not changed: {str(exc).rstrip('.')}."
        shown = {"entered_email": contact_email[:254]}
        return _provider_page(request, principal, db, clock, provider, 422, error=error, **shown)
    set_contact_email(db, provider, email, principal.actor, clock.now())
    return RedirectResponse(f"/providers/{provider.key}", 303)


@router.post("/providers/{key}/time-zone")
def set_zone(
    request: Request,
    key: str,
    time_zone: str = Form(""),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Staff set the zone of a provider's business hours (empty: derived again); audited as
    ``provider.zone_set`` (robotrace.providers.store.set_time_zone)."""
    provider = access.provider_row(db, principal, key)
    try:
        zone = request.app.state.settings.business_zone
        set_time_zone(db, provider, time_zone, principal.actor, clock, zone)
    except ValueError as exc:
        error = f"Time zone not changed: {str(exc).rstrip('.')}."
        shown = {"entered_zone": time_zone[:64]}
        return _provider_page(request, principal, db, clock, provider, 422, error=error, **shown)
    return RedirectResponse(f"/providers/{provider.key}", 303)


@router.post("/providers/{key}/rmd-removal")
def enter_removal(
    request: Request,
    key: str,
    order_reference: str = Form(""),
    removed_at: str = Form(""),
    principal: Principal = Depends(writer(*RMD_EDITORS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    provider = access.provider_row(db, principal, key)
    shown = {"entered_order": order_reference[:200], "entered_at": removed_at[:40]}
    settings = get_settings(request)

    def enter() -> object:
        when = form_time(removed_at)
        return record_removal(
            db, provider.key, order_reference, when, principal.actor, clock, settings
        )

    return _rmd_entry(request, principal, db, clock, provider, enter, "Removal", shown)


@router.post("/providers/{key}/rmd-reinstatement")
def enter_reinstatement(
    request: Request,
    key: str,
    reference: str = Form(""),
    reinstated_at: str = Form(""),
    principal: Principal = Depends(writer(*RMD_EDITORS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    provider = access.provider_row(db, principal, key)
    shown = {"entered_reference": reference[:200], "entered_at": reinstated_at[:40]}
    settings = get_settings(request)

    def enter() -> object:
        when = form_time(reinstated_at)
        return record_reinstatement(
            db, provider.key, reference, when, principal.actor, clock, settings
        )

    return _rmd_entry(request, principal, db, clock, provider, enter, "Reinstatement", shown)


def _rmd_entry(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    provider: models.Provider,
    enter: Callable[[], object],
    what: str,
    shown: dict[str, str],
) -> Response:
    """Enter a removal or reinstatement; a refusal shows the page again with the rule's
    reason and what was typed, and changes nothing."""
    try:
        in_savepoint(db, enter)
    except ValueError as exc:  # InvalidRequest included: the reason is the rule's
        error = f"{what} not entered: {str(exc).rstrip('.')}."
        return _provider_page(request, principal, db, clock, provider, 422, error=error, **shown)
    return RedirectResponse(f"/providers/{provider.key}", 303)


@router.post("/providers/{key}/identifiers")
def add_identifier(
    request: Request,
    key: str,
    kind: str = Form(""),
    value: str = Form(""),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Staff record another identifier of a provider; when another provider holds it the
    two merge (robotrace.providers.store.identify_provider)."""
    provider = access.provider_row(db, principal, key)
    shown = {"entered_kind": kind[:8], "entered_value": value[:200]}
    if kind not in IDENTIFIER_KINDS:
        error = "Identifier not added: choose an RMD number, an FRN, an OCN or a name."
        return _provider_page(request, principal, db, clock, provider, 422, error=error, **shown)
    try:
        held = in_savepoint(
            db,
            lambda: identify_provider(db, provider, kind, value, principal.actor, clock),
        )
    except ValueError as exc:
        error = f"Identifier not added: {str(exc).rstrip('.')}."
        return _provider_page(request, principal, db, clock, provider, 422, error=error, **shown)
    return RedirectResponse(f"/providers/{held.key}", 303)
