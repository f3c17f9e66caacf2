"""Reading the public number-assignment reports of the North American Numbering Plan: who a
telephone number's block was given to, for Trace Forward (docs/formats.md, "Number blocks").

Two reports, told apart by their header:

- **Central office codes** (NANPA's "Central Office Code Assignment Records", ``allutlzd.txt``):
  tab-separated, one row per NPA-NXX — ``State``, ``NPA-NXX``, ``OCN``, ``Company``,
  ``RateCenter``, ``EffectiveDate``, ``Use``, ``AssignDate``, ``Initial/Growth``, ``Pooled
  Code`` and a last column that names the file's date. A code holds 10,000 numbers.
- **Thousands blocks** (the Pooling Administrator's block report by region,
  ``AllBlocksAugmentedReport.txt``): comma-separated, one row per NPA-NXX-X — ``Region``,
  ``State``, ``NPA``, ``NXX``, ``X``, ``STATUS``, ``Code Holder``, ``Contaminated (Y or N)``,
  …, ``Rate Center``, ``Block Effective Date``, ``Block Available Date``, ``Assigned To``,
  ``OCN``, ``Date Assigned``. A block holds 1,000 numbers of a pooled code.

Only assigned rows (``AS``) are kept; columns are found by name (case, spaces and
punctuation aside), in any order, and unknown ones are ignored. A bad row is reported with
its file and line and the whole file is refused (:class:`~robotrace.rows.BadRowsError`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from robotrace.providers.identity import IdentifierError, clean_ocn
from robotrace.rows import BadRowsError, RowError

CENTRAL_OFFICE_CODES = "nanpa-cocodes"
THOUSANDS_BLOCKS = "pooling-blocks"
FORMATS = (CENTRAL_OFFICE_CODES, THOUSANDS_BLOCKS)
#: A file's columns, by normalised header name, for each format.
_COLUMNS = {
    CENTRAL_OFFICE_CODES: {
        "code": "npa_nxx",
        "ocn": "ocn",
        "company": "company",
        "rate_center": "ratecenter",
        "state": "state",
        "status": "use",
        "effective": "effectivedate",
    },
    THOUSANDS_BLOCKS: {
        "npa": "npa",
        "nxx": "nxx",
        "x": "x",
        "ocn": "ocn",
        "company": "assigned_to",
        "rate_center": "rate_center",
        "state": "state",
        "status": "status",
        "effective": "block_effective_date",
    },
}
ASSIGNED = "AS"
NPA_NXX = re.compile(r"([2-9]\d\d)-?([2-9]\d\d)")
MAX_TEXT = 200


class NumberingFormatError(ValueError):
    """The file is neither of the two reports."""


@dataclass(frozen=True)
class NumberBlock:
    """Numbers starting with ``prefix`` (NPA-NXX: 6 digits; NPA-NXX-X: 7) were assigned to
    the carrier with operating company number ``ocn``."""

    prefix: str
    ocn: str
    company: str
    rate_center: str
    state: str
    effective_on: date | None
    source: str


@dataclass(frozen=True)
class BlockFile:
    """What a report held: its format, the assigned blocks and how many rows were not."""

    format: str
    blocks: list[NumberBlock]
    not_assigned: int


def normalised(header: str) -> str:
    """``Contaminated (Y or N)`` → ``contaminated_y_or_n``."""
    return re.sub(r"\W+", "_", header.strip().lower()).strip("_")


def format_of(header: list[str]) -> str:
    names = {normalised(h) for h in header}
    for name, columns in _COLUMNS.items():
        if set(columns.values()) <= names:
            return name
    raise NumberingFormatError(
        "not a number-assignment report: expected NANPA's central office code records "
        "(NPA-NXX, OCN, Company, Use, …) or the Pooling Administrator's block report "
        "(NPA, NXX, X, STATUS, OCN, Assigned To, …)"
    )


def read_number_blocks(path: Path, shown: str | None = None) -> BlockFile:
    """The assigned blocks of ``path``; :class:`BadRowsError` naming ``shown`` (default the
    path) when a row is bad, :class:`NumberingFormatError` when the header is neither."""
    shown = shown or str(path)
    text = _text_of(path, shown)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(rows, None)
    if header is None:
        raise BadRowsError([RowError(shown, 1, "the file is empty")])
    kind = format_of(header)
    index = {normalised(h): i for i, h in enumerate(header)}
    columns = {field: index[name] for field, name in _COLUMNS[kind].items()}
    blocks: dict[str, NumberBlock] = {}
    errors: list[RowError] = []
    not_assigned = 0
    for line, row in _numbered(rows):
        if not any(cell.strip() for cell in row):
            continue
        try:
            block = _block(kind, row, columns)
            if block is not None:
                _check_once(blocks.get(block.prefix), block)
        except ValueError as exc:
            errors.append(RowError(shown, line, str(exc)))
            continue
        if block is None:
            not_assigned += 1
        else:
            blocks[block.prefix] = block
    if errors:
        raise BadRowsError(errors)
    return BlockFile(kind, list(blocks.values()), not_assigned)


def _text_of(path: Path, shown: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadRowsError([RowError(shown, line, "not UTF-8 text")]) from None


def _numbered(rows: Any) -> Iterator[tuple[int, list[str]]]:
    """Rows of a ``csv.reader`` whose header was read, with the physical line each starts on
    (a quoted field may span lines)."""
    start = rows.line_num + 1
    for row in rows:
        yield start, row
        start = rows.line_num + 1


def _block(kind: str, row: list[str], columns: dict[str, int]) -> NumberBlock | None:
    def cell(field: str) -> str:
        position = columns[field]
        return row[position].strip() if position < len(row) else ""

    if cell("status").upper() != ASSIGNED:
        return None
    prefix = _prefix(kind, cell)
    try:
        ocn = clean_ocn(cell("ocn"))
    except IdentifierError as exc:
        raise ValueError(f"OCN: {exc}") from None
    return NumberBlock(
        prefix=prefix,
        ocn=ocn,
        company=_text("company", cell("company")),
        rate_center=_text("rate center", cell("rate_center")),
        state=_text("state", cell("state"))[:8],
        effective_on=_date(cell("effective")),
        source=kind,
    )


def _prefix(kind: str, read: Callable[[str], str]) -> str:
    if kind == CENTRAL_OFFICE_CODES:
        code = read("code")
        match = NPA_NXX.fullmatch(code)
        if match is None:
            raise ValueError(f"NPA-NXX {code[:20]!r} is not two 3-digit codes from 200 to 999")
        return match.group(1) + match.group(2)
    npa, nxx, x = read("npa"), read("nxx"), read("x")
    match = NPA_NXX.fullmatch(f"{npa}{nxx}")
    if match is None:
        raise ValueError(f"NPA {npa[:10]!r} NXX {nxx[:10]!r}: each is 3 digits from 200 to 999")
    if not (len(x) == 1 and x.isdigit()):
        raise ValueError(f"X {x[:10]!r} is not one digit")
    return f"{npa}{nxx}{x}"


def _text(what: str, value: str) -> str:
    if len(value) > MAX_TEXT:
        raise ValueError(f"{what} is longer than {MAX_TEXT} characters")
    if not value.isprintable():
        raise ValueError(f"{what} holds control characters")
    return value


def _date(value: str) -> date | None:
    """``MM/DD/YYYY``, with or without a time after it, as the reports write them; blank is
    no date."""
    if not value:
        return None
    day = value.split()[0]
    try:
        return datetime.strptime(day, "%m/%d/%Y").date()
    except ValueError:
        raise ValueError(f"date {value[:30]!r} is not MM/DD/YYYY") from None


def _check_once(earlier: NumberBlock | None, block: NumberBlock) -> None:
    if earlier is not None and earlier.ocn != block.ocn:
        raise ValueError(
            f"block {block.prefix} is assigned twice, to OCN {earlier.ocn} and {block.ocn}"
        )
