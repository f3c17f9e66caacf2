"""Tracebacks for people: Rich tables of a chain."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table


def print_chain(console: Console, summary: Mapping[str, object]) -> None:
    """A traceback's chain as a table, terminating provider first."""
    table = Table(title=f"{summary['id']}: {summary['outcome']}", title_justify="left")
    for column in ("#", "provider", "answer", "role", "upstream / customer"):
        table.add_column(column)
    hops = summary["hops"]
    assert isinstance(hops, list)
    for position, hop in enumerate(hops):
        named = hop["upstream"] or hop["customer"] or ""
        roles = ", ".join(hop["roles"])
        table.add_row(str(position), hop["provider"], str(hop["answer"]), roles, named)
    console.print(table)
