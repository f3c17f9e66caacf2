"""The simulated world's provider registry, in the two files a real deployment works from.

- ``providers.csv``: the FCC's Robocall Mitigation Database export as published
  (:func:`robotrace.providers.rmd.write_rmd_export`): every provider's filing under its RMD
  number, with its FRN, names, address, robocall mitigation contact, STIR/SHAKEN
  implementation (the FCC's long strings or Yes/Partial/No) and dates. No OCN, no e-mail.
- ``provider-ids.csv``: what robotrace learns elsewhere, in its own older format
  (:func:`robotrace.providers.registry.write_providers_csv`): each provider's RMD number and
  FRN with its OCN (if it has one) and contact e-mail address.

:func:`load_world_providers` imports both into a store, ``provider-ids.csv`` first, so that
every provider's robotrace key is the simulator's key (its OCN, else its RMD number), the one
``truth.json``, the CDRs and the honeypot use. :func:`read_world_providers` joins the two
without a store, for the commands that read files only.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.providers.imports import RegistryImport, import_registry_file, registry_of_files
from robotrace.providers.registry import Provider, write_providers_csv
from robotrace.providers.rmd import (
    FCC_IMPLEMENTATIONS,
    SHORT_IMPLEMENTATIONS,
    RmdContact,
    RmdFiling,
    implementation_level_of,
    write_rmd_export,
)
from robotrace.simulate import names
from robotrace.simulate.network import SimProvider
from robotrace.simulate.numbering import NPA_PLACES

PROVIDERS_FILE = "providers.csv"
PROVIDER_IDS_FILE = "provider-ids.csv"
ACTOR = "robotrace:simulate"
FILING_URL = (
    "https://fccprod.servicenowservices.com/rmd?id=rmd_form"
    "&table=x_g_fmc_rmd_robocall_mitigation_database&sys_id={}&view=sp"
)
#: Share of filings whose implementation the export spells out ("Complete STIR/SHAKEN
#: Implementation"); the others say Yes, Partial or No.
LONG_IMPLEMENTATION_SHARE = 0.6
_STREETS = (
    "Main Street", "Broadway", "Commerce Drive", "Industrial Parkway", "Market Street",
    "Technology Boulevard", "Oak Avenue", "Corporate Center Drive",
)  # fmt: skip
_TITLES = (
    "CEO", "President", "Owner", "CTO", "General Manager", "Director of Regulatory Affairs",
    "Compliance Manager", "VP, Network Operations", "General Counsel",
)  # fmt: skip
_DEPARTMENTS = (
    "Executive", "Regulatory", "Legal", "Operations", "Engineering", "Compliance", "IT",
    "Network Operations Center",
)  # fmt: skip
_OLD_NOUNS = ("Networks", "Communications", "Voice Services", "Telecom Group")
#: country → (calling code, first digits of a number, street addresses with ``{n}``).
_FOREIGN_ADDRESSES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Germany": ("49", "221", ("Rheinstraße {n}, 50667 Köln", "Königsallee {n}, 40212 Düsseldorf")),
    "United Kingdom": ("44", "20", ("{n} Old Street, London EC1V 9HL",)),
    "India": ("91", "22", ("{n} Nariman Point, Mumbai 400021", "{n} MG Road, Bengaluru 560001")),
    "Philippines": ("63", "2", ("{n} Ayala Avenue, Makati City 1226",
                                "{n} Osmeña Boulevard, Cebu City 6000")),
    "Canada": ("1", "514", ("{n} Rue Sainte-Catherine Ouest, Montréal QC H3B 1A7",)),
    "Dominican Republic": ("1", "809", ("Av. Winston Churchill {n}, Santo Domingo 10148",)),
    "Pakistan": ("92", "21", ("{n} Shahrah-e-Faisal, Karachi 75400",)),
    "Netherlands": ("31", "20", ("Keizersgracht {n}, 1015 CJ Amsterdam",)),
    "Mexico": ("52", "55", ("Av. Insurgentes Sur {n}, Ciudad de México 03900",)),
    "Israel": ("972", "3", ("Rothschild Blvd {n}, Tel Aviv-Yafo 6688101",)),
}  # fmt: skip


# --- Writing ------------------------------------------------------------------------------


def write_registry(
    out: Path, providers: list[SimProvider], rng: random.Random, start: datetime
) -> None:
    """Write ``providers.csv`` (the RMD export) and ``provider-ids.csv`` into ``out``."""
    filings = [filing_of(rng, provider, start) for provider in providers]
    write_rmd_export(out / PROVIDERS_FILE, filings)
    write_providers_csv(
        out / PROVIDER_IDS_FILE,
        [ids_of(p.record, f) for p, f in zip(providers, filings, strict=True)],
    )


def ids_of(record: Provider, filing: RmdFiling) -> Provider:
    """The provider's row in ``provider-ids.csv``: its identifiers and e-mail address, and
    the attributes it shares with its filing, spelled as there (loading the two files in
    either order leaves the same attributes)."""
    return replace(record, implementation=filing.implementation)


def filing_of(rng: random.Random, provider: SimProvider, start: datetime) -> RmdFiling:
    """The provider's filing in the RMD, as the FCC's export lists it."""
    record = provider.record
    address, phone = _address(rng, record.country)
    recertified = date.fromisoformat(record.last_recertified)
    updated = recertified + timedelta(days=rng.randint(0, (start.date() - recertified).days - 1))
    return RmdFiling(
        line=0,
        number=record.rmd_numbers[0],
        frn=record.frns[0],
        business_name=record.business_name,
        business_address=address,
        foreign=record.foreign,
        country=record.country,
        other_dba_names=_dba_names(rng, record.business_name),
        previous_dba_names=_previous_names(rng, record.business_name),
        contact=_contact(rng, address, record.country, phone),
        implementation=_spelled(rng, record.implementation),
        implementation_level=implementation_level_of(record.implementation),
        voice_service_provider=record.voice_service_provider,
        gateway_provider=record.gateway_provider,
        intermediate_provider=record.intermediate_provider,
        last_updated=updated,
        last_recertified=recertified,
        filing_url=FILING_URL.format(f"{rng.getrandbits(128):032x}"),
    )


def _spelled(rng: random.Random, implementation: str) -> str:
    level = implementation_level_of(implementation)
    if rng.random() < LONG_IMPLEMENTATION_SHARE:
        return FCC_IMPLEMENTATIONS[level]
    return SHORT_IMPLEMENTATIONS[level]


def _address(rng: random.Random, country: str) -> tuple[str, str]:
    """A street address and a telephone number in ``country`` (US numbers are 555-01XX)."""
    n = rng.randint(10, 9999)
    if country in _FOREIGN_ADDRESSES:
        code, area, streets = _FOREIGN_ADDRESSES[country]
        if code == "1":
            return rng.choice(streets).format(n=n), f"+1 {area}-555-01{rng.randrange(100):02d}"
        digits = f"{rng.randrange(10**7):07d}"
        return rng.choice(streets).format(n=n), f"+{code} {area} {digits[:3]} {digits[3:]}"
    npa = rng.choice(sorted(NPA_PLACES))
    city, state = NPA_PLACES[npa]
    street = f"{n} {rng.choice(_STREETS)} {city} {state} {rng.randint(10000, 99999)}"
    line = f"01{rng.randrange(100):02d}"
    phone = rng.choice((f"{npa}555{line}", f"{npa}-555-{line}", f"({npa}) 555-{line}"))
    return street, phone


def _contact(rng: random.Random, address: str, country: str, phone: str) -> RmdContact:
    return RmdContact(
        name=names.full_name(rng),
        title=rng.choice(_TITLES),
        department=rng.choice(_DEPARTMENTS),
        business_address=address,
        country=country,
        telephone=phone,
        extension=str(rng.randint(100, 4999)) if rng.random() < 0.2 else "",
    )


def _dba_names(rng: random.Random, name: str) -> tuple[str, ...]:
    """Some filers list their trade name; some write NONE."""
    draw = rng.random()
    if draw < 0.3:
        return (names.trade_name(name),)
    return ("NONE",) if draw < 0.4 else ()


def _previous_names(rng: random.Random, name: str) -> tuple[str, ...]:
    if rng.random() < 0.1:
        return (f"{names.trade_name(name)} {rng.choice(_OLD_NOUNS)}",)
    return ()


# --- Loading ------------------------------------------------------------------------------


def load_world_providers(
    session: Session, out: Path, clock: Clock, actor: str = ACTOR
) -> list[RegistryImport]:
    """Import a simulated world's registry into the store (the caller commits):
    ``provider-ids.csv`` first, so that a provider with an OCN gets it as its key, then
    ``providers.csv`` (the export: matched by RMD number, it adds names, contacts and RMD
    status). A world written before ``provider-ids.csv`` existed has only ``providers.csv``
    in robotrace's own format; it is imported alone. Returns what each import did."""
    files = [out / name for name in (PROVIDER_IDS_FILE, PROVIDERS_FILE)]
    return [
        import_registry_file(session, path, actor=actor, clock=clock)
        for path in files
        if path.exists()
    ]


def read_world_providers(path: Path) -> list[Provider]:
    """A world's registry read without a store, keyed as the world's files name providers:
    ``path`` is a world's folder or its ``providers.csv``; ``provider-ids.csv`` beside it is
    read first (see :func:`load_world_providers`), through the same import as the store's
    (:func:`robotrace.providers.imports.registry_of_files`)."""
    out = path if path.is_dir() else path.parent
    main = path / PROVIDERS_FILE if path.is_dir() else path
    ids = out / PROVIDER_IDS_FILE
    return registry_of_files([ids, main] if ids.exists() and ids != main else [main])
