"""``robotrace demo``: simulate a small world and run the whole traceback story on it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from robotrace.demo.scoring import WRONG, tally
from robotrace.demo.timeline import enforcement_params
from robotrace.settings import Settings, pass_settings
from robotrace.simulate.runner import SimulationParams

if TYPE_CHECKING:
    from robotrace.demo.story import Story


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the simulated world and the database in this folder.",
)
@click.option("--seed", type=int, default=2020, show_default=True)
@click.option("--providers", type=int, default=30, show_default=True)
@click.option("--days", type=float, default=30.0, show_default=True)
@click.option("--calls", type=int, default=20_000, show_default=True)
@click.option(
    "--enforcement/--no-enforcement",
    default=True,
    show_default=True,
    help="Warn the providers found and follow the 48 hours; then notify one of them under "
    "47 CFR 64.1200(n) and follow the orders (with --days 25 or more).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--serve",
    is_flag=True,
    help="Then keep the database, start the portal on it, trace a call live through provider "
    "agents, and print how to sign in as each role.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="With --serve.")
@click.option("--port", default=8000, show_default=True, type=int, help="With --serve.")
@pass_settings
def demo(
    settings: Settings,
    out: Path | None,
    seed: int,
    providers: int,
    days: float,
    calls: int,
    enforcement: bool,
    as_json: bool,
    serve: bool,
    host: str,
    port: int,
) -> None:
    """Simulate a network, trace sample calls of every campaign, and score the findings."""
    from robotrace.demo.report import print_report, report_json
    from robotrace.demo.story import run_story

    params = SimulationParams(seed=seed, providers=providers, days=days, calls=calls)
    if enforcement:
        hours, days = settings.mitigate_hours, settings.notification_response_days
        params, notes = enforcement_params(params, hours, days)
        for note in notes:
            click.echo(f"note: {note}", err=True)
    workdir = out or Path(tempfile.mkdtemp(prefix="robotrace-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    # The demo's block list is signed with a key of its own world, kept beside its database.
    key = os.environ.setdefault(
        "ROBOTRACE_BLOCKLIST_SIGNING_KEY", str(workdir.resolve() / "robotrace-blocklist.key")
    )
    settings = replace(settings, blocklist_signing_key=key)
    console = Console(stderr=as_json)
    if not console.is_terminal:
        console.width = max(console.width, 110)
    try:
        with console.status("starting") as status:
            story = run_story(workdir, params, settings, lambda text: status.update(text))
        if as_json:
            click.echo(json.dumps(report_json(story), indent=2, default=str))
        else:
            print_report(console, story)
            if out or serve:
                console.print(f"world and database kept in {workdir}")
                click.echo(stored_at(workdir))  # unwrapped: it is copied from here
        if serve:
            serve_and_wait(story, host, port, console, settings.display_zone)
    finally:
        if out is None and not serve:
            shutil.rmtree(workdir, ignore_errors=True)
    wrong = sum(tally(story.scores, part)[WRONG] for part in ("originating", "gateway"))
    if story.enforcement is not None and not story.enforcement.right:
        wrong += 1
    if story.mandatory is not None and not story.mandatory.right:
        wrong += 1
    if story.trace_forward is not None and not story.trace_forward.right:
        wrong += 1
    sys.exit(1 if wrong else 0)


def stored_at(workdir: Path) -> str:
    """How other commands reach the demo's store: its ``--database-url`` (absolute, so it
    works from any folder) and its analytics folder."""
    folder = workdir.resolve()
    return (
        f"use it with --database-url sqlite:///{folder / 'robotrace.db'} "
        f"(and --analytics-dir {folder / 'analytics'})"
    )


def serve_and_wait(story: Story, host: str, port: int, console: Console, zone: str) -> None:
    """Run the portal on the demo's database until Ctrl-C (or SIGTERM)."""
    from robotrace.demo.live import serve_demo, stop

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    def echo(text: str) -> None:
        click.echo(text, err=console.stderr)  # unwrapped: passwords are copied from here

    console.rule("Portal")
    lines, portal = serve_demo(story, host, port, echo, zone)
    try:
        for line in [*lines, "Ctrl-C stops the portal; the database stays."]:
            echo(line)
        portal.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop(portal)
