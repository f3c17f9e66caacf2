"""``robotrace blocker`` (the blocking service's HTTP process) and ``robotrace screen``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from robotrace.settings import Settings, pass_settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from robotrace.blocking.app import Blocker
    from robotrace.blocking.counts import BlockCounts, CountRow
    from robotrace.blocking.decide import Policy
    from robotrace.blocking.model import LoadedBlocklist
    from robotrace.blocking.refresh import ListState
    from robotrace.blocking.report import CountsReporter
    from robotrace.blocking.sip import SipService, TcpLimits
    from robotrace.blocking.sip.workers import SipWorkers
    from robotrace.blocking.trunks import TrunkTable


def policy_from_settings(settings: Settings) -> Policy:
    """The :class:`~robotrace.blocking.decide.Policy` the ``blocker_*`` settings describe."""
    from robotrace.blocking.decide import Policy, load_numbers
    from robotrace.blocking.plus603 import Redress
    from robotrace.numbering.nanp import NanpRules

    def numbers_in(path: str) -> frozenset[str]:
        return load_numbers(Path(path).read_text().splitlines()) if path else frozenset()

    return Policy(
        do_not_originate=numbers_in(settings.blocker_dno_file),
        critical_callers=numbers_in(settings.blocker_critical_callers_file),
        nanp=NanpRules(
            n11=settings.blocker_nanp_n11,
            reserved_npa=settings.blocker_nanp_reserved_npa,
            fictional_555=settings.blocker_nanp_fictional_555,
        ),
        block_invalid=settings.blocker_block_invalid,
        block_empty=settings.blocker_block_empty,
        redress=Redress(
            settings.blocker_redress_url,
            settings.blocker_redress_tel,
            settings.blocker_redress_email,
        ),
        location=settings.blocker_location,
    )


def with_shaken(policy: Policy, settings: Settings) -> Policy:
    """``policy`` with the STIR/SHAKEN check the ``blocker_shaken`` setting asks for."""
    from dataclasses import replace

    from robotrace.blocking.shaken import MODES, ShakenHook
    from robotrace.shaken.verify import Verifier

    mode = settings.blocker_shaken
    if mode not in MODES:
        raise click.UsageError(f"blocker_shaken must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "off":
        return policy
    if not settings.shaken_trust_anchors:
        raise click.UsageError("blocker_shaken needs trust anchors: set shaken_trust_anchors")
    hook = ShakenHook(Verifier.from_settings(settings))
    return replace(policy, shaken=hook, shaken_blocks=mode == "block")


def _public_key(
    settings: Settings, portal: str | None, pem_path: str | None, trust_on_first_use: bool
) -> Ed25519PublicKey:
    from robotrace.blocking.listfile import load_public_key, public_key_from_pem
    from robotrace.blocking.refresh import fetch_public_key_pem

    path = pem_path or settings.blocker_public_key
    if path:
        return load_public_key(path)
    if trust_on_first_use and portal:
        click.echo(
            "warning: trusting the key the portal sends now (--trust-on-first-use)", err=True
        )
        return public_key_from_pem(fetch_public_key_pem(portal))
    raise click.UsageError("give --public-key (or the blocker_public_key setting)")


def _split_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not host or not (port.isascii() and port.isdigit()):
        raise click.BadParameter("expected HOST:PORT", param_hint="--listen")
    return host.strip("[]"), int(port)


PUBLIC_KEY_HELP = (
    "The portal's block-list public key (PEM); default: the blocker_public_key setting."
)
TOFU_HELP = "Without a key, fetch the portal's key once and trust it (see docs/blocking.md)."


@click.command()
@click.option(
    "--portal", required=True, help="The portal's base URL, e.g. https://traceback.example.org"
)
@click.option(
    "--listen", default="127.0.0.1:8700", show_default=True, help="HOST:PORT to serve on."
)
@click.option(
    "--interval", default=30.0, show_default=True, type=float, help="Seconds between polls."
)
@click.option(
    "--public-key", "public_key", type=click.Path(exists=True, dir_okay=False), help=PUBLIC_KEY_HELP
)
@click.option("--trust-on-first-use", is_flag=True, help=TOFU_HELP)
@click.option(
    "--sip-listen",
    help="HOST:PORT for the SIP redirect server (UDP and TCP): 603 when blocked, a redirect "
    "to --next-hop when allowed. Off unless given.",
)
@click.option(
    "--next-hop", default="127.0.0.1:5060", show_default=True, help="Where allowed calls go."
)
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep each new list version in this file and serve it after a restart until the "
    "portal answers; default: the blocker_cache_file setting (empty: no cache).",
)
@click.option(
    "--sip-processes",
    type=click.IntRange(min=0),
    help="Processes answering SIP on the one port (0: one per CPU; 1: a thread of this "
    "process); default: the blocker_sip_processes setting (0).",
)
@click.option(
    "--token",
    help="A read-write API token (rt_rw_…) of the blocking provider: report the counts of "
    "blocked calls to the portal; default: the blocker_report_token setting (empty: none).",
)
@pass_settings
def blocker(
    settings: Settings,
    portal: str,
    listen: str,
    interval: float,
    public_key: str | None,
    trust_on_first_use: bool,
    sip_listen: str | None,
    next_hop: str,
    cache: Path | None,
    sip_processes: int | None,
    token: str | None,
) -> None:
    """Serve call decisions (POST /v1/decide) from the portal's block list, kept fresh."""
    import uvicorn

    from robotrace.blocking.app import Blocker, create_app
    from robotrace.blocking.refresh import ListState, restore
    from robotrace.logs import configure_logging, uvicorn_log_config

    configure_logging(settings)
    key = _public_key(settings, portal, public_key, trust_on_first_use)
    trunks = trunks_from_settings(settings)
    cache = cache or (Path(settings.blocker_cache_file) if settings.blocker_cache_file else None)
    state = ListState(cache=cache, max_age=_max_list_age(settings))
    restore(state, key)
    service = Blocker(state, with_shaken(policy_from_settings(settings), settings), trunks)
    if not service.policy.redress:
        click.echo(
            "warning: no blocker_redress_url, _tel or _email: a 603+ for the blocker's own "
            "rules, or for a list entry naming no redress, will name no way to ask "
            "(docs/blocking.md#redress-the-603-answer)",
            err=True,
        )
    workers = None
    if sip_listen:
        processes = _sip_processes(settings, sip_processes)
        if processes == 1:
            service.listeners = _start_sip(settings, service, sip_listen, next_hop)
        else:
            workers = _start_sip_workers(settings, service, sip_listen, next_hop, processes)
    reporter = _reporter(settings, portal, token, service)
    max_body = settings.blocker_max_body_bytes
    app = create_app(service, portal, key, interval, max_body, reporter)
    host, port = _split_listen(listen)
    click.echo(f"robotrace blocker on http://{host}:{port}/  (list from {portal})", err=True)
    try:
        # Access lines only at WARNING: one per decided call would drown everything else.
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=uvicorn_log_config(settings),
            log_level="warning",
        )
    finally:
        if workers is not None:
            workers.stop()


