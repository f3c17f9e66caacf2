"""The ``robotrace`` command line: a thin layer that wires commands to the parts.

Commands are imported lazily so that ``robotrace --help`` is fast and one part's heavy
dependencies load only when that part runs.
"""

from __future__ import annotations

import click

from robotrace import __version__
from robotrace.registry import Registry
from robotrace.settings import SettingError, Settings

#: The commands, by name: each the "module:attribute" of a ``click.Command``.
COMMANDS: Registry[click.Command] = Registry(
    "command",
    click.Command,
    {
        "agent": "robotrace.agent.command:agent",
        "backup": "robotrace.store.command:backup_command",
        "blocker": "robotrace.blocking.kamailio.command:blocker",  # serving, and export
        "bulk-trace": "robotrace.bulk.command:bulk_trace",
        "calendar": "robotrace.calendar_command:calendar",
        "clock": "robotrace.clock_command:clock",
        "demo": "robotrace.demo.command:demo",
        "simulate": "robotrace.simulate.command:simulate",
        "trace": "robotrace.traceback.command:trace",
        "db": "robotrace.store.command:db",
        "declare-blocking": "robotrace.blocking.command:declare_blocking",
        "cdr": "robotrace.cdr.command:cdr",
        "evidence": "robotrace.evidence.command:evidence",
        "campaigns": "robotrace.campaigns.command:campaigns",
        "screen": "robotrace.blocking.command:screen",
        "numbering": "robotrace.numbering.command:numbering",
        "paths": "robotrace.paths.command:paths",
        "period-report": "robotrace.stats.command:period_report",
        "providers": "robotrace.providers.command:providers",
        "reports": "robotrace.reports.command:reports",
        "restore": "robotrace.store.command:restore_command",
        "serve": "robotrace.web.command:serve",
        "shaken": "robotrace.shaken.command:shaken",
        "stats": "robotrace.stats.command:stats",
        "tokens": "robotrace.accounts.command:tokens",
        "users": "robotrace.accounts.command:users",
        "worker": "robotrace.worker.command:worker",
    },
)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        # None lets click say "No such command" with its usage line.
        return COMMANDS.get(cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        # A bad ROBOTRACE_* value is the operator's to fix: name it, without a traceback.
        # The group's own callback reads them all (main), so a bad one stops every command.
        try:
            return super().invoke(ctx)
        except SettingError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            if _no_store(exc):  # a command that reads a store named one that is not there
                raise click.ClickException(str(exc)) from None
            if _database_unavailable(exc):  # e.g. serve or worker started before the database
                reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
                raise click.ClickException(f"the database is unavailable: {reason}") from None
            raise


def _no_store(error: Exception) -> bool:
    from robotrace.store.db import NoStore  # only now: --help stays fast

    return isinstance(error, NoStore)


def _database_unavailable(error: Exception) -> bool:
    from robotrace.store.db import is_unavailable  # only now: --help stays fast

    return is_unavailable(error)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="robotrace")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Trace illegal robocalls hop by hop to the providers that carry them."""
    # Read once, every value checked: a bad one stops here, named (LazyGroup.invoke).
    ctx.obj = Settings.from_environ()


if __name__ == "__main__":
    main()
