"""The FCC's consumer complaint open data, "Consumer Complaints Data - Unwanted Calls" (CSV),
into the analytics store.

The dataset (opendata.fcc.gov, ``vakf-fz8e``) exports its columns under field names (the API
and JSON: ``id, issue_date, issue_time, issue, caller_id_number, type_of_call_or_messge,
advertiser_business_phone_number, city, state, zip`` …) or under display names (the portal's
CSV download: ``Ticket ID, Date of Issue, Time of Issue, Issue, Caller ID Number, Type of
Call or Messge, Advertiser Business Number, City, State, Zip`` …); both are read. The dataset's
other columns (``ticket_created``/``Ticket Created``, ``date_created``, ``issue_type``/``Form``,
``method``, ``location_1`` …) are accepted; the creation time is used when present.

- ``issue_date``: ``2021-03-15T00:00:00.000`` (API/JSON), ``2021-03-15`` or ``03/15/2021``
  (CSV); only its date counts. Empty, unreadable or outside 1970–2099 (the dataset has
  placeholders in 9999): a bad row.
- ``issue_time``: the consumer's words for the time of day: ``10:30 a.m.``, ``1:00 pm``,
  ``8:08 PM``, ``14:05``. Empty: the call's time is the date at 00:00; anything else
  unreadable: a bad row. Times are the consumer's wall clock, stored as if UTC.
- ``robocall`` is derived from ``type_of_call_or_messge``, read in full and without regard to
  case: ``Robocall`` (the current form's word), ``Prerecorded Voice`` and ``Autodialed Live
  Voice Call`` are robocalls; ``Live Voice``, ``Text Message``, ``Abandoned Calls`` and
  ``Email`` are not; an empty type, or one the open data has not used before, is NULL (not
  said) rather than a guess. ``call_type`` keeps the value as written.
- ``state`` is kept as written (a USPS code); statistics name it in full, as the FTC does
  (:mod:`robotrace.stats.states`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from robotrace.cdr.duck import sql_text
from robotrace.evidence.complaints import (
    ComplaintRules,
    Problem,
    empty_problem,
    header_key,
    key_of,
    named_columns,
    parsed_time,
    read_complaints,
    require_columns,
    shown,
    time_problem,
    utc,
)
from robotrace.evidence.registry import EvidenceFormat, FileRead, ReadOptions

#: Header (lower case, ``_`` read as a space) → the name its values go by in the SQL below.
_NAMES = {
    "id": "id",
    "ticket id": "id",
    "issue date": "issue_date",
    "date of issue": "issue_date",
    "issue time": "issue_time",
    "time of issue": "issue_time",
    "issue": "issue",
    "caller id number": "caller_id_number",
    "type of call or messge": "call_type",
    "type of call or message": "call_type",
    "advertiser business phone number": "advertiser_number",
    "advertiser business number": "advertiser_number",
    "city": "city",
    "state": "state",
    "zip": "zip",
    "ticket created": "ticket_created",
    "date created": "date_created",
}
REQUIRED = (
    "id",
    "issue_date",
    "issue_time",
    "issue",
    "caller_id_number",
    "call_type",
    "advertiser_number",
    "city",
    "state",
    "zip",
)
DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S.%g", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%m/%d/%Y")
_DATE_SAID = "a date like 2021-03-15T00:00:00.000, 2021-03-15 or 03/15/2021"
CREATED_FORMATS = (
    "%Y-%m-%dT%H:%M:%S.%g",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)
_CREATED_SAID = "a time like 2021-03-15T10:35:00.000 or 03/15/2021 10:35:00 AM"
TIME_OF_DAY_FORMATS = ("%I:%M %p", "%I:%M%p", "%I:%M:%S %p", "%H:%M", "%H:%M:%S")
#: Every ``type_of_call_or_messge`` value the open data uses, lower case, by whether it is a
#: robocall (an artificial or prerecorded voice or an autodialer, 47 U.S.C. 227(b)).
ROBOCALL_TYPES = ("robocall", "prerecorded voice", "autodialed live voice call")
OTHER_CALL_TYPES = ("live voice", "text message", "abandoned calls", "email")

_TIME_TEXT = "replace(lower(issue_time), '.', '')"
_TIME_OF_DAY = f"try_strptime({_TIME_TEXT}, [{', '.join(map(sql_text, TIME_OF_DAY_FORMATS))}])"
_VIOLATION = (
    f"CAST({parsed_time('issue_date', DATE_FORMATS)} AS DATE) + "
    f"coalesce(CAST({_TIME_OF_DAY} AS TIME), TIME '00:00:00')"
)
_ROBOCALL_TYPES = ", ".join(map(sql_text, ROBOCALL_TYPES))
_OTHER_CALL_TYPES = ", ".join(map(sql_text, OTHER_CALL_TYPES))

_ISSUE_DATE = parsed_time("issue_date", DATE_FORMATS)
_TICKET_CREATED = parsed_time("ticket_created", CREATED_FORMATS)
_DATE_CREATED = parsed_time("date_created", CREATED_FORMATS)

RULES = ComplaintRules(
    source="fcc",
    problems=(
        empty_problem("id", "id"),
        time_problem("issue_date", "issue_date", _ISSUE_DATE, _DATE_SAID, required=True),
        Problem(
            f"issue_time <> '' AND {_TIME_OF_DAY} IS NULL",
            f"'issue_time ' || {shown('issue_time')} "
            "|| ' is not a time of day like 10:30 a.m. or 14:05'",
        ),
        time_problem("ticket_created", "ticket_created", _TICKET_CREATED, _CREATED_SAID, False),
        time_problem("date_created", "date_created", _DATE_CREATED, _CREATED_SAID, False),
    ),
    values={
        "complaint_id": "id",
        "company_phone_number": "caller_id_number",
        "company_key": key_of("caller_id_number"),
        "created_at": utc(f"coalesce({_TICKET_CREATED}, {_DATE_CREATED}, {_VIOLATION})"),
        "violation_at": utc(_VIOLATION),
        "city": "city",
        "state": "state",
        "zip": "NULLIF(zip, '')",
        "subject": "NULLIF(issue, '')",
        "robocall": f"CASE WHEN lower(call_type) IN ({_ROBOCALL_TYPES}) THEN true "
        f"WHEN lower(call_type) IN ({_OTHER_CALL_TYPES}) THEN false END",
        "call_type": "NULLIF(call_type, '')",
        "advertiser_number": "NULLIF(advertiser_number, '')",
        "advertiser_key": key_of("advertiser_number"),
    },
    key=tuple(c for c in REQUIRED),
    optional=("ticket_created", "date_created"),
)


def columns_of(header: list[str]) -> list[str]:
    names = named_columns(header, _NAMES)
    require_columns(names, REQUIRED, "FCC consumer complaint data")
    return names


def recognises(first_line: str, path: Path) -> bool:
    header = next(csv.reader([first_line]), [])
    names = {_NAMES.get(header_key(h)) for h in header}
    return {"caller_id_number", "issue_date", "call_type"} <= names


def read(path: Path, shown_as: str, options: ReadOptions) -> FileRead:
    return read_complaints(path, shown_as, options, RULES, columns_of)


FCC = EvidenceFormat(
    name="fcc",
    title="FCC consumer complaints, unwanted calls (CSV)",
    target="complaints",
    recognises=recognises,
    read=read,
)
