"""User administration (admins only): list, create, deactivate and reactivate users.

Deactivating a user also ends all its sessions, so it is signed out everywhere at once; its
API tokens stop working too (they authenticate only active users' requests).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.accounts.passwords import WeakPassword
from robotrace.accounts.sessions import end_all_sessions
from robotrace.accounts.tokens import revoke_all_tokens
from robotrace.accounts.users import AccountError, create_user
from robotrace.clock import Clock
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.web.api.schemas import RowId
from robotrace.web.deps import REQUEST_DB, get_clock, require_roles, writer
from robotrace.web.pages.common import form_text, in_savepoint
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
ADMIN = (UserRole.ADMIN,)


def user_rows(db: Session) -> list[tuple[models.User, str | None]]:
    """Every user by e-mail address, with its provider's OCN."""
    rows = db.execute(
        select(models.User, models.Provider.key)
        .outerjoin(models.Provider, models.Provider.id == models.User.provider_id)
        .order_by(models.User.email)
    ).all()
    return [(user, key) for user, key in rows]


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
        roles=[role.value for role in UserRole],
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
    return _page(request, principal, db, message=f"Created {user.email} ({user.role.value}).")


def _user(db: Session, user_id: int) -> models.User:
    user = db.get(models.User, user_id)
    if user is None:
        raise HTTPException(404, "not found")
    return user


@router.post("/admin/users/{user_id}/deactivate")
def deactivate(
    user_id: RowId,
    principal: Principal = Depends(writer(*ADMIN)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    user = _user(db, user_id)
    if user.id == principal.user_id:
        raise HTTPException(409, "you cannot deactivate yourself")
    user.active = False
    end_all_sessions(db, user.id, clock)
    revoke_all_tokens(db, user.id, clock)
    return RedirectResponse("/admin/users", 303)


@router.post("/admin/users/{user_id}/reactivate")
def reactivate(
    user_id: RowId,
    principal: Principal = Depends(writer(*ADMIN)),
    db: Session = REQUEST_DB,
) -> Response:
    _user(db, user_id).active = True
    return RedirectResponse("/admin/users", 303)
