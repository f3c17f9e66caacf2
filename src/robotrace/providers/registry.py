"""Providers: one company each, under robotrace's own key, known by any of its identifiers.

The traceback consortium knows a provider by name, RMD number and FRN; STIR/SHAKEN knows it
by OCN (its Service Provider Code). Many resellers and most foreign upstreams have no OCN,
and the FCC's public RMD export has no OCN column, so no identifier is required: robotrace
gives every provider a stable ``key`` (see :mod:`robotrace.providers.identity`).

This module reads and writes robotrace's own ``providers.csv`` (the older format: RMD
columns plus ``ocn`` and ``contact_email``, every identifier optional). The FCC's export as
published is read by :mod:`robotrace.providers.rmd`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from robotrace.csvlines import MAX_FIELD_CHARS, allow_long_fields, first_bad_utf8_line
from robotrace.providers.identity import (
    IdentifierError,
    clean_frn,
    clean_ocn,
    clean_rmd_number,
    default_key,
)
from robotrace.providers.rmd import yes_no_of
from robotrace.rows import BadRowsError, RowError

RMD_COLUMNS = (
    "rmd_number",
    "frn",
    "business_name",
    "foreign_voice_provider",
    "country",
    "implementation",
    "voice_service_provider_choice",
    "gateway_provider_choice",
    "intermediate_provider_choice",
    "last_recertified",
)
PROVIDER_COLUMNS = (*RMD_COLUMNS, "ocn", "contact_email")

IMPLEMENTATIONS = (
    "Complete STIR/SHAKEN Implementation",
    "Partial STIR/SHAKEN Implementation",
    "No STIR/SHAKEN Implementation",
)


@dataclass(frozen=True)
class Provider:
    """A provider. ``key`` is robotrace's own; in an import it may be "" (the store then
    chooses: the first OCN, else the first RMD number, else a new ``RT-`` key).

    The read model of a provider's registry record: the API's ``ProviderOut`` takes its
    fields from it, with the ``description`` a field's metadata gives
    (docs/architecture.md#read-models)."""

    key: str = field(
        metadata={"description": "robotrace's own key (an OCN, an RMD number or RT-…)"}
    )
    business_name: str = ""
    country: str = "United States"
    foreign: bool = False
    rmd_numbers: tuple[str, ...] = ()
    frns: tuple[str, ...] = ()
    ocns: tuple[str, ...] = field(
        default=(),
        metadata={"description": "OCNs, which are also STIR/SHAKEN SPCs; may be empty"},
    )
    #: Other names: DBAs, previous DBAs, names other providers called it by.
    other_names: tuple[str, ...] = field(
        default=(), metadata={"description": "DBAs, previous names, names others used"}
    )
    business_address: str = ""
    implementation: str = ""
    voice_service_provider: bool = True
    gateway_provider: bool = False
    intermediate_provider: bool = False
    last_recertified: str = ""
    contact_email: str = ""
    rmd_contact: dict[str, str] = field(
        default_factory=dict,
        compare=True,
        hash=False,
        metadata={"description": "the RMD's robocall mitigation contact"},
    )

    @property
    def ocn(self) -> str:
        """The first OCN (= STIR/SHAKEN SPC), or "" for a provider without one."""
        return self.ocns[0] if self.ocns else ""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.business_name, *self.other_names) if self.business_name else self.other_names

    def identifiers(self) -> list[tuple[str, str]]:
        """``(kind, value)`` for every RMD number, FRN and OCN: what identifies it uniquely."""
        return [
            *(("rmd", v) for v in self.rmd_numbers),
            *(("frn", v) for v in self.frns),
            *(("ocn", v) for v in self.ocns),
        ]

    def to_row(self) -> dict[str, str]:
        """The provider as one ``providers.csv`` row (its first RMD number, FRN and OCN)."""
        yes_no = {True: "Yes", False: "No"}
        return {
            "rmd_number": self.rmd_numbers[0] if self.rmd_numbers else "",
            "frn": self.frns[0] if self.frns else "",
            "business_name": self.business_name,
            "foreign_voice_provider": yes_no[self.foreign],
            "country": self.country,
            "implementation": self.implementation,
            "voice_service_provider_choice": yes_no[self.voice_service_provider],
            "gateway_provider_choice": yes_no[self.gateway_provider],
            "intermediate_provider_choice": yes_no[self.intermediate_provider],
            "last_recertified": self.last_recertified,
            "ocn": self.ocn,
            "contact_email": self.contact_email,
        }

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _one(value: str | None, clean: Callable[[str], str]) -> tuple[str, ...]:
    text = (value or "").strip()
    return (clean(text),) if text else ()


