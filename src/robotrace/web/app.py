"""The FastAPI application: pages, the JSON API under /api/v1, and the static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from robotrace import __version__
from robotrace.clock import Clock, clock_from_settings
from robotrace.registry import Registry
from robotrace.settings import Settings
from robotrace.store.db import make_engine, session_factory
from robotrace.web import errors
from robotrace.web.apidocs import mount_api_docs
from robotrace.web.deps import LoginRequired
from robotrace.web.health import database_unavailable
from robotrace.web.health import router as health_router
from robotrace.web.metrics import Metrics, count_requests
from robotrace.web.metrics import router as metrics_router

#: The routers by area, each "module:attribute", included in this order; each area adds
#: itself here. Pages at /, the JSON API under /api/v1.
PAGE_ROUTERS: Registry[APIRouter] = Registry(
    "page router",
    APIRouter,
    {
        "auth": "robotrace.web.pages.auth:router",
        "home": "robotrace.web.pages.home:router",
        "tracebacks": "robotrace.web.pages.tracebacks:router",
        "providers": "robotrace.web.pages.providers:router",
        "inbox": "robotrace.web.pages.inbox:router",
        "admin": "robotrace.web.pages.admin:router",
        "enforcement": "robotrace.web.pages.enforcement:router",
        "letters": "robotrace.web.pages.letters:router",
        "orders": "robotrace.web.pages.orders:router",
        "authorizations": "robotrace.web.pages.authorizations:router",
        "evidence": "robotrace.web.pages.evidence:router",
        "campaigns": "robotrace.web.pages.campaigns:router",
        "reports": "robotrace.web.pages.reports:router",
        "statistics": "robotrace.web.pages.statistics:router",
        "shaken_stats": "robotrace.web.pages.shaken_stats:router",
        "traceforward": "robotrace.web.pages.traceforward:router",
        "legal_process": "robotrace.web.pages.legal_process:router",
        "upstreams": "robotrace.web.pages.upstreams:router",
    },
)
API_ROUTERS: Registry[APIRouter] = Registry(
    "API router",
    APIRouter,
    {
        "me": "robotrace.web.api.me:router",
        "hops": "robotrace.web.api.hops:router",
        "signers": "robotrace.web.api.signers:router",
        "events": "robotrace.web.api.events:router",
        "tracebacks": "robotrace.web.api.tracebacks:router",
        "providers": "robotrace.web.api.providers:router",
        "enforcement": "robotrace.web.api.enforcement:router",
        "orders": "robotrace.web.api.orders:router",
        "blocklist": "robotrace.web.api.blocklist:router",
        "blocking_counts": "robotrace.web.api.blocking_counts:router",
        "evidence": "robotrace.web.api.evidence:router",
        "campaigns": "robotrace.web.api.campaigns:router",
        "reports": "robotrace.web.api.reports:router",
        "statistics": "robotrace.web.api.statistics:router",
        "shaken_stats": "robotrace.web.api.shaken_stats:router",
        "bulk": "robotrace.web.api.bulk:router",
        "batches": "robotrace.web.api.batches:router",
        "traceforward": "robotrace.web.api.traceforward:router",
        "legal_process": "robotrace.web.api.legal_process:router",
        "upstreams": "robotrace.web.api.upstreams:router",
    },
)


STATIC = Path(__file__).parent / "static"


def favicon() -> Response:
    return FileResponse(
        STATIC / "favicon.svg",
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def create_app(
    database_url: str | None = None, clock: Clock | None = None, settings: Settings | None = None
) -> FastAPI:
    """The portal on ``database_url`` (default: the ``database_url`` setting), on ``clock``
    (default: the real time, or the ``clock_file`` setting's), with ``settings`` (default:
    read from the environment now, once; kept on ``app.state.settings``)."""
    settings = settings or Settings.from_environ()
    app = FastAPI(
        title="robotrace",
        version=__version__,
        description="Trace illegal robocalls hop by hop. JSON API under /api/v1.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # robotrace.web.apidocs serves it from the package, not a CDN
        redoc_url=None,
    )
    engine = make_engine(database_url or settings.database_url)
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.settings = settings
    app.state.clock = clock or clock_from_settings(settings)
    app.state.metrics = Metrics(app.state)
    app.middleware("http")(count_requests)
    app.include_router(metrics_router)
    app.include_router(health_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Browsers ask for /favicon.ico whatever the page links; answer with the same icon.
    app.add_api_route("/favicon.ico", favicon, methods=["GET"], include_in_schema=False)
    mount_api_docs(app)
    for router in PAGE_ROUTERS.values():
        app.include_router(router)
    for router in API_ROUTERS.values():
        app.include_router(router, prefix="/api/v1")

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login", 303)

    errors.install(app)  # HTML error pages for people, JSON for /api (robotrace.web.errors)
    # The database gone away: 503 with Retry-After, never a 500 (robotrace.web.health).
    app.add_exception_handler(DBAPIError, database_unavailable)
    app.add_exception_handler(PoolTimeout, database_unavailable)
    return app


def app_from_settings() -> FastAPI:
    """The factory ``robotrace serve`` hands to uvicorn (each worker builds its own)."""
    return create_app()
