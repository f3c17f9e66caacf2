"""``robotrace paths``: every listed call's path through the providers' records, at once."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from robotrace.cdr.options import FORMAT, TRUNK_MAP, switch_records
from robotrace.files import write_whole
from robotrace.paths.engine import TracingEngine
from robotrace.rows import BadRowsError
from robotrace.settings import or_setting

#: The calls file, as ``robotrace paths`` and ``robotrace bulk-trace`` both read it.
CALLS_FILE = click.option(
    "--calls",
    "calls_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="The calls to trace: CSV or Parquet with call_id, called_number, calling_number, "
    "call_time, terminating_provider and optionally campaign (honeypot.csv is one).",
)


@click.command()
@click.option(
    "--cdrs",
    "cdrs",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="The canonical store (robotrace cdr import --out), or a directory of raw CDR files "
    "(checked and keyed first, in memory: for small sets) — or of one provider's switch "
    "records, with --format and --trunk-map.",
)
@FORMAT
@TRUNK_MAP
@CALLS_FILE
@click.option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="DuckDB (embedded) or Apache Spark (pip install 'robotrace[spark]', Java 17).",
)
@click.option("--master", metavar="URL", help="Spark master URL (default local[*]).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("robotrace-paths"),
    show_default=True,
    help="Where paths.parquet, flows.json and the flow charts go.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    callback=or_setting("cdr_skew_seconds"),
    help="Clock skew tolerated between a call's time and a leg's (default: the "
    "cdr_skew_seconds setting).",
)
@click.option("--max-hops", type=click.IntRange(min=1, max=64), default=16, show_default=True)
@click.option(
    "--providers",
    "providers_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="The provider registry (RMD export and/or providers.csv; repeat it) saying who is "
    "foreign: gateways are found only with it.",
)
@click.option("--png/--no-png", default=True, show_default=True, help="Draw each flow as PNG.")
@click.option(
    "--analytics-dir",
    type=click.Path(file_okay=False, path_type=Path),
    callback=or_setting("analytics_dir", Path),
    help="Also store each campaign's flow for its portal page here (default: the "
    "analytics_dir setting); --no-publish leaves the portal alone.",
)
@click.option("--publish/--no-publish", default=True, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary.")
def paths(
    cdrs: Path,
    record_format: str,
    trunk_map: Path | None,
    calls_file: Path,
    engine: str,
    master: str | None,
    out: Path,
    tolerance: float,
    max_hops: int,
    providers_file: tuple[Path, ...],
    png: bool,
    analytics_dir: Path,
    publish: bool,
    as_json: bool,
) -> None:
    """Reconstruct every listed call's full path across all providers' CDRs (docs/paths.md):
    from the terminating provider's leg, follow from_provider hop after hop to the origin's
    customer, reporting dead ends and loops; write the paths (Parquet), each campaign's flow
    (JSON, PNG) and store the flows for the portal's campaign pages."""
    from robotrace.paths.assemble import assemble_paths
    from robotrace.paths.calls import read_calls
    from robotrace.paths.engine import engine_named, trace_paths
    from robotrace.paths.flows import campaign_flows, save_flows
    from robotrace.paths.outputs import write_outputs

    console = Console(stderr=True, quiet=as_json)
    started = time.perf_counter()
    switch = switch_records(record_format, trunk_map)
    try:
        calls = read_calls(calls_file)
        foreign = _foreign(providers_file) if providers_file else None
    except (BadRowsError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    with console.status("starting") as status, _store(cdrs, status.update, switch) as store:
        chosen = _engine(engine_named, engine, master)
        try:
            hops = trace_paths(
                chosen, store, calls, round(tolerance * 1000), max_hops, status.update
            )
            status.update("assembling paths")
            found = assemble_paths(hops, calls, chosen.providers_with_records(store), foreign)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        finally:
            chosen.close()
        status.update("summarising the flows")
        flows = campaign_flows(found)
    write_outputs(found, out, flows)
    charts = _draw(flows, out / "flows") if png else []
    published = []
    if publish:
        published = save_flows(flows, analytics_dir)
    summary = _summary(found, engine, tolerance, out, charts, published, started)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        _print(console, summary, flows)


def _engine(
    make: Callable[[str, str | None], TracingEngine], name: str, master: str | None
) -> TracingEngine:
    try:
        return make(name, master)
    except ImportError as exc:
        raise click.ClickException(
            f"the {name} engine is not installed ({exc}): pip install 'robotrace[spark]' "
            "and a Java 17 runtime"
        ) from None


def _foreign(paths: tuple[Path, ...]) -> set[str]:
    from robotrace.providers.imports import registry_of_files

    return {p.key for p in registry_of_files(paths) if p.foreign}


@contextmanager
def _store(cdrs: Path, progress: Any, switch: Any = None) -> Iterator[Path]:
    """``cdrs`` when it is a canonical store; else its raw CDRs (or switch records), checked
    and keyed into a temporary store (removed afterwards)."""
    if switch is None and _is_store(cdrs):
        yield cdrs
        return
    if switch is None and not any(cdrs.glob("*.csv")) and not any(cdrs.glob("*.parquet")):
        raise click.ClickException(
            f"{cdrs}: no CDR files (.csv or .parquet): give the store robotrace cdr import "
            "wrote, or a directory of CDR files"
        )
    from robotrace.cdr.store import write_provider_store

    progress("checking and keying the raw CDRs")
    folder = Path(tempfile.mkdtemp(prefix="robotrace-paths-store-"))
    try:
        try:
            write_provider_store([cdrs], folder, switch=switch)
        except (BadRowsError, ValueError) as exc:
            raise click.ClickException(str(exc)) from None
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _is_store(folder: Path) -> bool:
    files = sorted(folder.glob("*.parquet"))
    if not files or any(folder.glob("*.csv")):
        return False
    return "called_key" in pq.read_schema(files[0]).names


def _draw(flows: list[Any], folder: Path) -> list[Path]:
    from robotrace.paths.flows import NO_CAMPAIGN, file_name
    from robotrace.paths.sankey import sankey_png

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for flow in flows:
        if flow.campaign == NO_CAMPAIGN or not flow.links:
            continue
        path = folder / file_name(flow.campaign, ".png")
        write_whole(path, sankey_png(flow))
        written.append(path)
    return written


def _summary(
    found: pa.Table,
    engine: str,
    tolerance: float,
    out: Path,
    charts: list[Path],
    published: list[Path],
    started: float,
) -> dict[str, Any]:
    statuses: dict[str, int] = {}
    for status in found.column("status").to_pylist():
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "engine": engine,
        "calls": found.num_rows,
        "status": statuses,
        "tolerance_s": tolerance,
        "seconds": round(time.perf_counter() - started, 3),
        "paths": str(out / "paths.parquet"),
        "flows": str(out / "flows.json"),
        "charts": [str(p) for p in charts],
        "published": [str(p) for p in published],
    }


def _print(console: Console, summary: dict[str, Any], flows: list[Any]) -> None:
    console.quiet = False
    status = ", ".join(f"{n:,} {s.replace('_', ' ')}" for s, n in sorted(summary["status"].items()))
    click.echo(
        f"{summary['calls']:,} calls traced with {summary['engine']} in {summary['seconds']} s: "
        f"{status}\npaths: {summary['paths']}; flows: {summary['flows']}"
    )
    table = Table("campaign", "calls", "to origin", "origins", "gateways", title="flows")
    for flow in flows[:20]:
        table.add_row(
            flow.campaign,
            f"{flow.calls:,}",
            f"{flow.origin_identified:.0%}",
            _top(flow.origins),
            _top(flow.gateways),
        )
    Console().print(table)


def _top(volumes: list[Any]) -> str:
    return ", ".join(f"{v.provider} {v.share:.0%}" for v in volumes[:3]) or "–"
