"""``robotrace serve``: the portal and API under uvicorn."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile

import click

from robotrace.settings import Settings, pass_settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=int,
    help="Worker processes; use several only on PostgreSQL.",
)
@click.option("--database-url", help="Store URL (default: the database_url setting).")
@click.option(
    "--migrate/--no-migrate",
    default=True,
    show_default=True,
    help="Bring the store's schema up to date before serving.",
)
@pass_settings
def serve(
    settings: Settings,
    host: str,
    port: int,
    workers: int,
    database_url: str | None,
    migrate: bool,
) -> None:
    """Serve the portal (pages) and the JSON API (/api/v1)."""
    import uvicorn

    from robotrace.clock import ClockFileError, clock_from_settings
    from robotrace.enforcement.letters import letter_template_setting
    from robotrace.logs import configure_logging, uvicorn_log_config
    from robotrace.store.db import upgrade

    try:
        clock_from_settings(settings)  # a clock file the workers could not read fails here, once
    except ClockFileError as exc:
        raise click.ClickException(str(exc)) from None
    # A letter template that does not load is named now, once.
    letter_template_setting(settings.letter_template)

    if database_url:
        os.environ["ROBOTRACE_DATABASE_URL"] = database_url  # the workers read the setting
    url = database_url or os.environ.get("ROBOTRACE_DATABASE_URL")
    if workers > 1 and (url or "sqlite").startswith("sqlite"):
        raise click.UsageError("several workers need PostgreSQL; SQLite takes one writer")
    configure_logging(settings)
    if migrate:
        upgrade(url or settings.database_url)
    if workers > 1:
        _share_request_metrics()
    logging.getLogger("robotrace.web").info(
        "robotrace portal on http://%s:%d/  (API docs: /api/v1/docs)", host, port
    )
    uvicorn.run(
        "robotrace.web.app:app_from_settings",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=uvicorn_log_config(settings),
        log_level=settings.log_level.lower(),
        # Agents' event streams never end by themselves: without a limit a stop would wait
        # for them all (docs/agent.md); requests still running then are cancelled. uvicorn
        # annotates it int but waits with asyncio, which takes the setting's float seconds.
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,  # type: ignore[arg-type]
    )


def _share_request_metrics() -> None:
    """Give the workers one folder for their request counts, so /metrics sums them all
    (prometheus_client's multiprocess mode); a new, empty one at every start."""
    from robotrace.web.metrics import MULTIPROCESS_DIR

    folder = tempfile.mkdtemp(prefix="robotrace-metrics-")
    atexit.register(shutil.rmtree, folder, True)
    os.environ[MULTIPROCESS_DIR] = folder  # read by prometheus_client in each new worker
