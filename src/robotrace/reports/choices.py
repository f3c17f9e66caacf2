"""The choices the report form offers: states (as the FTC's data names them) and US time
zones. The subjects are the FTC's own list, :data:`robotrace.evidence.subjects.FTC_SUBJECTS`.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: ``Consumer_State`` values: the states, DC and the territories, by their full names.
STATES: tuple[str, ...] = (
    "Alabama", "Alaska", "American Samoa", "Arizona", "Arkansas", "California", "Colorado",
    "Connecticut", "Delaware", "District of Columbia", "Florida", "Georgia", "Guam", "Hawaii",
    "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri",
    "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York",
    "North Carolina", "North Dakota", "Northern Mariana Islands", "Ohio", "Oklahoma",
    "Oregon", "Pennsylvania", "Puerto Rico", "Rhode Island", "South Carolina",
    "South Dakota", "Tennessee", "Texas", "U.S. Virgin Islands", "Utah", "Vermont",
    "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming",
)  # fmt: skip

#: IANA zone → how people call it. A person gives the time the phone showed; the zone turns
#: it into UTC with that day's daylight saving time.
TIME_ZONES: dict[str, str] = {
    "America/New_York": "Eastern",
    "America/Chicago": "Central",
    "America/Denver": "Mountain",
    "America/Phoenix": "Mountain, Arizona (no daylight saving time)",
    "America/Los_Angeles": "Pacific",
    "America/Anchorage": "Alaska",
    "Pacific/Honolulu": "Hawaii",
    "America/Puerto_Rico": "Atlantic (Puerto Rico, U.S. Virgin Islands)",
    "Pacific/Guam": "Chamorro (Guam, Northern Mariana Islands)",
    "Pacific/Pago_Pago": "Samoa",
}


@cache
def zone(name: str) -> ZoneInfo:
    """The zone of :data:`TIME_ZONES`; a clear error where the system has no zone data."""
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        raise RuntimeError(
            f"no time zone data for {name}: install Debian's tzdata (or the tzdata package)"
        ) from None
