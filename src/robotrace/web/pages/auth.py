"""Sign in, sign out, password reset, and the account page: the password change and API
tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.accounts.keys import new_token, same
from robotrace.accounts.password_change import (
    PasswordNotChanged,
    change_password,
    check_new_password,
)
from robotrace.accounts.passwords import WeakPassword, hash_password, verify_password
from robotrace.accounts.resets import complete_reset, reset_token, user_for_reset
from robotrace.accounts.sessions import (
    COOKIE,
    end_session,
    session_for,
    start_session,
)
from robotrace.accounts.throttle import (
    record_attempt,
    reset_keys,
    reset_request_allowed,
    sign_in_keys,
    throttled,
)
from robotrace.accounts.tokens import create_token, revoke_token, tokens_of
from robotrace.accounts.users import user_by_email
from robotrace.clock import Clock
from robotrace.notify.outbox import enqueue
from robotrace.store import models
from robotrace.web.api.schemas import RowId
from robotrace.web.deps import (
    REQUEST_DB,
    current_principal,
    get_clock,
    get_settings,
    optional_principal,
    session_writer,
    writer,
)
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
LOGIN_CSRF_COOKIE = "robotrace_login_csrf"
ALL_ROLES = tuple(models.UserRole)
#: Tokens are managed by a person signed in, never by a token.
SIGNED_IN_WRITER = Depends(session_writer(*ALL_ROLES))


def _anonymous_form(
    request: Request, name: str, status_code: int = 200, **context: object
) -> Response:
    """A form for people not signed in, protected by a double-submit CSRF cookie."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token(24)
    response = render(request, name, None, status_code, csrf_token=token, **context)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies(request)
    )
    return response


def secure_cookies(request: Request) -> bool:
    """Cookies only over HTTPS when people reach the portal over HTTPS (``base_url``)."""
    return get_settings(request).base_url.lower().startswith("https://")


def _check_anonymous_csrf(request: Request, sent: str) -> None:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not same(cookie, sent):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, principal: Principal | None = Depends(optional_principal)
) -> Response:
    if principal is not None:
        return RedirectResponse("/", 303)
    return _anonymous_form(request, "login.html")