def trunks_from_settings(settings: Settings) -> TrunkTable:
    from robotrace.blocking.trunks import load_trunks

    return load_trunks(settings.blocker_trunks_file, settings.blocker_tgrp_is_ocn)


def _sip_processes(settings: Settings, option: int | None) -> int:
    import os

    processes = settings.blocker_sip_processes if option is None else option
    return processes or os.cpu_count() or 1


def _reporter(
    settings: Settings, portal: str, token: str | None, service: Blocker
) -> CountsReporter | None:
    """The reporter of blocked calls, when a token is given (``--token`` or the setting)."""
    import socket

    from robotrace.blocking.report import CountsReporter

    token = token or settings.blocker_report_token
    if not token:
        return None
    name = settings.blocker_name or socket.gethostname()
    interval = settings.blocker_report_interval
    return CountsReporter(portal, token, name, service.counts, interval)


def sip_service_for(service: Blocker, next_hop: str) -> SipService:
    """The SIP redirect server's behaviour around a blocker's decisions."""
    from robotrace.blocking.sip import SipService

    return SipService(
        service.decide_now, next_hop, service.trunk_upstream, location=service.policy.location
    )


def worker_service(state: ListState, counts: BlockCounts, next_hop: str) -> SipService:
    """A SIP worker process's service: the blocker's settings around the list the parent
    sends it (:mod:`robotrace.blocking.sip.workers`) and the worker's own counts. A new
    process: it reads the settings from the variables it inherited."""
    from robotrace.blocking.app import Blocker

    settings = Settings.from_environ()
    policy = with_shaken(policy_from_settings(settings), settings)
    trunks = trunks_from_settings(settings)
    return sip_service_for(Blocker(state, policy, trunks, counts=counts), next_hop)


