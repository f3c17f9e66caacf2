"""Write docs/cli-reference.md from the commands' own ``--help`` (``--check`` compares)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from robotrace.cli import main

OUT = Path(__file__).resolve().parents[1] / "docs" / "cli-reference.md"


def _sections(command: click.Command, path: list[str]) -> list[str]:
    with click.Context(command, info_name=" ".join(path), terminal_width=100) as ctx:
        text = command.get_help(ctx)
    sections = [f"## `{' '.join(path)}`\n\n```\n{text}\n```\n"]
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                sections += _sections(sub, [*path, name])
    return sections


def reference() -> str:
    head = (
        "# CLI reference\n\nGenerated from `--help` by `scripts/cli_reference.py`; "
        "do not edit by hand. The guide is [cli.md](cli.md).\n\n"
    )
    return head + "\n".join(_sections(main, ["robotrace"]))


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(0 if OUT.read_text() == reference() else 1)
    OUT.write_text(reference())
