"""``robotrace worker``: queue and send notifications, and mark silent hops no_response."""

from __future__ import annotations

import logging
import os
import socket

import click

from robotrace.settings import Settings, or_setting, pass_settings


def _default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _log_busy_pass(counts: object) -> None:
    if any(vars(counts).values()):  # a quiet pass is not worth a line
        logging.info("%s", counts)


@click.command()
@click.option("--once", is_flag=True, help="Run one pass and exit.")
@click.option(
    "--interval",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds between passes.",
)
@click.option(
    "--database-url",
    callback=or_setting("database_url"),
    help="Store URL (default: the database_url setting).",
)
@click.option("--worker-id", help="This worker's name in claims (default: HOST:PID).")
@pass_settings
def worker(
    settings: Settings,
    once: bool,
    interval: float,
    database_url: str,
    worker_id: str | None,
) -> None:
    """Send due notifications (e-mail, webhooks), reminders and overdue notices, and mark
    hops no_response after the grace period. Run as many as you like: claims are atomic."""
    from robotrace.clock import ClockFileError, clock_from_settings
    from robotrace.logs import configure_logging
    from robotrace.store.db import current_revision, existing_engine, head_revision
    from robotrace.worker.loop import run_forever, run_once

    configure_logging(settings)
    try:
        clock = clock_from_settings(settings)  # the real time, or the clock_file setting's
    except ClockFileError as exc:
        raise click.ClickException(str(exc)) from None
    engine = existing_engine(database_url)
    if current_revision(engine) != head_revision():
        raise click.ClickException("the store's schema is not current: run robotrace db upgrade")
    name = worker_id or _default_worker_id()
    if once:
        click.echo(str(run_once(engine, clock, name, settings)))
        return
    logging.getLogger("robotrace.worker").info(
        "robotrace worker %s: a pass every %g s", name, interval
    )
    try:
        run_forever(engine, clock, name, interval, _log_busy_pass, settings)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
