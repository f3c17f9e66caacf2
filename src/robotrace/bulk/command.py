"""``robotrace bulk-trace``: trace every listed call through the providers' agents, by the
portal (federated bulk tracing), and write what ``robotrace paths`` writes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from robotrace.paths.command import CALLS_FILE
from robotrace.paths.outputs import FLOWS_FILE, PATHS_FILE


@click.command("bulk-trace")
@click.option("--url", required=True, help="The portal, e.g. https://traceback.example.org")
@click.option(
    "--token",
    required=True,
    envvar="ROBOTRACE_TOKEN",
    help="A coordinator's read-write API token (rt_rw_…); or ROBOTRACE_TOKEN.",
)
@CALLS_FILE
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("robotrace-paths"),
    show_default=True,
    help="Where paths.parquet and flows.json go.",
)
@click.option(
    "--campaign",
    "campaign_id",
    metavar="ID",
    help="The campaign of calls without one: the portal's campaign page draws its flow.",
)
@click.option(
    "--answer-within",
    metavar="DURATION",
    help="How long each provider has to answer a batch (90s, 15m, 2h, 1d) before its calls "
    "end no_records (default: the portal's bulk_answer_seconds setting).",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0, max=3600),
    metavar="SECONDS",
    help="Clock skew tolerated between a call's time and a leg's (default: the portal's "
    "cdr_skew_seconds setting).",
)
@click.option("--max-hops", type=click.IntRange(min=1, max=64), default=16, show_default=True)
@click.option(
    "--poll", type=click.FloatRange(min=0.05), default=1.0, show_default=True,
    help="Seconds between progress checks.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary, no progress bar.")
def bulk_trace(
    url: str,
    token: str,
    calls_file: Path,
    out: Path,
    campaign_id: str | None,
    answer_within: str | None,
    tolerance: float | None,
    max_hops: int,
    poll: float,
    as_json: bool,
) -> None:
    """Trace every listed call through the providers' own agents (docs/paths.md, "Federated
    bulk tracing"): the portal asks each provider in batches, follows the answers hop by hop
    until every call ends, and this writes the same paths.parquet and flows.json as
    robotrace paths — without anyone's call records leaving their machine."""
    from robotrace.agent.client import Backoff, PortalClient, PortalUnavailable
    from robotrace.bulk.rules import duration_seconds
    from robotrace.bulk.submit import calls_of_file
    from robotrace.rows import BadRowsError

    started = time.perf_counter()
    try:
        window = None if answer_within is None else duration_seconds(answer_within)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--answer-within") from None
    try:
        calls = calls_of_file(calls_file)  # every bad row before anything is sent
    except (BadRowsError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    console = Console(stderr=True, quiet=as_json)
    client = PortalClient.connect(url, token, backoff=Backoff(attempts=6), log=console.print)
    client.http.headers["User-Agent"] = "robotrace-bulk-trace"
    try:
        query = {"campaign_id": campaign_id, "answer_within": window, "tolerance": tolerance}
        query |= {"max_hops": max_hops, "filename": calls_file.name}
        bulk = _submit(client, calls_file, {k: v for k, v in query.items() if v is not None})
        bulk = _wait(client, bulk, poll, console)
        _fetch(client, bulk["id"], out)
    except PortalUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        client.close()
    summary = _summary(bulk, out, started)
    if calls.num_rows != bulk["calls"]:
        raise click.ClickException(f"sent {calls.num_rows} calls, the portal took {bulk['calls']}")
    click.echo(json.dumps(summary) if as_json else _said(summary))


def _submit(client: Any, calls_file: Path, query: dict[str, Any]) -> dict[str, Any]:
    parquet = calls_file.suffix.lower() == ".parquet"
    kind = "application/vnd.apache.parquet" if parquet else "text/csv"
    response = client.request(
        "POST",
        "/bulk-tracebacks",
        params=query,
        content=calls_file.read_bytes(),
        headers={"Content-Type": kind},
    )
    if response.status_code != 201:
        raise click.ClickException(f"the portal refused the calls: {_detail(response)}")
    found: dict[str, Any] = response.json()
    return found


def _wait(client: Any, bulk: dict[str, Any], poll: float, console: Console) -> dict[str, Any]:
    """Poll the submission until every call has ended, with a progress bar."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("tracing", total=bulk["calls"])
        while bulk["status"] != "done":
            time.sleep(poll)
            response = client.request("GET", f"/bulk-tracebacks/{bulk['id']}")
            if response.status_code != 200:
                raise click.ClickException(f"progress: {_detail(response)}")
            bulk = response.json()
            batches = bulk["batches"]
            described = f"bulk traceback {bulk['id']}: {batches['open']} batch(es) out"
            progress.update(task, completed=bulk["ended"], description=described)
    return bulk


def _fetch(client: Any, bulk_id: int, out: Path) -> None:
    """The results, each written whole."""
    from robotrace.files import write_whole

    out.mkdir(parents=True, exist_ok=True)
    for name in (PATHS_FILE, FLOWS_FILE):
        response = client.request("GET", f"/bulk-tracebacks/{bulk_id}/{name}")
        if response.status_code != 200:
            raise click.ClickException(f"{name}: {_detail(response)}")
        write_whole(out / name, response.content)


def _summary(bulk: dict[str, Any], out: Path, started: float) -> dict[str, Any]:
    return {
        "id": bulk["id"],
        "calls": bulk["calls"],
        "status": {end: n for end, n in bulk["ends"].items() if n},
        "batches": sum(bulk["batches"].values()),
        "seconds": round(time.perf_counter() - started, 3),
        "paths": str(out / PATHS_FILE),
        "flows": str(out / FLOWS_FILE),
    }


def _said(summary: dict[str, Any]) -> str:
    status = ", ".join(f"{n:,} {s.replace('_', ' ')}" for s, n in sorted(summary["status"].items()))
    return (
        f"{summary['calls']:,} calls traced through the providers' agents in "
        f"{summary['seconds']} s ({summary['batches']} batch requests): {status}\n"
        f"paths: {summary['paths']}; flows: {summary['flows']}"
    )


def _detail(response: Any) -> str:
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        return f"{response.status_code} {response.text[:200]}"
    if isinstance(detail, list):
        detail = "\n".join(str(d) for d in detail[:20])
    return f"{response.status_code} {detail}"
