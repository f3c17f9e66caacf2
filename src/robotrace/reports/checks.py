"""A consumer's report, checked field by field: the same rules for the page and the API.

Every problem is said for its own field, in words that tell the person what to do, and a
report with any problem is refused whole. The page asks for the call's date, time and time
zone apart (``call_date``, ``call_time``, ``time_zone``), the API for one ISO-8601 time with
its offset (``called_at``); every other field has the same name in both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any, TypeVar

from robotrace.clock import as_utc
from robotrace.evidence.subjects import FTC_SUBJECTS
from robotrace.numbers import InvalidNumber, normalize
from robotrace.reports.choices import STATES, TIME_ZONES, zone
from robotrace.store.values import CallUnderTrace

T = TypeVar("T")

#: How far back a call may be: older call records are mostly gone, and a far date is
#: usually a mistyped year.
MAX_AGE = timedelta(days=365)
#: A call "in the future" by less than this is a clock a little fast, not a mistake.
CLOCK_SLACK = timedelta(minutes=10)
NAME_CHARS, EMAIL_CHARS = 200, 254
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")  # what date inputs send; what people type without one
_TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p")
#: The fields in the order the page shows them, which is the order its problems are told in.
FIELDS = (
    "calling_number", "call_date", "call_time", "time_zone", "called_at", "called_number",
    "recorded_message", "subject", "transcript", "name", "email", "state",
)  # fmt: skip


@dataclass(frozen=True)
class CallReport(CallUnderTrace):
    """A checked report: the call (numbers in E.164, its time in UTC) and the text cleaned."""

    recorded_message: bool
    subject: str
    transcript: str
    state: str
    name: str
    email: str


class ReportInvalid(ValueError):
    """The report's problems: field name → what to do about it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {said}" for field, said in errors.items()))
        self.errors = errors


class _Errors(dict[str, str]):
    def check(self, field: str, rule: Callable[..., T], *args: Any) -> T | None:
        """``rule(*args)``, or None with its ValueError noted for ``field``."""
        try:
            return rule(*args)
        except ValueError as problem:
            self[field] = str(problem)
            return None


def check_page_form(form: Mapping[str, str], now: datetime, text_limit: int) -> CallReport:
    """The page's fields (text) → a report, or :class:`ReportInvalid`."""
    errors = _Errors()
    day = errors.check("call_date", call_date, form.get("call_date", ""))
    clock = errors.check("call_time", call_clock, form.get("call_time", ""))
    where = errors.check("time_zone", time_zone, form.get("time_zone", ""))
    when = None
    if day is not None and clock is not None and where is not None:
        local = datetime.combine(day, clock, tzinfo=zone(where))
        when = errors.check("call_date", recent, as_utc(local), now)
    return _report(form, when, errors, text_limit)


def check_api_body(body: Mapping[str, str], now: datetime, text_limit: int) -> CallReport:
    """The API's fields (``recorded_message`` as ``yes``/``no``) → a report, or
    :class:`ReportInvalid`."""
    errors = _Errors()
    when = errors.check(
        "called_at", lambda text: recent(called_at(text), now), body.get("called_at", "")
    )
    return _report(body, when, errors, text_limit)


def _report(
    fields: Mapping[str, str], when: datetime | None, errors: _Errors, text_limit: int
) -> CallReport:
    """The fields the page and the API share, each by its rule; the report or every problem."""
    rules: dict[str, Callable[[str], Any]] = {
        "calling_number": calling,
        "called_number": called,
        "recorded_message": yes_no,
        "subject": subject,
        "transcript": partial(said, limit=text_limit),
        "state": state,
        "name": person_name,
        "email": email,
    }
    # Each value is its rule's result, or None where errors names the field (raised below).
    checked: dict[str, Any] = {
        name: errors.check(name, rule, fields.get(name, "")) for name, rule in rules.items()
    }
    if errors or when is None:
        raise ReportInvalid(dict(sorted(errors.items(), key=lambda e: FIELDS.index(e[0]))))
    return CallReport(call_time=when, **checked)


# --- One rule per field: the value, or ValueError saying what to do ----------------------


