"""Plausible names: providers, their countries, originator customers and ordinary customers.

Names never contain a comma or a quote, so CDR rows need no CSV quoting.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable

_PLACES = (
    "Lakeshore", "Prairie", "Summit", "Bluegrass", "Cascade", "Keystone", "Granite", "Harbor",
    "Piedmont", "Red River", "Ozark", "Sierra", "Tidewater", "Heartland", "Frontier", "Liberty",
    "Palmetto", "Great Lakes", "Magnolia", "Canyon", "Evergreen", "Pioneer", "Riverbend",
    "Sagebrush", "Blue Ridge", "Gulf Coast", "Northstar", "Mesa", "Timberline", "Bayou",
)  # fmt: skip
_KIND_NOUNS = {
    "local": ("Telephone", "Telecom", "Communications", "Broadband", "Telco"),
    "wholesale": ("Voice Exchange", "Transit", "Wholesale Voice", "Carrier Services", "VoIP"),
    "gateway": ("Global Gateway", "International", "World Connect", "Interconnect"),
}
_US_SUFFIXES = ("LLC", "Inc", "Corp", "Co", "LP")

#: country → (ISO region, place words, company suffixes).
FOREIGN_COUNTRIES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "Germany": ("DE", ("Rhein", "Elbe", "Hansa", "Spree", "Bavaria"), ("GmbH", "AG")),
    "United Kingdom": ("GB", ("Thames", "Pennine", "Albion", "Mersey", "Clyde"), ("Ltd", "PLC")),
    "India": ("IN", ("Mumbai", "Deccan", "Ganga", "Kaveri", "Malabar"), ("Pvt Ltd",)),
    "Philippines": ("PH", ("Manila", "Luzon", "Visayas", "Cebu", "Mindanao"), ("Inc", "Corp")),
    "Canada": ("CA", ("Maple", "Laurentian", "Fraser", "Huron", "Yukon"), ("Inc", "Ltd")),
    "Dominican Republic": ("DO", ("Caribe", "Cibao", "Hispaniola", "Quisqueya"), ("SRL", "SA")),
    "Pakistan": ("PK", ("Indus", "Lahore", "Karakoram", "Punjab"), ("Pvt Ltd",)),
    "Netherlands": ("NL", ("Amstel", "Delta", "Zuider", "Maas"), ("BV",)),
    "Mexico": ("MX", ("Azteca", "Sonora", "Yucatan", "Baja"), ("SA de CV",)),
    "Israel": ("IL", ("Carmel", "Negev", "Galil", "Sharon"), ("Ltd",)),
}
_ALL_SUFFIXES = {*_US_SUFFIXES, *(s for _, _, ss in FOREIGN_COUNTRIES.values() for s in ss)}
_FOREIGN_NOUNS = ("Telecom", "Voice", "Telelink", "Callway", "Carrier", "Networks", "VoIP")

_OUTREACH_WORDS = (
    "Acme", "Apex", "Brightline", "Crestview", "Bluewave", "Silverleaf", "Northgate", "Primo",
    "Vantage", "Keystar", "Sunrise", "Ironwood", "Nova", "Pinnacle", "Redstone", "Zenith",
)  # fmt: skip
_OUTREACH_NOUNS = ("Outreach", "Marketing", "Dialer", "Connect", "Solutions", "Media", "Leads")
_OUTREACH_SUFFIXES = ("Ltd", "LLC", "Inc", "Pvt Ltd", "Group")
_SURNAMES = (
    "Patel", "Garcia", "Nguyen", "Miller", "Johnson", "Okafor", "Schmidt", "Rossi", "Kim",
    "Hernandez", "Walker", "Cohen", "Brooks", "Rivera", "Bennett", "Foster",
)  # fmt: skip
_BUSINESSES = (
    "Dental Care", "Family Medicine", "Auto Repair", "Insurance Agency", "Realty",
    "Plumbing", "Law Offices", "Pharmacy", "Veterinary Clinic", "Roofing",
)  # fmt: skip
_OCN_CHARS = string.digits + string.ascii_uppercase


def slug(name: str) -> str:
    """``"Lakeshore Telecom LLC"`` → ``"lakeshore-telecom-llc"``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def unique(pick: Callable[[], str], taken: set[str]) -> str:
    """Call ``pick()`` until it gives a name not in ``taken``; numbered after 50 tries."""
    for _ in range(50):
        name = pick()
        if name not in taken:
            taken.add(name)
            return name
    name = f"{pick()} {len(taken) + 1}"
    taken.add(name)
    return name


def ocn(rng: random.Random, taken: set[str]) -> str:
    """A 4-character OCN: a digit then three uppercase letters or digits (``7A2B``)."""
    return unique(
        lambda: rng.choice(string.digits[1:]) + "".join(rng.choices(_OCN_CHARS, k=3)),
        taken,
    )


def domestic_provider_name(rng: random.Random, kind: str, taken: set[str]) -> str:
    return unique(
        lambda: f"{rng.choice(_PLACES)} {rng.choice(_KIND_NOUNS[kind])} {rng.choice(_US_SUFFIXES)}",
        taken,
    )


def foreign_provider_name(rng: random.Random, country: str, taken: set[str]) -> str:
    _, places, suffixes = FOREIGN_COUNTRIES[country]
    return unique(
        lambda: f"{rng.choice(places)} {rng.choice(_FOREIGN_NOUNS)} {rng.choice(suffixes)}",
        taken,
    )


def originator_name(rng: random.Random, taken: set[str]) -> str:
    """The customer behind a campaign: ``"Acme Outreach Ltd"``."""
    return unique(
        lambda: " ".join(
            (
                rng.choice(_OUTREACH_WORDS),
                rng.choice(_OUTREACH_NOUNS),
                rng.choice(_OUTREACH_SUFFIXES),
            )
        ),
        taken,
    )


def ordinary_customers(rng: random.Random, count: int) -> list[str]:
    """Customers of a provider that place legitimate calls."""
    names = ["Residential subscriber"]
    names += [f"{rng.choice(_SURNAMES)} {rng.choice(_BUSINESSES)}" for _ in range(count - 1)]
    return names


def trade_name(name: str) -> str:
    """A company's name without its legal suffix: ``"Lakeshore Telecom LLC"`` →
    ``"Lakeshore Telecom"`` (a name without a known suffix is returned as it is)."""
    for suffix in sorted(_ALL_SUFFIXES, key=len, reverse=True):
        if name.endswith(" " + suffix):
            return name[: -len(suffix) - 1]
    return name


def person(rng: random.Random) -> str:
    return rng.choice(_FIRST_NAMES)


def full_name(rng: random.Random) -> str:
    """A person's first name and surname: ``"Melissa Okafor"``."""
    return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_SURNAMES)}"


_FIRST_NAMES = (
    "Daniel", "Melissa", "Susan", "Mary", "Kevin", "Amanda", "Steve", "Linda", "Jason", "Rachel",
    "Emily", "David", "Olivia", "Mark", "Sarah", "John",
)  # fmt: skip
