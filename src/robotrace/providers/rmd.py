"""The FCC's Robocall Mitigation Database (RMD) export, read exactly as the FCC publishes it.

The export has no OCN and no e-mail column: a filing is known by its RMD number, its FRN and
its names. Columns may come in any order, unknown columns are kept (``RmdFiling.extra``) and
free text may be of any length and in any script. Every bad row is reported as
``file:line: reason`` (all of a row's problems on one line; lines are physical lines, the
header being line 1); see ``docs/rmd-export.md``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Protocol, TextIO, TypeVar

from robotrace.csvlines import MAX_FIELD_CHARS, allow_long_fields, first_bad_utf8_line
from robotrace.providers.identity import IdentifierError, clean_frn, clean_rmd_number
from robotrace.rows import BadRowsError, RowError

T = TypeVar("T")


class _Reader(Protocol):
    """What :func:`csv.reader` returns."""

    line_num: int

    def __next__(self) -> list[str]: ...


RMD_EXPORT_COLUMNS: tuple[str, ...] = (
    "number",
    "frn",
    "business_name",
    "business_address",
    "foreign_voice_provider",
    "country",
    "other_frns",
    "other_dba_names",
    "previous_dba_names",
    "robocall_mitigation_contact_name",
    "contact_title",
    "contact_department",
    "contact_business_address",
    "contact_country",
    "contact_telephone_number",
    "contact_phone_extension",
    "implementation",
    "voice_service_provider_choice",
    "gateway_provider_choice",
    "intermediate_provider_choice",
    "last_updated",
    "filing_url",
    "last_recertified",
)
REQUIRED_COLUMNS = ("number", "business_name")
#: RmdContact field → the export's column.
CONTACT_COLUMNS = {
    "name": "robocall_mitigation_contact_name",
    "title": "contact_title",
    "department": "contact_department",
    "business_address": "contact_business_address",
    "country": "contact_country",
    "telephone": "contact_telephone_number",
    "extension": "contact_phone_extension",
}
#: The FCC's own spelling of each implementation level (the sample writes Yes/Partial/No).
FCC_IMPLEMENTATIONS = {
    "complete": "Complete STIR/SHAKEN Implementation",
    "partial": "Partial STIR/SHAKEN Implementation - Performing Robocall Mitigation",
    "none": "No STIR/SHAKEN Implementation - Performing Robocall Mitigation",
}
#: How :func:`write_rmd_export` spells a level when the raw text is unknown.
SHORT_IMPLEMENTATIONS = {"complete": "Yes", "partial": "Partial", "none": "No"}
_LEVEL_OF_FIRST_WORD = {
    "yes": "complete",
    "complete": "complete",
    "partial": "partial",
    "no": "none",
}

MAX_COLUMNS = 200

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}
_PLACEHOLDERS = {"none", "n/a", "-"}
_DIGIT_RUN = re.compile(r"[0-9]+")
_NAME_SEPARATOR = re.compile(r"[;\r\n]")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:$|[ T])")
_US_DAY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


@dataclass(frozen=True)
class RmdContact:
    """The filing's robocall mitigation contact (the export has no e-mail address)."""

    name: str = ""
    title: str = ""
    department: str = ""
    business_address: str = ""
    country: str = ""
    telephone: str = ""
    extension: str = ""