def clean(value: str) -> str:
    """Without control characters (but line breaks and tabs) and outer white space: a NUL
    would not even fit in a PostgreSQL text column."""
    value = value.replace("\r\n", "\n")
    kept = (ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return "".join(kept).strip()


def calling(value: str) -> str:
    typed = clean(value)
    if not typed:
        raise ValueError("Type the number that called you, as your phone showed it.")
    try:
        return normalize(typed)
    except InvalidNumber:
        raise ValueError(
            f"“{typed[:30]}” is not a phone number we can read. Type all its digits with the "
            "area code, e.g. 202-555-0143, or with + and the country code for a number abroad."
        ) from None


def called(value: str) -> str:
    typed = clean(value)
    problem = "Type your own US phone number, 10 digits with the area code, e.g. 312-555-0199."
    if not typed:
        raise ValueError(problem)
    try:
        number = normalize(typed)
    except InvalidNumber:
        raise ValueError(problem) from None
    if not number.startswith("+1"):
        raise ValueError(problem)
    return number


def call_date(value: str) -> date:
    typed = clean(value)
    if not typed:
        raise ValueError("Give the date of the call, e.g. 04/30/2026.")
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(typed, form).date()
        except ValueError:
            continue
    raise ValueError(f"“{typed[:30]}” is not a date we can read: type it like 04/30/2026.")


def call_clock(value: str) -> time:
    typed = clean(value).upper()
    if not typed:
        raise ValueError("Give the time of the call, e.g. 2:15 PM (roughly is fine).")
    for form in _TIME_FORMATS:
        try:
            return datetime.strptime(typed, form).time()
        except ValueError:
            continue
    raise ValueError(f"“{typed[:30]}” is not a time we can read: type it like 2:15 PM.")


def time_zone(value: str) -> str:
    if value not in TIME_ZONES:
        raise ValueError("Choose the time zone your phone was in.")
    return value


def called_at(value: str) -> datetime:
    typed = clean(value)
    try:
        when = datetime.fromisoformat(typed[:-1] + "+00:00" if typed.endswith("Z") else typed)
    except ValueError:
        raise ValueError(
            "Give the call's time in ISO 8601 with its UTC offset, e.g. 2026-04-30T14:15:00-04:00."
        ) from None
    if when.tzinfo is None:
        raise ValueError("Add the UTC offset to the call's time (e.g. -04:00, or Z for UTC).")
    return as_utc(when)


def recent(when: datetime, now: datetime) -> datetime:
    """``when`` if it is neither in the future nor older than :data:`MAX_AGE`."""
    if when > now + CLOCK_SLACK:
        raise ValueError("That time is still to come: check the date, the time and the zone.")
    if when < now - MAX_AGE:
        raise ValueError("We take calls from the last 12 months only: check the year.")
    return when.replace(microsecond=0)


def yes_no(value: str) -> bool:
    answer = clean(value).lower()
    if answer not in ("yes", "no"):
        raise ValueError("Say whether it was a recorded message: choose Yes or No.")
    return answer == "yes"


def subject(value: str) -> str:
    chosen = clean(value)
    if chosen not in FTC_SUBJECTS:
        raise ValueError("Choose what the call was about; if nothing fits, choose “Other”.")
    return chosen


def said(value: str, limit: int) -> str:
    text = clean(value)
    if len(text) > limit:
        raise ValueError(
            f"Shorten what the caller said to {limit:,} characters or fewer "
            f"(it has {len(text):,}); the words that say who they claimed to be matter most."
        )
    return text


def state(value: str) -> str:
    chosen = clean(value)
    if chosen and chosen not in STATES:
        raise ValueError("Choose your state from the list, or leave it empty.")
    return chosen


def person_name(value: str) -> str:
    name = " ".join(clean(value).split())
    if len(name) > NAME_CHARS:
        raise ValueError(f"Shorten your name to {NAME_CHARS} characters, or leave it empty.")
    return name


def email(value: str) -> str:
    address = clean(value)
    if address and (len(address) > EMAIL_CHARS or not _EMAIL.fullmatch(address)):
        raise ValueError("Type your e-mail address like name@example.com, or leave it empty.")
    return address
