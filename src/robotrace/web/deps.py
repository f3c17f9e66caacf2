"""FastAPI dependencies: the database session, the clock, and who is asking.

Pages and API share them. A request is authenticated by an ``Authorization: Bearer`` API
token or by the session cookie; writes through a cookie need the session's CSRF token (a
form field ``csrf_token`` or an ``X-CSRF-Token`` header), writes through a token need a
read-write token.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Depends, FastAPI, HTTPException, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from robotrace.accounts.keys import same
from robotrace.accounts.sessions import COOKIE, session_for
from robotrace.accounts.tokens import token_for
from robotrace.clock import Clock
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.traceback.workflow import Policy
from robotrace.web.principal import Principal


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed when the view returns, rolled back if it raises.

    Only as many requests hold a session at once as can use the database at once
    (:func:`session_limit`); the others wait here, on the event loop, in turn. Waiting in a
    worker thread instead — for a connection, as every request did before — deadlocks a
    burst (agents reconnecting after a restart): all the threads wait for connections that
    requests hold while those requests wait for a thread to run their next step, until the
    pool gives up after 30 s and the burst gets 503 (benchmarks/bench_time_to_origin.py)."""
    async with session_slots(request.app):
        session = request.app.state.sessions()
        try:
            yield session
            await _in_thread(session.commit)
        except BaseException:
            await _in_thread(session.rollback)
            raise
        finally:
            await _in_thread(session.close)


async def _in_thread(step: Callable[[], object]) -> None:
    # A limiter of its own, as FastAPI's for a dependency's exit: ending a transaction must
    # never wait for a thread that a request waiting for this connection holds.
    await anyio.to_thread.run_sync(step, limiter=CapacityLimiter(1))


def session_slots(app: FastAPI) -> AbstractAsyncContextManager[object]:
    """The worker's admission to a request session: a semaphore of :func:`session_limit`
    (one per event loop: tests run an app on several); none where there is no limit."""
    size = session_limit(app.state.engine)
    if size is None:
        return nullcontext()
    by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] | None
    by_loop = getattr(app.state, "session_slots", None)
    if by_loop is None:
        by_loop = app.state.session_slots = weakref.WeakKeyDictionary()
    loop = asyncio.get_running_loop()
    if loop not in by_loop:
        by_loop[loop] = asyncio.Semaphore(size)
    return by_loop[loop]


def session_limit(engine: Engine) -> int | None:
    """How many request transactions can make progress at once: on SQLite one — each takes
    the one write lock as it begins (``robotrace.store.db``), and the others would wait in
    SQLite's busy handler, which sleeps up to 100 ms between tries, so the lock stood idle
    while they slept (federated bulk tracing spent most of its time there:
    benchmarks/bench_bulk_trace.py); elsewhere the pool's connections."""
    if engine.dialect.name == "sqlite":
        return 1
    return pool_capacity(engine)


def pool_capacity(engine: Engine) -> int | None:
    """Connections the engine's pool may have open at once; None when it has no limit
    (SQLite in memory, NullPool, unlimited overflow)."""
    size = getattr(engine.pool, "size", None)
    overflow = getattr(engine.pool, "_max_overflow", None)
    if not callable(size) or not isinstance(overflow, int) or overflow < 0:
        return None
    return int(size()) + overflow


#: The request's transaction. ``scope="function"`` makes FastAPI close it — commit — before
#: the response is sent, so a client told "done" can rely on the write being there.
REQUEST_DB = Depends(get_db, scope="function")


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_settings(request: Request) -> Settings:
    """The settings the portal read when it started (``app.state.settings``)."""
    settings: Settings = request.app.state.settings
    return settings


def get_policy(settings: Settings = Depends(get_settings)) -> Policy:
    """When hop requests are due and whether foreign hops are followed, from the settings the
    portal read when it started."""
    return Policy.from_settings(settings)


class LoginRequired(Exception):
    """Raised for pages: the app turns it into a redirect to the sign-in page."""


def _principal(
    user: models.User,
    provider_key: str | None,
    *,
    via: str,
    can_write: bool,
    csrf_token: str | None = None,
    session_id: int | None = None,
) -> Principal:
    return Principal(
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        provider_id=user.provider_id,
        provider_key=provider_key,
        via=via,
        can_write=can_write,
        csrf_token=csrf_token,
        session_id=session_id,
    )


def optional_principal(
    request: Request,
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = token_for(db, header[7:].strip(), clock)
        if token is None:
            raise HTTPException(401, "invalid or revoked API token")
        user = db.get(models.User, token.user_id)
        assert user is not None
        return _principal(user, _key(db, user), via="token", can_write=token.write)
    row = session_for(db, request.cookies.get(COOKIE, ""), clock)
    if row is None:
        return None
    user = db.get(models.User, row.user_id)
    assert user is not None
    return _principal(
        user,
        _key(db, user),
        via="session",
        can_write=True,
        csrf_token=row.csrf_token,
        session_id=row.id,
    )


def page_principal(request: Request) -> Principal | None:
    """Who is signed in, for an error page: by the session cookie alone, in a transaction of
    its own; None when nobody is, or when that cannot be read (an error page never fails)."""
    try:
        with request.app.state.sessions() as db:
            row = session_for(db, request.cookies.get(COOKIE, ""), request.app.state.clock)
            user = db.get(models.User, row.user_id) if row is not None else None
            if row is None or user is None:
                return None
            return _principal(
                user, _key(db, user), via="session", can_write=False, csrf_token=row.csrf_token
            )
    except Exception:
        return None


def _key(db: Session, user: models.User) -> str | None:
    if user.provider_id is None:
        return None
    provider = db.get(models.Provider, user.provider_id)
    return provider.key if provider else None


async def current_principal(
    request: Request, principal: Principal | None = Depends(optional_principal)
) -> Principal:
    # async: no I/O here, so no trip through a worker thread while the request holds its
    # connection (and, on SQLite, the write lock its token's last use took)
    if principal is not None:
        return principal
    if request.url.path.startswith("/api/"):
        raise HTTPException(401, "sign in or send an API token", {"WWW-Authenticate": "Bearer"})
    raise LoginRequired()


def require_roles(*roles: UserRole) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets only ``roles`` through (403 for the others)."""

    async def check(principal: Principal = Depends(current_principal)) -> Principal:
        # async, as current_principal
        if principal.role not in roles:
            raise HTTPException(403, "your role may not use this")
        return principal

    return check


async def check_csrf(request: Request, principal: Principal) -> None:
    """Cookie-authenticated writes must carry the session's CSRF token."""
    if principal.via == "token":
        return
    sent = request.headers.get("x-csrf-token", "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = str((await request.form()).get("csrf_token", ""))
    if not principal.csrf_token or not same(sent, principal.csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


def session_writer(*roles: UserRole) -> Callable[..., object]:
    """A write a person makes signed in, never a script: managing the credentials
    themselves (an API token must not mint tokens that outlive its own revocation)."""
    check_writer = writer(*roles)

    async def check(principal: Principal = Depends(check_writer)) -> Principal:
        if principal.via != "session":
            raise HTTPException(403, "sign in to the portal to manage API tokens")
        return principal

    return check


def writer(*roles: UserRole) -> Callable[..., object]:
    """A dependency for writes: the role, a read-write credential, and CSRF for cookies."""

    async def check(
        request: Request, principal: Principal = Depends(require_roles(*roles))
    ) -> Principal:
        if not principal.can_write:
            raise HTTPException(403, "this API token is read-only")
        await check_csrf(request, principal)
        return principal

    return check