def _tcp_limits(settings: Settings) -> TcpLimits:
    from robotrace.blocking.sip import TcpLimits

    return TcpLimits(
        idle_seconds=settings.blocker_sip_tcp_idle_seconds,
        max_per_address=settings.blocker_sip_tcp_max_per_address,
    )


def _start_sip_workers(
    settings: Settings, service: Blocker, listen: str, next_hop: str, processes: int
) -> SipWorkers:
    """Start ``processes`` SIP worker processes on one port; they answer once this returns."""
    from robotrace.blocking.sip.workers import SipWorkers, WorkerConfig

    sip_host, sip_port = _split_listen(listen)
    config = WorkerConfig(next_hop, _tcp_limits(settings))
    workers = SipWorkers(
        sip_host, sip_port, processes, service.state, service.counts, config, worker_service
    ).start()
    service.listeners, service.sip_requests = workers.health, workers.requests
    click.echo(
        f"SIP redirect server on {sip_host}:{workers.port} (UDP and TCP, {processes} processes)",
        err=True,
    )
    return workers


def _under(row: CountRow) -> str:
    """What a count row was blocked under: ``authorization 7`` or ``order 12``."""
    if row.order_id is not None:
        return f"order {row.order_id}"
    return f"authorization {row.authorization_id}"


def _max_list_age(settings: Settings) -> timedelta | None:
    """The ``blocker_max_list_age_hours`` setting; None for 0 or off (no limit)."""
    hours = settings.blocker_max_list_age_hours
    return timedelta(hours=hours) if hours else None


def _start_sip(
    settings: Settings, service: Blocker, listen: str, next_hop: str
) -> Callable[[], dict[str, str]]:
    """Start the SIP redirect server on its own thread; what reports its listeners' state."""
    from robotrace.blocking.sip import serve_sip_in_thread

    sip_host, sip_port = _split_listen(listen)
    sip = sip_service_for(service, next_hop)
    running = serve_sip_in_thread(sip_host, sip_port, sip, _tcp_limits(settings))
    click.echo(f"SIP redirect server on {sip_host}:{running.port} (UDP and TCP)", err=True)
    return running.health


def _load_list(
    portal: str | None, list_file: str | None, key: Ed25519PublicKey | None
) -> LoadedBlocklist:
    import httpx

    from robotrace.blocking.listfile import SIGNATURE_HEADER, load_verified, parse
    from robotrace.blocking.refresh import LIST_PATH

    if list_file:
        return parse(Path(list_file).read_bytes())
    assert portal and key is not None
    response = httpx.get(portal.rstrip("/") + LIST_PATH, timeout=30)
    response.raise_for_status()
    signature = response.headers.get(SIGNATURE_HEADER)
    return load_verified(response.content, signature, key, response.headers.get("ETag", ""))


