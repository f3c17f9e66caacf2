"""Telephone numbers of the synthetic network and the ways providers write them and times.

Inside the simulator a valid US number is its 10 national digits (``"2025550143"``); each
provider spells it in its own :data:`NUMBER_FORMATS` when it writes a CDR. Invalid spoofed
caller IDs (``"123"``) are written raw by everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

#: Area codes the subscribers live in, with the city and state used in complaints.
NPA_PLACES: dict[str, tuple[str, str]] = {
    "202": ("Washington", "DC"),
    "212": ("New York", "NY"),
    "312": ("Chicago", "IL"),
    "415": ("San Francisco", "CA"),
    "512": ("Austin", "TX"),
    "617": ("Boston", "MA"),
    "702": ("Las Vegas", "NV"),
    "919": ("Raleigh", "NC"),
    "305": ("Miami", "FL"),
    "404": ("Atlanta", "GA"),
    "206": ("Seattle", "WA"),
    "303": ("Denver", "CO"),
    "602": ("Phoenix", "AZ"),
    "713": ("Houston", "TX"),
    "215": ("Philadelphia", "PA"),
    "313": ("Detroit", "MI"),
    "612": ("Minneapolis", "MN"),
    "503": ("Portland", "OR"),
    "615": ("Nashville", "TN"),
    "816": ("Kansas City", "MO"),
}
#: Extra area codes that only spoofed caller IDs use.
SPOOF_ONLY_NPAS = ("201", "347", "469", "754", "786", "832", "917", "929", "248", "470")

#: Central-office codes avoided: N11 service codes and the fictional 555.
_RESERVED_NXX = frozenset({"211", "311", "411", "511", "611", "711", "811", "911", "555", "958"})

#: Lines at or above this number are honeypot lines; ordinary subscribers sit below it.
HONEYPOT_LINE_START = 9000

NUMBER_FORMATS = ("e164", "national", "nanp11", "dashed", "paren", "tel", "sip")
#: Formats only foreign providers use (``00`` is their international prefix).
FOREIGN_NUMBER_FORMATS = (*NUMBER_FORMATS, "intl00")


def random_nxx(rng_random: Callable[[], float]) -> str:
    """A central-office code 200–999 that is not reserved."""
    while True:
        nxx = str(200 + int(rng_random() * 800))
        if nxx not in _RESERVED_NXX:
            return nxx


def number_formatter(name: str, key: str) -> Callable[[str], str]:
    """The function that spells 10 national digits in format ``name`` for provider ``key``."""
    host = key.lower()
    formatters: dict[str, Callable[[str], str]] = {
        "e164": lambda d: "+1" + d,
        "national": str,
        "nanp11": lambda d: "1" + d,
        "dashed": lambda d: f"1-{d[:3]}-{d[3:6]}-{d[6:]}",
        "paren": lambda d: f"({d[:3]}) {d[3:6]}-{d[6:]}",
        "tel": lambda d: f"tel:+1-{d[:3]}-{d[3:6]}-{d[6:]}",
        "sip": lambda d: f"sip:+1{d}@{host}.example;user=phone",
        "intl00": lambda d: "001" + d,
    }
    return formatters[name]


def e164_or_raw(number: str, valid: bool) -> str:
    """How truth files and the honeypot write a number: E.164 when valid, else as received."""
    return "+1" + number if valid else number


_HMS: list[str] = []


def _seconds_of_day() -> list[str]:
    if not _HMS:
        _HMS.extend(
            f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
        )
    return _HMS


class TimeText:
    """Fast text for epoch milliseconds: ISO-8601 UTC with ``Z``, or epoch seconds."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}
        self._hms = _seconds_of_day()

    def iso(self, t_ms: int) -> str:
        """``2020-04-01T00:00:05.123Z``."""
        sec, ms = divmod(t_ms, 1000)
        day, second = divmod(sec, 86400)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._day_prefix(day)
        return f"{prefix}{self._hms[second]}.{ms:03d}Z"

    def plain(self, t_ms: int) -> str:
        """``2020-04-01 00:00:05`` (the FTC complaint data's format, whole seconds)."""
        return self.iso(t_ms)[:19].replace("T", " ")

    @staticmethod
    def epoch(t_ms: int) -> str:
        """``1585699205.123``."""
        sec, ms = divmod(t_ms, 1000)
        return f"{sec}.{ms:03d}"

    def _day_prefix(self, day: int) -> str:
        prefix = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%dT")
        if len(self._days) > 4096:
            self._days.clear()
        self._days[day] = prefix
        return prefix

    def formatter(self, name: str) -> Callable[[int], str]:
        return self.iso if name == "iso" else self.epoch
