"""One state vocabulary for complaint statistics, and the states' populations.

The FTC's Do Not Call data names the consumer's state in full (``Consumer_State``:
``New York``), the FCC's open data by its USPS code (``state``: ``NY``); reports use the
FTC's names. :func:`state_names` maps every spelling either uses — names and codes of the
50 states, the District of Columbia, Puerto Rico and the other territories, in any case — to
the full name, from the ``us`` package's table of USPS codes and names. A value it does not
know is left as written: it is still counted, but has no population.

:func:`populations` reads the Census Bureau's Vintage 2024 estimates of July 1, 2024
(table NST-EST2024-POP), shipped as ``data/state_population_2024.csv``: the denominator of
complaints per 100,000 residents, as the FTC's Do Not Call Data Book ranks states.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: How the Census table was published: said wherever a rate is shown.
POPULATION_SOURCE = (
    "U.S. Census Bureau, Vintage 2024 population estimates (NST-EST2024-POP), July 1, 2024"
)
POPULATION_FILE = "state_population_2024.csv"

#: Spellings the ``us`` table lacks: the FTC and the report form write "U.S. Virgin Islands".
_ALIASES = {
    "u.s. virgin islands": "Virgin Islands",
    "us virgin islands": "Virgin Islands",
    "united states virgin islands": "Virgin Islands",
    "washington dc": "District of Columbia",
    "washington, dc": "District of Columbia",
    "washington, d.c.": "District of Columbia",
    "d.c.": "District of Columbia",
}


@dataclass(frozen=True)
class Population:
    code: str
    name: str
    residents: int


@cache
def state_names() -> dict[str, str]:
    """Every known spelling (lower case) → the state's full name."""
    import us  # ~0.1 s to import: only when statistics are computed

    places = [*us.states.STATES_AND_TERRITORIES, us.states.DC]
    names = {p.name.lower(): p.name for p in places}
    names |= {p.abbr.lower(): p.name for p in places}
    return names | _ALIASES


def state_name(value: str | None) -> str | None:
    """The full name of a state written either way; None for none; unknown text as written."""
    text = " ".join((value or "").split())
    if not text:
        return None
    return state_names().get(text.lower(), text)


@cache
def populations() -> dict[str, Population]:
    """Full name → the state's population on July 1, 2024 (50 states, DC, Puerto Rico)."""
    text = resources.files("robotrace.stats").joinpath("data", POPULATION_FILE).read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    found = (Population(r["code"], r["name"], int(r["population"])) for r in rows)
    return {p.name: p for p in found}
