"""Where a CSV record is in its file: physical line numbers for the messages about bad rows.

pyarrow and DuckDB read CSV fast but say nothing about lines; these helpers find them, with
one streaming pass of Python's ``csv`` module, only when a file has something to report.
Call records (``robotrace.cdr.readers``) and evidence files (``robotrace.evidence``) share
them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from robotrace.rows import RowError

MAX_ERRORS_PER_FILE = 10_000
#: The longest field a registry row may hold: the FCC's export has free text of 15,000+
#: characters; past this a row is refused with its line.
MAX_FIELD_CHARS = 1_000_000
#: What Python's csv module is told to read (its default, 131,072, is below real exports'
#: fields); a field past it makes the whole file unreadable at that line.
CSV_FIELD_LIMIT = 16 * MAX_FIELD_CHARS


def allow_long_fields() -> None:
    """Let the csv module read fields up to :data:`CSV_FIELD_LIMIT` (a process-wide
    setting of the csv module; raised once, never lowered)."""
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)


def first_bad_utf8_line(path: Path) -> int | None:
    """The first line that is not valid UTF-8, or None."""
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def csv_records(path: Path, header: bool = True) -> Iterator[tuple[int, list[str]]]:
    """``(first physical line, fields)`` of every non-blank record after the header (every
    one, for a file without a header)."""
    with path.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.reader(stream)
        if header:
            next(reader, None)
        previous = reader.line_num
        for fields in reader:
            start, previous = previous + 1, reader.line_num
            if fields:
                yield start, fields


def bad_width_rows(path: Path, shown: str, width: int, header: bool = True) -> list[RowError]:
    """Every row whose number of fields differs from the header's (or the first row's)."""
    first = "the header has" if header else "the first row has"
    return [
        RowError(shown, line, f"has {len(fields)} fields, {first} {width}")
        for line, fields in csv_records(path, header)
        if len(fields) != width
    ][:MAX_ERRORS_PER_FILE]


def row_lines(
    path: Path, rows: int, width: int, wanted: list[int], header: bool = True
) -> dict[int, int]:
    """The physical line of each wanted 0-based row of the parsed table.

    With exactly one line per row (no quoted newlines, blank or left-out lines) it is
    ``row + 2`` (``row + 1`` without a header); otherwise one streaming pass of Python's
    ``csv`` module finds it — slow, but only for files that have bad rows and an unusual
    layout.
    """
    if _physical_lines(path) == rows + header:
        return {r: r + 1 + header for r in wanted}
    wanted_set, lines, index = set(wanted), {}, 0
    for line, fields in csv_records(path, header):
        if len(fields) != width:
            continue
        if index in wanted_set:
            lines[index] = line
        index += 1
    return lines


def _physical_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as stream:
        while chunk := stream.read(16 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")
