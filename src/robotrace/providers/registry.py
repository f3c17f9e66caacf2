"""Providers as the FCC Robocall Mitigation Database (RMD) export describes them.

``providers.csv`` has the RMD export columns plus ``ocn`` (the provider's Operating Company
Number, which is also its STIR/SHAKEN Service Provider Code) and ``contact_email``. Providers
are named by OCN everywhere in robotrace.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from robotrace.csvlines import first_bad_utf8_line
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
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Provider:
    ocn: str
    business_name: str
    country: str = "United States"
    foreign: bool = False
    rmd_number: str = ""
    frn: str = ""
    implementation: str = ""
    voice_service_provider: bool = True
    gateway_provider: bool = False
    intermediate_provider: bool = False
    last_recertified: str = ""
    contact_email: str = ""

    def to_row(self) -> dict[str, str]:
        """The provider as one ``providers.csv`` row."""
        yes_no = {True: "Yes", False: "No"}
        return {
            "rmd_number": self.rmd_number,
            "frn": self.frn,
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


PROVIDER_FIELDS = tuple(f.name for f in fields(Provider))


def _yes_no(value: str, column: str) -> bool:
    text = value.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"{column} must be Yes or No, not {value!r}")


def provider_from_row(row: dict[str, str]) -> Provider:
    """One ``providers.csv`` row → :class:`Provider`; raises ``ValueError`` with the reason."""
    ocn = (row.get("ocn") or "").strip().upper()
    if not ocn:
        raise ValueError("ocn is empty")
    name = (row.get("business_name") or "").strip()
    if not name:
        raise ValueError("business_name is empty")
    return Provider(
        ocn=ocn,
        business_name=name,
        country=(row.get("country") or "").strip() or "United States",
        foreign=_yes_no(row.get("foreign_voice_provider") or "", "foreign_voice_provider"),
        rmd_number=(row.get("rmd_number") or "").strip(),
        frn=(row.get("frn") or "").strip(),
        implementation=(row.get("implementation") or "").strip(),
        voice_service_provider=_yes_no(
            row.get("voice_service_provider_choice") or "", "voice_service_provider_choice"
        ),
        gateway_provider=_yes_no(
            row.get("gateway_provider_choice") or "", "gateway_provider_choice"
        ),
        intermediate_provider=_yes_no(
            row.get("intermediate_provider_choice") or "", "intermediate_provider_choice"
        ),
        last_recertified=(row.get("last_recertified") or "").strip(),
        contact_email=(row.get("contact_email") or "").strip(),
    )


def read_providers_csv(path: Path) -> list[Provider]:
    """Read ``providers.csv``; every bad row is reported, and then nothing is returned."""
    providers: list[Provider] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = _records(reader, path)
        missing = [c for c in ("ocn", "business_name") if c not in (reader.fieldnames or [])]
        if missing:
            raise BadRowsError([RowError(str(path), 1, f"missing column(s): {', '.join(missing)}")])
        for line, row in rows:
            try:
                provider = provider_from_row(row)
            except ValueError as exc:
                errors.append(RowError(str(path), line, str(exc)))
                continue
            if provider.ocn in seen:
                errors.append(
                    RowError(
                        str(path), line, f"ocn {provider.ocn} repeats line {seen[provider.ocn]}"
                    )
                )
                continue
            seen[provider.ocn] = line
            providers.append(provider)
    if errors:
        raise BadRowsError(errors)
    return providers


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


def by_ocn(providers: Iterable[Provider]) -> dict[str, Provider]:
    return {p.ocn: p for p in providers}


def iter_rows(providers: Iterable[Provider]) -> Iterator[dict[str, str]]:
    return (p.to_row() for p in providers)
