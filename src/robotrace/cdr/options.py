"""``--format`` and ``--trunk-map``: how a command is told its call records are a switch's own.

Shared by ``robotrace cdr check|import``, ``robotrace agent`` and ``robotrace paths``. Kept
light (click only) so that the commands' ``--help`` stays fast; the format modules load when
a command runs. A test checks that :data:`FORMAT_HELP` names every registered format.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from robotrace.cdr.switch import SwitchRecords

FORMAT_HELP = (
    "How the records are written: canonical (robotrace's CSV/Parquet), kamailio-dbtext, "
    "kamailio-csv, asterisk-csv, asterisk-odbc, freeswitch-csv, freeswitch-json, or a "
    "mapping file (.toml) for another export. See docs/formats.md."
)

FORMAT = click.option(
    "--format",
    "record_format",
    default="canonical",
    show_default=True,
    metavar="NAME|FILE.toml",
    help=FORMAT_HELP,
)
TRUNK_MAP = click.option(
    "--trunk-map",
    "trunk_map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The provider's trunk map (TOML): the upstream provider or own customer each "
    "source address, trunk, trunk group or account code stands for (switch formats).",
)


def switch_records(record_format: str, trunk_map: Path | None) -> SwitchRecords | None:
    """What the two options say: None for canonical records; a usage error for an unknown
    format or a trunk map without a switch format; the file's errors for a bad map or
    mapping file."""
    from robotrace.cdr.formats import format_named
    from robotrace.cdr.switch import SwitchRecords
    from robotrace.cdr.trunkmap import TrunkMap, load_trunk_map
    from robotrace.rows import BadRowsError

    try:
        fmt = format_named(record_format)
        if fmt is None:
            if trunk_map is not None:
                raise click.UsageError("--trunk-map goes with a switch --format")
            return None
        trunks = load_trunk_map(trunk_map) if trunk_map is not None else TrunkMap()
    except BadRowsError as exc:
        raise click.ClickException("\n".join(str(e) for e in exc.errors)) from None
    except (ValueError, OSError) as exc:
        raise click.UsageError(str(exc)) from None
    return SwitchRecords(fmt, trunks)