@dataclass(frozen=True)
class RmdFiling:
    """One filing of the export. ``line`` is where its record starts in the file read."""

    line: int
    number: str
    frn: str
    business_name: str
    business_address: str = ""
    foreign: bool = False
    country: str = ""
    other_frns: tuple[str, ...] = ()
    other_dba_names: tuple[str, ...] = ()
    previous_dba_names: tuple[str, ...] = ()
    contact: RmdContact = RmdContact()
    implementation: str = ""
    implementation_level: str = ""
    voice_service_provider: bool = False
    gateway_provider: bool = False
    intermediate_provider: bool = False
    last_updated: date | None = None
    last_recertified: date | None = None
    filing_url: str = ""
    extra: Mapping[str, str] = field(default_factory=dict, hash=False)

    def content(self) -> dict[str, object]:
        """Every field but ``line``, JSON-serialisable (dates as ISO strings, tuples as lists)."""
        kept = (f.name for f in fields(self) if f.name != "line")
        return {name: _json_value(getattr(self, name)) for name in kept}

    def content_hash(self) -> str:
        """sha256 (hex) of :meth:`content`: equal for equal filings wherever they were read."""
        text = json.dumps(self.content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RmdExport:
    filings: tuple[RmdFiling, ...]
    refused: tuple[RowError, ...]
    columns: tuple[str, ...]
    sha256: str


def _json_value(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, RmdContact):
        return asdict(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


# --- Values -------------------------------------------------------------------------------


def rmd_number_of(text: str, column: str = "number") -> str:
    """``RMD`` and 7 ASCII digits, upper case; ``ValueError`` otherwise (look-alikes too)."""
    value = text.strip()
    if not value:
        raise ValueError(f"{column} is empty")
    try:
        return clean_rmd_number(value)
    except IdentifierError:
        raise ValueError(f"{column} {value!r} is not an RMD number (RMD and 7 digits)") from None


def frn_of(text: str) -> str:
    """An FRN zero-padded to 10 digits, ``""`` for none; ``ValueError`` when malformed."""
    value = text.strip()
    if not value:
        return ""
    try:
        return clean_frn(value)
    except IdentifierError:
        raise ValueError(f"malformed FRN {value!r}") from None


def frns_in(text: str) -> tuple[str, ...]:
    """Every FRN written in free text: runs of 1 to 10 digits, zero-padded, in order, once."""
    runs = (run for run in _DIGIT_RUN.findall(text) if len(run) <= 10)
    return tuple(dict.fromkeys(run.zfill(10) for run in runs))


def names_in(text: str) -> tuple[str, ...]:
    """Names separated by ``;`` or new lines (commas occur inside names: "Acme, Inc.").

    "NONE", "N/A" and "-" (also as Excel writes them, ``'-``) are no name.
    """
    names = (name.strip() for name in _NAME_SEPARATOR.split(text))
    kept = (n for n in names if n and n.lstrip("'").strip().lower() not in _PLACEHOLDERS)
    return tuple(dict.fromkeys(kept))


def implementation_level_of(text: str) -> str:
    """``complete``, ``partial``, ``none`` or ``""`` (unknown) from Yes/Partial/No or the
    FCC's long strings ("Partial STIR/SHAKEN Implementation - …"), by their first word."""
    words = text.strip().lower().split(maxsplit=1)
    return _LEVEL_OF_FIRST_WORD.get(words[0], "") if words else ""


def yes_no_of(text: str, column: str) -> bool:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError(f"{column} must be Yes or No, not {text.strip()!r}")


def date_of(text: str, column: str) -> date | None:
    """``2024-02-23`` (a time after it is ignored), ``2/23/2024`` or ``""`` (None)."""
    value = text.strip()
    if not value:
        return None
    try:
        if _ISO_DAY.match(value):
            return datetime.fromisoformat(value).date()
        if found := _US_DAY.fullmatch(value):
            return date(int(found[3]), int(found[1]), int(found[2]))
    except ValueError:
        pass
    raise ValueError(f"{column} {value!r} is not a date")


def _required(text: str, column: str) -> str:
    value = text.strip()
    if not value:
        raise ValueError(f"{column} is empty")
    return value


# --- Reading ------------------------------------------------------------------------------


def is_rmd_export(fieldnames: Sequence[str]) -> bool:
    """Whether a header is the FCC export's (the old ``providers.csv`` has ``rmd_number``)."""
    return set(REQUIRED_COLUMNS) <= {column_key(name) for name in fieldnames}


def column_key(name: str) -> str:
    """A header name as matched: trimmed, without a byte-order mark, lower case."""
    return column_name(name).lower()


def column_name(name: str) -> str:
    """A header name as kept (``extra``): trimmed, without a byte-order mark."""
    return name.strip().lstrip("\ufeff").strip()


def read_rmd_export(path: Path, *, skip_bad_rows: bool = False) -> RmdExport:
    """Read an export. Any bad row raises :class:`BadRowsError` listing every one, unless
    ``skip_bad_rows``: then bad rows are in ``refused`` and the good ones are returned. A file
    that is empty, not UTF-8, not CSV or without ``number``/``business_name`` always raises."""
    allow_long_fields()
    with path.open("rb") as raw:
        digest = hashlib.file_digest(raw, "sha256").hexdigest()
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            header, filings, refused = _read_stream(stream, str(path))
    except UnicodeDecodeError:
        said = "not a UTF-8 CSV file: this line is not valid UTF-8"
        raise BadRowsError([RowError(str(path), first_bad_utf8_line(path) or 1, said)]) from None
    if refused and not skip_bad_rows:
        raise BadRowsError(refused)
    return RmdExport(tuple(filings), tuple(refused), tuple(header), digest)


def _read_stream(stream: TextIO, shown: str) -> tuple[list[str], list[RmdFiling], list[RowError]]:
    # NUL is dropped before csv sees it: it is never meant, and older csv modules refuse it
    reader = csv.reader((line.replace("\x00", "") for line in stream), strict=True)
    records = _numbered(reader, shown)
    header = _header(next(records, None), shown)
    layout = _Layout(header)
    filings: list[RmdFiling] = []
    refused: list[RowError] = []
    first_line: dict[str, int] = {}
    for line, values in records:
        filing, problems = _filing_of(line, values, layout)
        if filing is not None:
            problems += _repeats(filing.number, line, first_line)
        if problems:
            refused.append(RowError(shown, line, "; ".join(problems)))
        elif filing is not None:
            filings.append(filing)
    return header, filings, refused


def _numbered(reader: _Reader, shown: str) -> Iterator[tuple[int, list[str]]]:
    """``(first physical line, fields)`` of every record but blank lines; a CSV error is a
    :class:`BadRowsError` at the line where it shows."""
    previous = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BadRowsError([_csv_error(shown, exc, previous + 1, reader.line_num)]) from None
        start, previous = previous + 1, reader.line_num
        if values:
            yield start, values


def _csv_error(shown: str, exc: csv.Error, start: int, line_num: int) -> RowError:
    line = max(line_num, start)
    said = f"not a CSV file: {exc}"
    if line != start:
        said += f" (in the record that starts on line {start})"
    return RowError(shown, line, said)


def _header(first: tuple[int, list[str]] | None, shown: str) -> list[str]:
    if first is None:
        raise BadRowsError([RowError(shown, 1, "empty file: no header")])
    if first[0] != 1:
        raise BadRowsError([RowError(shown, 1, "line 1 is blank: the header must be on it")])
    header = first[1]
    problem = _header_problem(header)
    if problem:
        raise BadRowsError([RowError(shown, 1, problem)])
    return header


def _header_problem(header: list[str]) -> str:
    if len(header) > MAX_COLUMNS:
        return f"the header has {len(header)} columns, more than {MAX_COLUMNS}"
    keys = [column_key(name) for name in header]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        return f"column(s) named twice: {', '.join(repr(k) for k in twice)}"
    missing = [column for column in REQUIRED_COLUMNS if column not in keys]
    if missing:
        return f"missing column(s): {', '.join(missing)}"
    return ""


class _Layout:
    """Where each known column is in the header, and the unknown ones (kept as ``extra``)."""

    def __init__(self, header: list[str]) -> None:
        self.width = len(header)
        self.names = [column_key(name) for name in header]
        self.known = {key: i for i, key in enumerate(self.names) if key in RMD_EXPORT_COLUMNS}
        self.extra = [
            (column_name(name), i)
            for i, name in enumerate(header)
            if self.names[i] not in RMD_EXPORT_COLUMNS
        ]


def _filing_of(line: int, values: list[str], layout: _Layout) -> tuple[RmdFiling | None, list[str]]:
    """One record's filing (made of defaults where a value is bad) and its problems, all of
    them; no filing for a row of empty fields (``,,,``) or one of the wrong shape."""
    if not any(v.strip() for v in values):
        return None, []
    problem = _shape_problem(values, layout)
    if problem:
        return None, [problem]
    cells = _Cells({key: values[i] for key, i in layout.known.items()})
    filing = _build(line, cells, {name: values[i] for name, i in layout.extra})
    return filing, cells.problems


def _shape_problem(values: list[str], layout: _Layout) -> str:
    if len(values) > MAX_COLUMNS:
        return f"has {len(values)} fields, more than {MAX_COLUMNS} (the header has {layout.width})"
    if len(values) != layout.width:
        return f"has {len(values)} fields, the header has {layout.width}"
    for name, value in zip(layout.names, values, strict=True):
        if len(value) > MAX_FIELD_CHARS:
            return f"{name} has {len(value):,} characters, more than {MAX_FIELD_CHARS:,}"
    return ""


class _Cells:
    """One record's values by column, and the problems found reading them."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.problems: list[str] = []

    def text(self, column: str) -> str:
        return self.values.get(column, "").strip()

    def read(self, column: str, parse: Callable[[str, str], T], default: T) -> T:
        try:
            return parse(self.values.get(column, ""), column)
        except ValueError as exc:
            self.problems.append(str(exc))
            return default


def _build(line: int, cells: _Cells, extra: dict[str, str]) -> RmdFiling:
    implementation = cells.text("implementation")
    return RmdFiling(
        line=line,
        number=cells.read("number", rmd_number_of, ""),
        frn=cells.read("frn", lambda text, _: frn_of(text), ""),
        business_name=cells.read("business_name", _required, ""),
        business_address=cells.text("business_address"),
        foreign=cells.read("foreign_voice_provider", yes_no_of, False),
        country=cells.text("country"),
        other_frns=frns_in(cells.text("other_frns")),
        other_dba_names=names_in(cells.text("other_dba_names")),
        previous_dba_names=names_in(cells.text("previous_dba_names")),
        contact=RmdContact(**{key: cells.text(c) for key, c in CONTACT_COLUMNS.items()}),
        implementation=implementation,
        implementation_level=implementation_level_of(implementation),
        voice_service_provider=cells.read("voice_service_provider_choice", yes_no_of, False),
        gateway_provider=cells.read("gateway_provider_choice", yes_no_of, False),
        intermediate_provider=cells.read("intermediate_provider_choice", yes_no_of, False),
        last_updated=cells.read("last_updated", date_of, None),
        last_recertified=cells.read("last_recertified", date_of, None),
        filing_url=cells.text("filing_url"),
        extra=extra,
    )


def _repeats(number: str, line: int, first_line: dict[str, int]) -> list[str]:
    """The same number twice is a bad row, even where the first row is bad for another
    reason: which of the two is right is for a person to say."""
    if not number:
        return []
    if number in first_line:
        return [f"{number} repeats line {first_line[number]}"]
    first_line[number] = line
    return []


# --- Writing ------------------------------------------------------------------------------


def write_rmd_export(path: Path, filings: Iterable[RmdFiling]) -> None:
    """Write filings as the FCC does: :data:`RMD_EXPORT_COLUMNS`, then the filings' extra
    columns (sorted); Yes/No, ISO dates, the FRN without leading zeros, lists joined by "; "."""
    filings = list(filings)
    extra = sorted({name for filing in filings for name in filing.extra})
    _check_extra_columns(extra)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow([*RMD_EXPORT_COLUMNS, *extra])
        for filing in filings:
            row = export_row(filing)
            writer.writerow([*(row[c] for c in RMD_EXPORT_COLUMNS), *_extra_values(filing, extra)])


def export_row(filing: RmdFiling) -> dict[str, str]:
    """A filing's values under :data:`RMD_EXPORT_COLUMNS`, spelled as the FCC writes them."""
    yes_no = {True: "Yes", False: "No"}
    return {
        "number": filing.number,
        "frn": filing.frn.lstrip("0") or ("0" if filing.frn else ""),
        "business_name": filing.business_name,
        "business_address": filing.business_address,
        "foreign_voice_provider": yes_no[filing.foreign],
        "country": filing.country,
        "other_frns": "; ".join(filing.other_frns),
        "other_dba_names": "; ".join(filing.other_dba_names),
        "previous_dba_names": "; ".join(filing.previous_dba_names),
        **{column: getattr(filing.contact, key) for key, column in CONTACT_COLUMNS.items()},
        "implementation": filing.implementation
        or SHORT_IMPLEMENTATIONS.get(filing.implementation_level, ""),
        "voice_service_provider_choice": yes_no[filing.voice_service_provider],
        "gateway_provider_choice": yes_no[filing.gateway_provider],
        "intermediate_provider_choice": yes_no[filing.intermediate_provider],
        "last_updated": filing.last_updated.isoformat() if filing.last_updated else "",
        "filing_url": filing.filing_url,
        "last_recertified": filing.last_recertified.isoformat() if filing.last_recertified else "",
    }


def _extra_values(filing: RmdFiling, extra: list[str]) -> list[str]:
    return [filing.extra.get(name, "") for name in extra]


def _check_extra_columns(extra: list[str]) -> None:
    """Extra columns must read back as themselves: trimmed, unique and not a known column."""
    keys = [column_key(name) for name in extra]
    for name, key in zip(extra, keys, strict=True):
        if name != name.strip() or key in RMD_EXPORT_COLUMNS or keys.count(key) > 1:
            raise ValueError(f"extra column {name!r} would not read back as itself")
