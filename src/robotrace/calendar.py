"""Business days and hours: when a traceback request counts as received, and when it is due.

The rule (47 CFR 64.1200(n)(1), FCC 22-37 and FCC 23-37): a provider answers a traceback
request within 24 hours of receiving it; a request received outside business hours is deemed
received at 8:00 a.m. on the next business day, in the provider's local time. Weekends and
federal holidays (their observed dates included: a Saturday holiday is observed on the
Friday before, a Sunday one on the Monday after) are not business days.

robotrace's choices, beside the rule: business hours end at ``day_end`` (17:00 by default;
the rule names only 8:00), the due time is ``hours`` of elapsed time after the deemed
receipt (a real 24 hours: where a daylight-saving change falls between, the local wall clock
shows an hour more or less), and with ``rolls_to_business_day`` a due time that falls outside
business hours moves on to the next business day's ``day_start``, so nobody is found silent
over a weekend or at night. docs/concepts.md says the same for people.

Pure functions over aware ``datetime`` values; zones are IANA names read with :mod:`zoneinfo`.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING

from robotrace.clock import as_utc
from robotrace.timezones import zone_info

if TYPE_CHECKING:
    import holidays

    from robotrace.settings import Settings

DEFAULT_ZONE = "America/New_York"


def in_zone(when: datetime, zone: str) -> datetime:
    """``when`` (aware, or naive meaning UTC) on ``zone``'s wall clock."""
    return as_utc(when).astimezone(zone_info(zone))


def for_people(when: datetime, zone: str, seconds: bool = False) -> str:
    """``when`` as reports, letters and notices write it: ``10 Apr 2020, 10:14 EDT``, on the
    wall clock of ``zone`` (the caller's ``display_zone`` setting, or a provider's own zone)
    with its abbreviation; ``seconds`` for a call's time, which a provider looks up in its
    records. The minute is cut, not rounded: a deadline never reads later than it is."""
    local = in_zone(when, zone)
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{local.day} {local:%b %Y}, {clock} {local:%Z}"


@cache
def federal_holidays() -> holidays.HolidayBase:
    """US federal holidays with their observed dates (the ``holidays`` package's public
    holidays of the United States, no state's). Imported here: the package takes a tenth of a
    second to load, and most commands never need it. One shared table: it fills in a year
    the first time a date of that year is asked about."""
    import holidays

    return holidays.country_holidays("US", observed=True)


@dataclass(frozen=True)
class Due:
    """One request's clock, on the provider's wall clock: when it was sent, when the rule
    deems it received, and when its answer is due."""

    received: datetime
    deemed_received: datetime
    due: datetime

    def as_dict(self) -> dict[str, str]:
        """ISO 8601 with offsets, as ``robotrace calendar due --json`` prints them."""
        return {
            "received": self.received.isoformat(),
            "deemed_received": self.deemed_received.isoformat(),
            "due": self.due.isoformat(),
        }


@dataclass(frozen=True)
class BusinessCalendar:
    """Business days (Monday to Friday, not a federal holiday) and hours
    (``day_start`` ≤ time < ``day_end``), read in the zone each call names; ``zone`` is the
    zone of a provider whose own zone is not known."""

    day_start: time = time(8)
    day_end: time = time(17)
    zone: str = DEFAULT_ZONE
    rolls_to_business_day: bool = True
    holidays: Container[date] = field(
        default_factory=federal_holidays, compare=False, hash=False, repr=False
    )

    def __post_init__(self) -> None:
        if not self.day_start < self.day_end:
            raise ValueError(
                f"business hours must end after they start: {self.day_start:%H:%M} to "
                f"{self.day_end:%H:%M}"
            )
        zone_info(self.zone)

    @classmethod
    def from_settings(cls, settings: Settings) -> BusinessCalendar:
        """The calendar the ``business_*`` settings describe (:class:`Settings` refuses hours
        that end before they start, naming both variables)."""
        return cls(
            day_start=settings.business_day_start,
            day_end=settings.business_day_end,
            zone=settings.business_zone,
            rolls_to_business_day=settings.due_rolls_to_business_day,
        )

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def in_business_hours(self, when: datetime, zone: str | None = None) -> bool:
        """Whether ``when`` falls on a business day in business hours on ``zone``'s clock;
        ``day_end`` itself is outside."""
        local = in_zone(when, zone or self.zone)
        return self.is_business_day(local.date()) and (
            self.day_start <= local.time() < self.day_end
        )

    def next_business_day(self, day: date) -> date:
        """``day`` when it is a business day, else the first one after it."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def deemed_received(self, received: datetime, zone: str | None = None) -> datetime:
        """When a request sent at ``received`` counts as received, on ``zone``'s clock: the
        same instant in business hours, else ``day_start`` of the next business day."""
        tz = zone_info(zone or self.zone)
        local = as_utc(received).astimezone(tz)
        if self.in_business_hours(local, zone or self.zone):
            return local
        day = local.date()
        if not (self.is_business_day(day) and local.time() < self.day_start):
            day += timedelta(days=1)
        opening = datetime.combine(self.next_business_day(day), self.day_start, tz)
        return as_utc(opening).astimezone(tz)  # a wall time in a gap becomes a real one

    def due(self, received: datetime, zone: str | None = None, hours: float = 24) -> Due:
        """The request's :class:`Due`: ``hours`` of elapsed time after its deemed receipt,
        moved to the next business opening when it falls outside business hours and
        ``rolls_to_business_day`` is on."""
        if hours < 0:
            raise ValueError(f"hours must not be negative: {hours}")
        tz = zone_info(zone or self.zone)
        deemed = self.deemed_received(received, zone)
        due = (as_utc(deemed) + timedelta(hours=hours)).astimezone(tz)
        if self.rolls_to_business_day:
            due = self.deemed_received(due, zone)
        return Due(as_utc(received).astimezone(tz), deemed, due)
