"""The FastAPI application: pages, the JSON API under /api/v1, and the static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from robotrace import __version__
from robotrace.clock import Clock, clock_from_settings
from robotrace.settings import Settings
from robotrace.store.db import make_engine, session_factory
from robotrace.web import errors
from robotrace.web.apidocs import mount_api_docs
from robotrace.web.deps import LoginRequired
from robotrace.web.health import database_unavailable
from robotrace.web.health import router as health_router
from robotrace.web.metrics import Metrics, count_requests
from robotrace.web.metrics import router as metrics_router

#: Routers as "module:attribute", included in this order; each area adds itself here.
PAGE_ROUTERS = [
    "robotrace.web.pages.auth:router",
    "robotrace.web.pages.home:router",
    "robotrace.web.pages.tracebacks:router",
    "robotrace.web.pages.providers:router",
    "robotrace.web.pages.inbox:router",
    "robotrace.web.pages.admin:router",
    "robotrace.web.pages.enforcement:router",
    "robotrace.web.pages.letters:router",
    "robotrace.web.pages.orders:router",
    "robotrace.web.pages.authorizations:router",
    "robotrace.web.pages.evidence:router",
    "robotrace.web.pages.campaigns:router",
    "robotrace.web.pages.reports:router",
    "robotrace.web.pages.statistics:router",
    "robotrace.web.pages.shaken_stats:router",
    "robotrace.web.pages.traceforward:router",
    "robotrace.web.pages.legal_process:router",
    "robotrace.web.pages.upstreams:router",
]
API_ROUTERS: list[str] = [
    "robotrace.web.api.me:router",
    "robotrace.web.api.hops:router",
    "robotrace.web.api.signers:router",
    "robotrace.web.api.events:router",
    "robotrace.web.api.tracebacks:router",
    "robotrace.web.api.providers:router",
    "robotrace.web.api.enforcement:router",
    "robotrace.web.api.orders:router",
    "robotrace.web.api.blocklist:router",
    "robotrace.web.api.blocking_counts:router",
    "robotrace.web.api.evidence:router",
    "robotrace.web.api.campaigns:router",
    "robotrace.web.api.reports:router",
    "robotrace.web.api.statistics:router",
    "robotrace.web.api.shaken_stats:router",
    "robotrace.web.api.bulk:router",
    "robotrace.web.api.batches:router",
    "robotrace.web.api.traceforward:router",
    "robotrace.web.api.legal_process:router",
    "robotrace.web.api.upstreams:router",
]


STATIC = Path(__file__).parent / "static"


def favicon() -> Response:
    return FileResponse(
        STATIC / "favicon.svg",
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def _router(target: str) -> object:
    import importlib

    module_name, attribute = target.split(":")
    return getattr(importlib.import_module(module_name), attribute)


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
    engine = make_engine(database_url)
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
    for target in PAGE_ROUTERS:
        app.include_router(_router(target))  # type: ignore[arg-type]
    for target in API_ROUTERS:
        app.include_router(_router(target), prefix="/api/v1")  # type: ignore[arg-type]

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
