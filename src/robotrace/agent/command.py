"""``robotrace agent``: answer a provider's hop requests from its own call records."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from robotrace.cdr.options import FORMAT, TRUNK_MAP, switch_records


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
@click.option("--interval", default=60.0, show_default=True, help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Answer what is open now, then exit.")
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file remembering answered requests across restarts.",
)
@click.option("--skew", type=float, help="Clock skew tolerated in the lookup, seconds.")
@click.option("--retries", default=6, show_default=True, help="Tries per API call.")
def agent(
    url: str,
    token: str,
    cdrs: Path,
    record_format: str,
    trunk_map: Path | None,
    interval: float,
    once: bool,
    state: Path | None,
    skew: float | None,
    retries: int,
) -> None:
    """Poll the portal and answer this provider's hop requests from its own CDRs.

    Only the answers leave this machine; the call records are searched locally. A request
    whose call came in on a trunk the trunk map does not map is not answered (logged; exit
    3 with --once).
    """
    from robotrace.agent.client import Backoff, PortalClient, PortalRefused, PortalUnavailable
    from robotrace.agent.loop import Agent
    from robotrace.agent.records import open_own_records
    from robotrace.agent.state import AnsweredRequests
    from robotrace.logs import configure_logging
    from robotrace.traceback.answerer import RecordsAnswerer

    configure_logging()
    switch = switch_records(record_format, trunk_map)
    log = logging.getLogger("robotrace.agent").info
    client = PortalClient.connect(url, token, backoff=Backoff(attempts=max(1, retries)), log=log)
    try:
        provider = client.me().get("provider_key")
        if not provider:
            raise click.ClickException("the token is not a provider user's; agents answer for one")
        records = open_own_records(cdrs, provider, switch)
        shape = f" ({switch.format.name}, trunk map {trunk_map})" if switch else ""
        log(f"agent for provider {provider} on {url}, records from {cdrs}{shape}")
        answerer = RecordsAnswerer(records, {}, skew)
        runner = Agent(client, answerer, provider, AnsweredRequests(state), log)
        runner.upstreams = switch.trunks.upstreams if switch else {}
        status = runner.run(interval, once)
    except (PortalRefused, PortalUnavailable, LookupError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        client.close()
    sys.exit(status)
