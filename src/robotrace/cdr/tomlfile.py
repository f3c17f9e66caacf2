"""TOML files robotrace reads (trunk maps, CDR mapping files), with line numbers for errors.

``tomllib`` says where a syntax error is but gives no position for values, so
:class:`TomlLines` finds the line of a key or of a ``[[table]]`` header in the text itself.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from robotrace.rows import BadRowsError, RowError


def load_toml(path: str | Path) -> tuple[dict[str, Any], TomlLines]:
    """The parsed file and its lines; :class:`BadRowsError` (at its line) if it is not
    UTF-8 TOML."""
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadRowsError([RowError(shown, 1, "not valid UTF-8")]) from None
    return parse_toml(text, shown)


def parse_toml(text: str, shown: str) -> tuple[dict[str, Any], TomlLines]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else 1
        raise BadRowsError([RowError(shown, line, f"not TOML: {exc}")]) from None
    return data, TomlLines(text)


class TomlLines:
    """Where keys and table headers are in a TOML text."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()

    def headers(self, name: str) -> list[int]:
        """The lines of every ``[name]`` or ``[[name]]`` header, in order."""
        pattern = re.compile(rf"\s*\[\[?\s*{re.escape(name)}\s*\]\]?")
        return [n for n, line in enumerate(self._lines, 1) if pattern.match(line)]

    def key(self, key: str, start: int = 1, stop: int | None = None) -> int:
        """The first line from ``start`` to ``stop`` that sets ``key``; ``start`` if none."""
        pattern = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=")
        last = min(stop or len(self._lines), len(self._lines))
        for n in range(start, last + 1):
            if pattern.match(self._lines[n - 1]):
                return n
        return start

    def key_in_table(self, header: int, key: str) -> int:
        """The line setting ``key`` in the table whose header is at line ``header``."""
        later = [
            n for n, line in enumerate(self._lines, 1) if n > header and re.match(r"\s*\[", line)
        ]
        return self.key(key, header, (later[0] - 1) if later else None)