@click.command()
@click.option(
    "--cdrs",
    "cdrs",
    required=True,
    multiple=True,
    type=click.Path(exists=True),
    help="CDR files or folders (CSV, Parquet, the canonical store).",
)
@click.option("--portal", help="Screen against the portal's current list (signature checked).")
@click.option(
    "--list",
    "list_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Screen against a saved list body (JSON; not signature-checked).",
)
@click.option(
    "--public-key", "public_key", type=click.Path(exists=True, dir_okay=False), help=PUBLIC_KEY_HELP
)
@click.option("--trust-on-first-use", is_flag=True, help=TOFU_HELP)
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Also write every row with its reason (Parquet)."
)
@click.option("--threads", type=int, help="DuckDB threads (default: all cores).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_settings
def screen(
    settings: Settings,
    cdrs: tuple[str, ...],
    portal: str | None,
    list_file: str | None,
    public_key: str | None,
    trust_on_first_use: bool,
    out: str | None,
    threads: int | None,
    as_json: bool,
) -> None:
    """Count which calls of a CDR set the current block list would block, by reason."""
    from robotrace.blocking import screen as screening

    if bool(portal) == bool(list_file):
        raise click.UsageError("give exactly one of --portal and --list")
    key = None if list_file else _public_key(settings, portal, public_key, trust_on_first_use)
    blocklist = _load_list(portal, list_file, key)
    result = screening.screen(cdrs, blocklist, policy_from_settings(settings), threads, out)
    if as_json:
        click.echo(json.dumps(result.as_dict(), sort_keys=True))
        return
    for reason, count in result.by_reason.items():
        click.echo(f"{reason:20} {count:>12,}")
    for row in result.blocked_by:
        if row.authorization_id is not None or row.order_id is not None:
            click.echo(f"  {row.reason:18} {_under(row):>20} {row.calls:>12,}")
    click.echo(
        f"{result.rows:,} rows, {result.blocked:,} blocked, "
        f"{result.rows_per_second:,.0f} rows/s ({result.seconds:.2f} s)"
    )


@click.command("declare-blocking")
@click.option("--portal", required=True, help="The portal's base URL.")
@click.option(
    "--token",
    required=True,
    envvar="ROBOTRACE_AGENT_TOKEN",
    help="A read-write API token (rt_rw_…) of a user of the blocking provider; or "
    "ROBOTRACE_AGENT_TOKEN.",
)
@click.option(
    "--authorization",
    "authorizations",
    multiple=True,
    help="Only this authorization (BA-000007 or 7); repeatable. Default: every permissive "
    "authorization on the list.",
)
@click.option("--since", help="When blocking began or begins (ISO 8601); default: now.")
@click.option(
    "--public-key", "public_key", type=click.Path(exists=True, dir_okay=False), help=PUBLIC_KEY_HELP
)
@click.option("--trust-on-first-use", is_flag=True, help=TOFU_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@pass_settings
def declare_blocking(
    settings: Settings,
    portal: str,
    token: str,
    authorizations: tuple[str, ...],
    since: str | None,
    public_key: str | None,
    trust_on_first_use: bool,
    as_json: bool,
) -> None:
    """Tell the portal your provider blocks under the list's permissive (K4) authorizations;
    the portal writes the notice to the FCC that 47 CFR 64.1200(k)(4) asks for."""
    import httpx

    from robotrace.blocking.declare import authorization_number, declare_all
    from robotrace.clock import SystemClock, parse_utc

    try:
        only = [authorization_number(a) for a in authorizations]
        start = parse_utc(since) if since else SystemClock().now()
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    key = _public_key(settings, portal, public_key, trust_on_first_use)
    blocklist = _load_list(portal, None, key)
    headers = {"Authorization": f"Bearer {token}", "User-Agent": "robotrace-blocker"}
    with httpx.Client(base_url=portal.rstrip("/"), headers=headers, timeout=30) as client:
        results = declare_all(client, blocklist, start, only)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in results], sort_keys=True))
    else:
        for r in results:
            click.echo(f"{r.reference}  {r.provider:12} {r.status}  {r.detail}")
        if not results:
            click.echo("no permissive authorization on the list")
    if any(r.status != 201 for r in results):
        sys.exit(1)
