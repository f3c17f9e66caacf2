"""``robotrace agent``: answer a provider's hop requests from its own call records."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from robotrace.cdr.options import FORMAT, TRUNK_MAP, switch_records
from robotrace.settings import Settings, or_setting, pass_settings

if TYPE_CHECKING:
    from robotrace.agent.client import PortalClient
    from robotrace.agent.loop import Agent


@click.command()
@click.option("--url", required=True, help="The portal, e.g. https://traceback.example.org")
@click.option(
    "--token",
    required=True,
    envvar="ROBOTRACE_AGENT_TOKEN",
    help="A read-write API token (rt_rw_…) of a provider user; or ROBOTRACE_AGENT_TOKEN.",
)
@click.option(
    "--cdrs",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="The provider's records: a canonical store folder (<OCN>.parquet), CDR files, or "
    "the switch's own records (with --format and --trunk-map).",
)
@FORMAT
@TRUNK_MAP
@click.option(
    "--interval",
    default=60.0,
    show_default=True,
    help="Seconds between polls; with --watch, the longest time between catch-ups.",
)
@click.option("--once", is_flag=True, help="Answer what is open now, then exit.")
@click.option(
    "--watch",
    is_flag=True,
    help="Hold the portal's event stream and answer each request the moment it is made "
    "(catching up from the API on every (re)connect and every --interval).",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file remembering answered requests across restarts.",
)
@click.option(
    "--skew",
    type=float,
    callback=or_setting("cdr_skew_seconds"),
    help="Clock skew tolerated in the lookup, seconds.",
)
@click.option(
    "--certificates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of the STIR/SHAKEN certificates you hold, named as their x5u URL's last "
    "segment: answers then name the signer's SPC, not only the attestation (not verified).",
)
@click.option("--retries", default=6, show_default=True, help="Tries per API call.")
@pass_settings
def agent(
    settings: Settings,
    url: str,
    token: str,
    cdrs: Path,
    record_format: str,
    trunk_map: Path | None,
    interval: float,
    once: bool,
    watch: bool,
    state: Path | None,
    skew: float,
    certificates: Path | None,
    retries: int,
) -> None:
    """Poll the portal and answer this provider's hop requests from its own CDRs.

    Only the answers leave this machine; the call records are searched locally. A request
    whose call came in on a trunk the trunk map does not map is not answered (logged; exit
    3 with --once).
    """
    from robotrace.agent.batches import BatchAnswerer
    from robotrace.agent.client import Backoff, PortalClient, PortalRefused, PortalUnavailable
    from robotrace.agent.loop import Agent
    from robotrace.agent.records import open_own_records
    from robotrace.agent.state import AnsweredRequests
    from robotrace.logs import configure_logging
    from robotrace.shaken.received import certificates_by_name
    from robotrace.traceback.answerer import RecordsAnswerer

    if once and watch:
        raise click.UsageError("--once and --watch exclude each other")
    if watch and not interval > 0:
        raise click.BadParameter("must be more than 0 with --watch", param_hint="--interval")
    configure_logging(settings)
    switch = switch_records(record_format, trunk_map)
    log = logging.getLogger("robotrace.agent").info
    runner: Agent | None = None
    client = PortalClient.connect(url, token, backoff=Backoff(attempts=max(1, retries)), log=log)
    try:
        provider = client.me().get("provider_key")
        if not provider:
            raise click.ClickException("the token is not a provider user's; agents answer for one")
        records = open_own_records(cdrs, provider, switch)
        shape = f" ({switch.format.name}, trunk map {trunk_map})" if switch else ""
        log(f"agent for provider {provider} on {url}, records from {cdrs}{shape}")
        known = certificates_by_name(certificates) if certificates else {}
        answerer = RecordsAnswerer(records, {}, skew_s=skew, certificates=known)
        runner = Agent(client, answerer, provider, AnsweredRequests(state), log)
        runner.upstreams = switch.trunks.upstreams if switch else {}
        runner.batches = BatchAnswerer(
            cdrs, provider, switch, log, answers_per_post=settings.agent_batch_answers
        )
        status = _watch(runner, client, interval) if watch else runner.run(interval, once)
    except (PortalRefused, PortalUnavailable, LookupError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        client.close()
        if runner is not None and runner.batches is not None:
            runner.batches.close()
    sys.exit(status)


def _watch(runner: Agent, client: PortalClient, interval: float) -> int:
    """Run ``runner`` on the portal's event stream (``robotrace.agent.watch``)."""
    from queue import Queue

    from robotrace.agent.watch import StreamReader, events_client, watch

    http = events_client(client)
    try:
        return watch(runner, StreamReader(http, Queue(), log=runner.log), interval)
    finally:
        http.close()
