"""``robotrace blocker export``: the verified block list as Kamailio's tables, kept fresh.

``robotrace blocker`` stays the serving command (``robotrace blocker --portal …``); the group
here adds subcommands named first (``robotrace blocker export …``) without changing it.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from robotrace.blocking import command as blocking_command
from robotrace.settings import Settings, pass_settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from robotrace.blocking.counts import BlockCounts
    from robotrace.blocking.decide import Policy
    from robotrace.blocking.kamailio.watch import Exporter
    from robotrace.blocking.model import LoadedBlocklist
    from robotrace.blocking.refresh import ListState
    from robotrace.blocking.report import CountsReporter

FORMATS = ("kamailio-htable",)


class ServingGroup(click.Group):
    """A command that serves when given options, with subcommands named first."""

    def __init__(self, serve: click.Command, **attrs: Any) -> None:
        super().__init__(serve.name, help=serve.help, **attrs)
        self.serve = serve

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        if (args and args[0] in self.commands) or args == ["--help"]:
            return super().make_context(info_name, args, parent, **extra)
        return self.serve.make_context(info_name, args, parent, **extra)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with self.serve.make_context(
            ctx.info_name, [], ctx.parent, resilient_parsing=True
        ) as serving:
            self.serve.format_help(serving, formatter)
        self.format_commands(ctx, formatter)


def _check_socket(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Path | None:
    from robotrace.blocking.kamailio.rpc import check_socket

    if value is None:
        return None
    try:
        return check_socket(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="What to write.")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The db_text folder Kamailio reads (ROBOTRACE_DB in contrib/kamailio/blocking/); "
    "made if missing. Each table file is replaced whole.",
)
@click.option("--portal", help="Export the portal's current list (signature checked).")
@click.option(
    "--list-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Export a list robotrace blocker saved (its --cache file: body and signature), "
    "checked with the public key like the portal's.",
)
@click.option(
    "--public-key",
    "public_key",
    type=click.Path(exists=True, dir_okay=False),
    help=blocking_command.PUBLIC_KEY_HELP,
)
@click.option("--trust-on-first-use", is_flag=True, help=blocking_command.TOFU_HELP)
@click.option(
    "--watch",
    is_flag=True,
    help="Keep polling --portal: export each new version (and each entry as it comes into "
    "force), reload Kamailio, read its blocked-call counters.",
)
@click.option(
    "--interval", default=30.0, show_default=True, type=float, help="Seconds between polls."
)
@click.option(
    "--kamailio-rpc",
    "rpc_socket",
    callback=_check_socket,
    help="Kamailio's jsonrpcs datagram socket (dgram_socket): reload the tables after each "
    "export (htable.reload, permissions.addressReload).",
)
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --watch: keep each new version in this file (as robotrace blocker --cache).",
)
@click.option(
    "--token",
    help="With --watch and --kamailio-rpc: a read-write API token of the blocking provider; "
    "report Kamailio's blocked calls to the portal. Default: blocker_report_token.",
)
@pass_settings
def export(
    settings: Settings,
    fmt: str,
    out: Path,
    portal: str | None,
    list_file: Path | None,
    public_key: str | None,
    trust_on_first_use: bool,
    watch: bool,
    interval: float,
    rpc_socket: Path | None,
    cache: Path | None,
    token: str | None,
) -> None:
    """Write the verified block list as Kamailio htable and permissions tables (db_text),
    for the config in contrib/kamailio/blocking/ (docs/blocking.md)."""
    from robotrace.logs import configure_logging

    if bool(portal) == bool(list_file):
        raise click.UsageError("give exactly one of --portal and --list-file")
    if watch and not portal:
        raise click.UsageError("--watch needs --portal")
    configure_logging(settings)
    key = blocking_command._public_key(settings, portal, public_key, trust_on_first_use)
    trunks = blocking_command.trunks_from_settings(settings)
    exporter = _exporter(out, trunks, rpc_socket, blocking_command.policy_from_settings(settings))
    if watch:
        assert portal is not None
        _watch(settings, portal, key, _state(cache, key), exporter, interval, token)
        return
    _export_once(exporter, _one_list(portal, list_file, key))


def _exporter(out: Path, trunks: Any, rpc_socket: Path | None, policy: Policy) -> Exporter:
    from robotrace.blocking.kamailio.tables import UnsupportedTrunkTable, trunk_rows
    from robotrace.blocking.kamailio.watch import Exporter

    try:
        trunk_rows(trunks, frozenset())
    except UnsupportedTrunkTable as exc:
        raise click.UsageError(f"blocker_trunks_file: {exc}") from None
    return Exporter(out, policy, trunks, rpc_socket)


def _state(cache: Path | None, key: Ed25519PublicKey) -> ListState:
    from robotrace.blocking.refresh import ListState, restore

    state = ListState(cache=cache)
    restore(state, key)
    return state


def _one_list(portal: str | None, list_file: Path | None, key: Ed25519PublicKey) -> LoadedBlocklist:
    """The list from the portal or the saved file, its signature checked."""
    import httpx

    from robotrace.blocking.listfile import BlocklistRejected

    if list_file is not None:
        blocklist = _state(list_file, key).blocklist
        if blocklist is None:
            raise click.ClickException(
                f"{list_file}: not a list robotrace blocker saved, or its signature does not "
                "verify with this key"
            )
        return blocklist
    try:
        return blocking_command._load_list(portal, None, key)
    except (httpx.HTTPError, BlocklistRejected) as exc:
        raise click.ClickException(f"the portal's list: {exc}") from None


def _export_once(exporter: Exporter, blocklist: LoadedBlocklist) -> None:
    from robotrace.blocking.kamailio.rpc import RpcError

    changed = exporter.export(blocklist)
    try:
        exporter.reload()
    except RpcError as exc:
        raise click.ClickException(
            f"the tables are written; Kamailio did not reload: {exc}"
        ) from None
    names = ", ".join(changed) or "unchanged"
    click.echo(f"list version {blocklist.version} → {exporter.folder}: {names}", err=True)


def _watch(
    settings: Settings,
    portal: str,
    key: Ed25519PublicKey,
    state: ListState,
    exporter: Exporter,
    interval: float,
    token: str | None,
) -> None:
    from robotrace.blocking.counts import BlockCounts
    from robotrace.blocking.kamailio.counts import KamailioCounter
    from robotrace.blocking.kamailio.watch import watch

    counter = None
    tasks = []
    if exporter.socket is not None:
        counter = KamailioCounter(exporter.socket, BlockCounts())
        reporter = _reporter(settings, portal, token, counter.counts)
        if reporter is not None:
            tasks.append(reporter.run_forever())
    click.echo(f"exporting {portal}'s list to {exporter.folder} every {interval:g} s", err=True)

    async def run() -> None:
        await asyncio.gather(watch(portal, key, state, exporter, interval, counter), *tasks)

    asyncio.run(run())


def _reporter(
    settings: Settings, portal: str, token: str | None, counts: BlockCounts
) -> CountsReporter | None:
    """Kamailio's counts are reported under the blocker's name + ``-kamailio``: a host that
    runs both reports two sets of periods that never overlap."""
    from robotrace.blocking.report import CountsReporter

    token = token or settings.blocker_report_token
    if not token:
        return None
    name = (settings.blocker_name or socket.gethostname()) + "-kamailio"
    return CountsReporter(portal, token, name, counts, settings.blocker_report_interval)


#: ``robotrace blocker``: serve (its options), or ``robotrace blocker export …``.
blocker = ServingGroup(blocking_command.blocker)
blocker.add_command(export)
