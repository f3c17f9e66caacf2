"""Cells of the CSV files robotrace exports, safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and a
leading tab or carriage return can hide one), so text that providers or consumers wrote —
a provider's own name, a reason, a contact — could call ``HYPERLINK`` or DDE in the reader's
spreadsheet (OWASP "CSV Injection"). Such a cell gets a leading ``'``, which spreadsheets
show as text and do not run.

A ``+`` or ``-`` followed by digits and spaces only is a signed number, not a formula, and is
left alone: E.164 numbers (``+12025550143``) must stay machine-readable in the block list and
the FTC export. Digits, spaces and a sign cannot name a function or a reference.

Every CSV export writes its cells through :func:`safe_row` (the block list before it is
signed, so the signature covers the bytes served). Files robotrace writes as input for
itself (the simulator's worlds) are not exports and keep their values as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: The first characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-][0-9 ]*[0-9][0-9 ]*")


def safe_cell(value: str) -> str:
    """``value``, or ``'`` + ``value`` when a spreadsheet would run it as a formula."""
    if not value.startswith(FORMULA_STARTS) or _SIGNED_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """The row's cells for a CSV writer: text defused, None empty, numbers as they are."""
    return [safe_cell(v) if isinstance(v, str) else ("" if v is None else v) for v in values]