@router.post("/login")
def login(
    request: Request,
    email: str = Form(...),
    password: str = Form(...),
    csrf_token: str = Form(""),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    _check_anonymous_csrf(request, csrf_token)
    settings = get_settings(request)
    keys = sign_in_keys(email, _address(request))
    if throttled(db, keys, clock, settings.login_failures_allowed):
        return _anonymous_form(
            request, "login.html", 429, error="Too many failed sign-ins; wait 15 minutes."
        )
    user = user_by_email(db, email)
    # End the transaction before the slow hash (≈ 0.35 s): on SQLite it holds the only write
    # lock, and a burst of sign-ins made every other request wait past the busy timeout
    # (503 "database is locked" under load, docs/benchmarks.md). Nothing is written yet.
    db.commit()
    ok = verify_password(user.password_hash if user else None, password)
    record_attempt(db, keys, ok and user is not None and user.active, clock)
    if not ok or user is None or not user.active:
        return _anonymous_form(request, "login.html", 401, error="Wrong e-mail or password.")
    _end_presented_session(request, db, clock)
    # Always a new cookie: no fixation.
    token, _row = start_session(db, user, clock, settings.session_days)
    response = RedirectResponse("/", 303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        max_age=int(settings.session_days * 86400),
    )
    return response


def _address(request: Request) -> str:
    return request.client.host if request.client else "-"


def _end_presented_session(request: Request, db: Session, clock: Clock) -> None:
    """A live session the browser still presents at sign-in ends: one browser, one session."""
    row = session_for(db, request.cookies.get(COOKIE, ""), clock)
    if row is not None:
        end_session(db, row, clock)


@router.post("/logout")
def logout(
    principal: Principal = Depends(writer(*ALL_ROLES)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    if principal.session_id is not None:
        row = db.get(models.WebSession, principal.session_id)
        if row is not None:
            end_session(db, row, clock)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/password-reset", response_class=HTMLResponse)
def reset_request_form(request: Request) -> Response:
    return _anonymous_form(request, "reset_request.html")


@router.post("/password-reset")
def reset_request(
    request: Request,
    email: str = Form(...),
    csrf_token: str = Form(""),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Always the same answer, so the form does not tell who has an account."""
    _check_anonymous_csrf(request, csrf_token)
    settings = get_settings(request)
    keys = reset_keys(email, _address(request))
    if not reset_request_allowed(db, keys, clock, settings.password_resets_allowed):
        return _anonymous_form(
            request, "reset_request.html", 429, error="Too many reset requests; wait 15 minutes."
        )
    user = user_by_email(db, email)
    if user is not None and user.active:
        token = reset_token(user, clock, settings.secret_key)
        link = f"{settings.base_url.rstrip('/')}/password-reset/{token}"
        enqueue(
            db,
            "email",
            user.email,
            "password.reset",
            {"link": link, "name": user.name},
            f"password.reset:{token}",
            clock,
        )
    return _anonymous_form(
        request,
        "reset_request.html",
        message="If that address has an account, a reset link is on its way.",
    )


def _dead_link(request: Request) -> Response:
    return render(
        request, "reset_done.html", None, 400, error="This reset link is invalid, used or expired."
    )


@router.get("/password-reset/{token}", response_class=HTMLResponse)
def reset_form(
    request: Request, token: str, db: Session = REQUEST_DB, clock: Clock = Depends(get_clock)
) -> Response:
    if user_for_reset(db, token, clock, get_settings(request).secret_key) is None:
        return _dead_link(request)
    return _anonymous_form(request, "reset_form.html", token=token)


@router.post("/password-reset/{token}")
def reset(
    request: Request,
    token: str,
    password: str = Form(...),
    csrf_token: str = Form(""),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    _check_anonymous_csrf(request, csrf_token)
    user = user_for_reset(db, token, clock, get_settings(request).secret_key)
    if user is None:
        return _dead_link(request)
    try:
        complete_reset(db, user, password, clock)  # sessions and API tokens end too
    except WeakPassword as exc:
        return _anonymous_form(request, "reset_form.html", 400, token=token, error=str(exc))
    return render(request, "reset_done.html", None, message="Password changed; sign in again.")


def _account_page(
    request: Request, principal: Principal, db: Session, status_code: int = 200, **context: object
) -> Response:
    tokens = tokens_of(db, principal.user_id)
    return render(request, "account.html", principal, status_code, tokens=tokens, **context)


@router.get("/account", response_class=HTMLResponse)
def account(
    request: Request,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> Response:
    return _account_page(request, principal, db)


@router.post("/account/password", response_class=HTMLResponse)
def change_own_password(
    request: Request,
    current_password: str = Form(""),
    new_password: str = Form(""),
    repeat_password: str = Form(""),
    principal: Principal = SIGNED_IN_WRITER,
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Change the signed-in user's password (robotrace.accounts.password_change). A wrong
    current password counts as a failed sign-in, under the same throttle."""

    def refused(said: str, status_code: int = 400) -> Response:
        error = f"Password not changed: {said}."
        return _account_page(request, principal, db, status_code, password_error=error)

    try:
        check_new_password(current_password, new_password, repeat_password)
    except (PasswordNotChanged, WeakPassword) as exc:
        return refused(str(exc))
    keys = sign_in_keys(principal.email, _address(request))
    if throttled(db, keys, clock, get_settings(request).login_failures_allowed):
        return refused("too many wrong passwords; wait 15 minutes", 429)
    user = db.get(models.User, principal.user_id)
    assert user is not None
    stored_hash = user.password_hash
    db.commit()  # the slow hashes hold no write lock (as at sign-in)
    ok = verify_password(stored_hash, current_password)
    new_hash = hash_password(new_password) if ok else ""
    record_attempt(db, keys, ok, clock)
    if not ok:
        return refused("the current password is wrong")
    user = db.get(models.User, principal.user_id)
    assert user is not None
    ended = change_password(db, user, new_hash, clock, principal.actor, principal.session_id)
    said = "Password changed." + (
        f" {ended} other session(s) were signed out." if ended else " No other session was open."
    )
    return _account_page(request, principal, db, password_message=said)


@router.post("/account/tokens", response_class=HTMLResponse)
def new_api_token(
    request: Request,
    name: str = Form(...),
    access: str = Form("read"),
    principal: Principal = SIGNED_IN_WRITER,
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    user = db.get(models.User, principal.user_id)
    assert user is not None
    token, _row = create_token(db, user, name.strip() or "token", access == "write", clock)
    return _account_page(request, principal, db, new_token=token)


def _own_token(db: Session, principal: Principal, token_id: int) -> models.ApiToken:
    """One of the principal's own tokens; another user's answers 404 like a missing one."""
    row = db.get(models.ApiToken, token_id)
    if row is None or row.user_id != principal.user_id:
        raise HTTPException(404, "not found")
    return row


@router.get("/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
def confirm_revoke(
    request: Request,
    token_id: RowId,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> Response:
    """The question before a token is revoked: which one, and what stops with it."""
    row = _own_token(db, principal, token_id)
    return render(request, "account_token_revoke.html", principal, token=row)


@router.post("/account/tokens/{token_id}/revoke")
def revoke(
    request: Request,
    token_id: RowId,
    confirm: str = Form(""),
    principal: Principal = SIGNED_IN_WRITER,
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Revoke once confirmed (``confirm=yes``, the confirmation page's button); without it,
    the confirmation page, and nothing changes."""
    row = _own_token(db, principal, token_id)
    if confirm != "yes":
        return render(request, "account_token_revoke.html", principal, token=row)
    if row.revoked_at is None:
        revoke_token(db, row, clock)
    return RedirectResponse("/account", 303)