def provider_from_row(row: dict[str, str]) -> Provider:
    """One ``providers.csv`` row → :class:`Provider`; raises ``ValueError`` with the reason.
    A row needs a business name; identifiers are optional, and the key is the one they give
    (:func:`~robotrace.providers.identity.default_key`; "" leaves it to the store)."""
    name = (row.get("business_name") or "").strip()
    if not name:
        raise ValueError("business_name is empty")
    try:
        ocns = _one(row.get("ocn"), clean_ocn)
        rmd_numbers = _one(row.get("rmd_number"), clean_rmd_number)
        frns = _one(row.get("frn"), clean_frn)
    except IdentifierError as exc:
        raise ValueError(str(exc)) from None
    provider = Provider(
        key="",
        business_name=name,
        country=(row.get("country") or "").strip() or "United States",
        foreign=yes_no_of(row.get("foreign_voice_provider") or "", "foreign_voice_provider"),
        rmd_numbers=rmd_numbers,
        frns=frns,
        ocns=ocns,
        implementation=(row.get("implementation") or "").strip(),
        voice_service_provider=yes_no_of(
            row.get("voice_service_provider_choice") or "", "voice_service_provider_choice"
        ),
        gateway_provider=yes_no_of(
            row.get("gateway_provider_choice") or "", "gateway_provider_choice"
        ),
        intermediate_provider=yes_no_of(
            row.get("intermediate_provider_choice") or "", "intermediate_provider_choice"
        ),
        last_recertified=(row.get("last_recertified") or "").strip(),
        contact_email=(row.get("contact_email") or "").strip(),
    )
    return replace(provider, key=default_key(provider))


def read_providers_csv(path: Path) -> list[Provider]:
    """Read robotrace's own ``providers.csv``; every bad row is reported, and then nothing
    is returned. An identifier given twice in the file is a bad row."""
    providers: list[Provider] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    allow_long_fields()
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = _records(reader, path)
        if "business_name" not in (reader.fieldnames or []):
            raise BadRowsError([RowError(str(path), 1, "missing column(s): business_name")])
        for line, row in rows:
            try:
                _check_lengths(row)
                provider = provider_from_row(row)
            except ValueError as exc:
                errors.append(RowError(str(path), line, str(exc)))
                continue
            repeated = [i for i in provider.identifiers() if i in seen]
            if repeated:
                kind, value = repeated[0]
                said = f"{kind} {value} repeats line {seen[repeated[0]]}"
                errors.append(RowError(str(path), line, said))
                continue
            seen.update(dict.fromkeys(provider.identifiers(), line))
            providers.append(provider)
    if errors:
        raise BadRowsError(errors)
    return providers


def _check_lengths(row: dict[str, str]) -> None:
    for column, value in row.items():
        if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
            raise ValueError(
                f"{column} has {len(value):,} characters, more than {MAX_FIELD_CHARS:,}"
            )


def _records(reader: csv.DictReader[str], path: Path) -> list[tuple[int, dict[str, str]]]:
    """Every record with its number (the header being 1); a file that is not UTF-8, or not
    CSV, is a :class:`BadRowsError` at the line where that shows."""
    try:
        return list(enumerate(reader, start=2))
    except UnicodeDecodeError:
        line = first_bad_utf8_line(path) or 1
        said = "not a UTF-8 CSV file: this line is not valid UTF-8"
        raise BadRowsError([RowError(str(path), line, said)]) from None
    except csv.Error as exc:
        # line_num counts the lines read before the one that failed
        said = f"not a CSV file: {exc}"
        raise BadRowsError([RowError(str(path), reader.line_num + 1, said)]) from None


def write_providers_csv(path: Path, providers: Iterable[Provider]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=PROVIDER_COLUMNS)
        writer.writeheader()
        for provider in providers:
            writer.writerow(provider.to_row())


def by_key(providers: Iterable[Provider]) -> dict[str, Provider]:
    return {p.key: p for p in providers}


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"[^@\s<>\"',;]{{1,64}}@{_LABEL}(?:\.{_LABEL})+")
_PHONE = re.compile(r"[0-9+()./ x-]{3,40}")


def _plain(text: str, what: str, limit: int, required: bool = False) -> str:
    value = " ".join(text.split())
    if required and not value:
        raise ValueError(f"{what} is required")
    if len(value) > limit:
        raise ValueError(f"{what} is longer than {limit} characters")
    if any(not c.isprintable() or c in "<>" for c in value):
        raise ValueError(f"{what} may not hold markup or control characters")
    return value


def named_provider(
    name: str,
    *,
    country: str = "",
    foreign: bool = False,
    contact_email: str = "",
    contact_phone: str = "",
    ocn: str = "",
    rmd_number: str = "",
    frn: str = "",
) -> Provider:
    """A provider that a downstream provider names as its upstream (portal form and API
    alike): a name and a way to reach it are enough; any OCN, RMD number or FRN given is
    checked as such. Raises ``ValueError`` saying what is wrong."""
    email = contact_email.strip()
    if email and not (_EMAIL.fullmatch(email) and len(email) <= 254):
        raise ValueError(f"not an e-mail address: {email[:60]!r}")
    phone = contact_phone.strip()
    if phone and not _PHONE.fullmatch(phone):
        raise ValueError(f"not a telephone number: {phone[:60]!r}")
    try:
        ocns, rmd_numbers, frns = (
            _one(ocn, clean_ocn), _one(rmd_number, clean_rmd_number), _one(frn, clean_frn)
        )  # fmt: skip
    except IdentifierError as exc:
        raise ValueError(str(exc)) from None
    return Provider(
        key="",
        business_name=_plain(name, "the provider's name", 200, required=True),
        country=_plain(country, "the country", 100) or "United States",
        foreign=foreign,
        ocns=ocns,
        rmd_numbers=rmd_numbers,
        frns=frns,
        contact_email=email,
        rmd_contact={"telephone": phone} if phone else {},
    )
