"""``robotrace demo``: simulate a small world and run the whole traceback story on it."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import click
from rich.console import Console

from robotrace.demo.scoring import WRONG, tally
from robotrace.simulate.runner import SimulationParams


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the simulated world and the database in this folder.",
)
@click.option("--seed", type=int, default=2020, show_default=True)
@click.option("--providers", type=int, default=30, show_default=True)
@click.option("--days", type=float, default=3.0, show_default=True)
@click.option("--calls", type=int, default=20_000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def demo(
    out: Path | None, seed: int, providers: int, days: float, calls: int, as_json: bool
) -> None:
    """Simulate a network, trace sample calls of every campaign, and score the findings."""
    from robotrace.demo.report import print_report, report_json
    from robotrace.demo.story import run_story

    params = SimulationParams(seed=seed, providers=providers, days=days, calls=calls)
    workdir = out or Path(tempfile.mkdtemp(prefix="robotrace-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    console = Console(stderr=as_json)
    try:
        with console.status("starting") as status:
            story = run_story(workdir, params, lambda text: status.update(text))
        if as_json:
            click.echo(json.dumps(report_json(story), indent=2, default=str))
        else:
            print_report(console, story)
            if out:
                console.print(f"world and database kept in {out}")
    finally:
        if out is None:
            shutil.rmtree(workdir, ignore_errors=True)
    wrong = sum(tally(story.scores, part)[WRONG] for part in ("originating", "gateway"))
    sys.exit(1 if wrong else 0)
