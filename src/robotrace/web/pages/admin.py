"""User administration (admins only): list, create, deactivate and reactivate users.

A new user's role defaults to the least privileged (``provider``); an admin picks a wider
one on purpose. Deactivating asks first — a page that says what it does, then a form that
confirms it (no JavaScript needed) — and then ends all the user's sessions, so it is signed
out everywhere at once, and revokes its API tokens. Each change is audited (``user.created``,
``user.deactivated``, ``user.reactivated``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.accounts.passwords import WeakPassword
from robotrace.accounts.sessions import end_all_sessions
from robotrace.accounts.tokens import revoke_all_tokens, tokens_of
from robotrace.accounts.users import AccountError, create_user, user_rows
from robotrace.clock import Clock
from robotrace.store import models
from robotrace.store.audit import append_audit
from robotrace.store.models import UserRole
from robotrace.traceback.model import AuditEvent
from robotrace.web.api.schemas import RowId
from robotrace.web.deps import REQUEST_DB, get_clock, require_roles, writer
from robotrace.web.pages.common import form_text, in_savepoint
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
ADMIN = (UserRole.ADMIN,)
#: The roles, least privileged first; the form offers them in this order, the first chosen.
ROLES = (UserRole.PROVIDER, UserRole.REGULATOR, UserRole.COORDINATOR, UserRole.ADMIN)
ROLE_HELP = {
    UserRole.PROVIDER: "answers its own provider's hop requests, reads its own letters",
    UserRole.REGULATOR: "reads everything, issues letters, orders and block authorizations",
    UserRole.COORDINATOR: "reads everything, runs tracebacks, ingests evidence",
    UserRole.ADMIN: "everything, and manages users",
}


def _page(
    request: Request,
    principal: Principal,
    db: Session,
    status_code: int = 200,
    **context: object,
) -> Response:
    return render(
        request,
        "admin_users.html",
        principal,
        status_code,
        users=user_rows(db),
        roles=[(role.value, ROLE_HELP[role]) for role in ROLES],
        **context,
    )


@router.get("/admin/users")
def users(
    request: Request,
    principal: Principal = Depends(require_roles(*ADMIN)),
    db: Session = REQUEST_DB,
) -> Response:
    return _page(request, principal, db)


@router.post("/admin/users")
def new_user(
    request: Request,
    email: str = Form(""),
    name: str = Form(""),
    role: str = Form(""),
    provider_key: str = Form(""),
    password: str = Form(""),
    principal: Principal = Depends(writer(*ADMIN)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    typed = {"email": email, "name": name, "role": role, "provider_key": provider_key}
    try:
        user = in_savepoint(
            db,
            lambda: create_user(
                db,
                email,
                UserRole(role),
                password,
                provider_key.strip() or None,
                name=form_text(name, 200),
                clock=clock,
            ),
        )
    except (AccountError, WeakPassword, ValueError) as exc:
        return _page(request, principal, db, 400, error=f"Not created: {exc}.", typed=typed)
    audit(db, principal, clock, "user.created", user, role=user.role.value)
    return _page(request, principal, db, message=f"Created {user.email} ({user.role.value}).")


def _user(db: Session, user_id: int) -> models.User:
    user = db.get(models.User, user_id)
    if user is None:
        raise HTTPException(404, "not found")
    return user


def audit(
    db: Session,
    principal: Principal,
    clock: Clock,
    action: str,
    user: models.User,
    **details: object,
) -> None:
    event = AuditEvent(
        clock.now(), principal.actor, action, "", None, {"user": user.email, **details}
    )
    append_audit(db, [event])


def _not_yourself(principal: Principal, user: models.User) -> None:
    if user.id == principal.user_id:
        raise HTTPException(409, "you cannot deactivate yourself")


@router.get("/admin/users/{user_id}/deactivate")
def confirm_deactivation(
    request: Request,
    user_id: RowId,
    principal: Principal = Depends(require_roles(*ADMIN)),
    db: Session = REQUEST_DB,
) -> Response:
    """The question before a deactivation: who, and what it does."""
    user = _user(db, user_id)
    _not_yourself(principal, user)
    live_tokens = [t for t in tokens_of(db, user.id) if t.revoked_at is None]
    return render(
        request, "admin_user_deactivate.html", principal, user=user, live_tokens=len(live_tokens)
    )


@router.post("/admin/users/{user_id}/deactivate")
def deactivate(
    request: Request,
    user_id: RowId,
    confirm: str = Form(""),
    principal: Principal = Depends(writer(*ADMIN)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Deactivate once confirmed (``confirm=yes``, the confirmation page's button); without
    it, the confirmation page, and nothing changes."""
    user = _user(db, user_id)
    _not_yourself(principal, user)
    if confirm != "yes":
        return confirm_deactivation(request, user_id, principal, db)
    if user.active:
        user.active = False
        end_all_sessions(db, user.id, clock)
        revoke_all_tokens(db, user.id, clock)
        audit(db, principal, clock, "user.deactivated", user)
    return RedirectResponse("/admin/users", 303)


@router.post("/admin/users/{user_id}/reactivate")
def reactivate(
    user_id: RowId,
    principal: Principal = Depends(writer(*ADMIN)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    user = _user(db, user_id)
    if not user.active:
        user.active = True
        audit(db, principal, clock, "user.reactivated", user)
    return RedirectResponse("/admin/users", 303)
