"""The tables as a Kamailio ``db_text`` database: one file per table in one folder.

Kamailio's ``htable`` module loads a table from a database at start (``dbtable=``) and again
on the RPC command ``htable.reload``; ``permissions`` reloads its address table on
``permissions.addressReload``. ``db_text`` (``db_url`` ``text:///folder``) reads a table file
again when its modification time changed, so writing a file and asking for a reload is all it
takes. Each file is written whole — a temporary file renamed over the old one — so Kamailio
reads the old table or the new one, never half; an unchanged table is not rewritten.

File format (Kamailio's db_text): a header line of ``column(type)`` names, then one row per
line, columns separated by ``:``; a ``:`` or ``\\`` inside a value is escaped with ``\\``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from robotrace.blocking.kamailio.tables import Tables
from robotrace.files import write_whole

#: htable's database columns (its defaults): key type 0 is a plain key, value type 0 a string.
HTABLE_HEADER = "key_name(string) key_type(int) value_type(int) key_value(string) expires(int)"
#: permissions' address table (version 6, Kamailio 5.x).
ADDRESS_HEADER = "id(int,auto) grp(int) ip_addr(string) mask(int) port(int) tag(string,null)"
VERSIONS = {"rtaddress": 6, "rtallow": 2, "rtblock": 2, "rtgroups": 2, "rtwhy": 2}
#: The permissions group every robotrace trunk row is in.
ADDRESS_GROUP = 1
_ESCAPES = str.maketrans({"\\": "\\\\", ":": "\\:", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def escape(value: str) -> str:
    if "\0" in value:
        raise ValueError(f"a NUL cannot go into a db_text table: {value!r:.60}")
    return value.translate(_ESCAPES)


def htable_text(rows: Mapping[str, str]) -> str:
    lines = [HTABLE_HEADER, *(f"{escape(k)}:0:0:{escape(v)}:0" for k, v in sorted(rows.items()))]
    return "\n".join(lines) + "\n"


def address_text(tables: Tables) -> str:
    lines = [ADDRESS_HEADER]
    for number, row in enumerate(tables.addresses, start=1):
        # An empty tag would be NULL: "-" names no upstream (an SBC that carries only tgrp).
        tag = escape(row.tag or "-")
        lines.append(f"{number}:{ADDRESS_GROUP}:{row.network}:{row.prefixlen}:0:{tag}")
    return "\n".join(lines) + "\n"


def version_text() -> str:
    rows = (f"{name}:{version}" for name, version in sorted(VERSIONS.items()))
    return "\n".join(["table_name(string) table_version(int)", *rows]) + "\n"


def table_texts(tables: Tables) -> dict[str, str]:
    """Every file of the database: table name → its whole text."""
    return {
        "rtblock": htable_text(tables.block),
        "rtwhy": htable_text(tables.why),
        "rtallow": htable_text(tables.allow),
        "rtgroups": htable_text(tables.groups),
        "rtaddress": address_text(tables),
        "version": version_text(),
    }


def write_database(folder: Path, tables: Tables) -> list[str]:
    """Write the tables into ``folder`` (made if missing); the names of those that changed,
    which are the ones Kamailio must reload."""
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in table_texts(tables).items():
        path = folder / name
        old = path.stat().st_mtime if path.exists() else None
        if old is not None and path.read_text(encoding="utf-8") == text:
            continue
        write_whole(path, text)
        _newer_than(path, old)
        changed.append(name)
    return changed


def _newer_than(path: Path, old: float | None) -> None:
    """db_text compares whole seconds of the modification time and reloads only when it
    grew: a table rewritten within the second of its last version gets the next second."""
    if old is not None and int(path.stat().st_mtime) <= int(old):
        os.utime(path, (int(old) + 1, int(old) + 1))


def htable_names(changed: Iterable[str]) -> list[str]:
    """Of the changed files, the htables (the others reload through another command)."""
    return [name for name in changed if name not in ("rtaddress", "version")]
