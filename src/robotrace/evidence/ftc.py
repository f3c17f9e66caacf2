"""The FTC's public Do Not Call complaint data (CSV), into the analytics store.

Exactly the columns ``Company_Phone_Number, Created_Date, Violation_Date, Consumer_City,
Consumer_State, Consumer_Area_Code, Subject, Recorded_Message_Or_Robocall`` (any order, names
matched without regard to case); times ``YYYY-MM-DD HH:MM:SS``, read as UTC. Quirks of the real
data are kept or normalised, never errors: an empty or fragment phone number stays as typed
(its ``company_key`` is its digits); a double space before "&" in a subject becomes one;
"No Subject Provided" means no subject (NULL).
"""

from __future__ import annotations

import csv
from pathlib import Path

from robotrace.evidence.columns import FTC_COMPLAINT_COLUMNS
from robotrace.evidence.complaints import (
    ComplaintRules,
    Problem,
    header_key,
    iso_time,
    key_of,
    named_columns,
    read_complaints,
    shown,
    time_problem,
    utc,
)
from robotrace.evidence.csvfile import FileProblem
from robotrace.evidence.registry import EvidenceFormat, FileRead, ReadOptions

_TIME_SAID = "a time YYYY-MM-DD HH:MM:SS"
NO_SUBJECT = "No Subject Provided"
#: FTC column → the name its values go by in the SQL below.
_NAMES = {header_key(column): column.lower() for column in FTC_COMPLAINT_COLUMNS}

_CREATED = iso_time("created_date")
_VIOLATION = iso_time("violation_date")
_SUBJECT = "replace(subject, '  &', ' &')"
_YES_NO = "upper(recorded_message_or_robocall)"
_AREA_CODE = "consumer_area_code"

RULES = ComplaintRules(
    source="ftc",
    problems=(
        time_problem("created_date", "Created_Date", _CREATED, _TIME_SAID, required=True),
        time_problem("violation_date", "Violation_Date", _VIOLATION, _TIME_SAID, False),
        Problem(
            f"{_AREA_CODE} <> '' AND NOT regexp_full_match({_AREA_CODE}, '[0-9]{{3}}')",
            f"'Consumer_Area_Code ' || {shown('consumer_area_code')} || ' is not 3 digits'",
        ),
        Problem(
            f"{_YES_NO} NOT IN ('Y', 'N', '')",
            f"'Recorded_Message_Or_Robocall ' || {shown('recorded_message_or_robocall')} "
            "|| ' is not Y or N'",
        ),
    ),
    values={
        "company_phone_number": "company_phone_number",
        "company_key": key_of("company_phone_number"),
        "created_at": utc(_CREATED),
        "violation_at": utc(_VIOLATION),
        "city": "consumer_city",
        "state": "consumer_state",
        "area_code": f"NULLIF({_AREA_CODE}, '')",
        "subject": f"NULLIF(NULLIF({_SUBJECT}, '{NO_SUBJECT}'), '')",
        "robocall": f"CASE {_YES_NO} WHEN 'Y' THEN true WHEN 'N' THEN false END",
    },
    key=(
        "company_phone_number",
        "created_date",
        "violation_date",
        "consumer_city",
        "consumer_state",
        _AREA_CODE,
        f"CASE WHEN {_SUBJECT} = '{NO_SUBJECT}' THEN '' ELSE {_SUBJECT} END",
        _YES_NO,
    ),
)


def columns_of(header: list[str]) -> list[str]:
    """The FTC's eight columns and no others; :class:`FileProblem` at line 1 otherwise."""
    names = named_columns(header, _NAMES)
    missing = [c for c in FTC_COMPLAINT_COLUMNS if c.lower() not in names]
    if missing:
        said = ", ".join(missing)
        raise FileProblem(1, f"not an FTC Do Not Call complaint file: missing column(s) {said}")
    unexpected = [h for h, n in zip(header, names, strict=True) if n.startswith("_")]
    if unexpected:
        raise FileProblem(1, f"unexpected column(s) for FTC data: {', '.join(unexpected)}")
    return names


def recognises(first_line: str, path: Path) -> bool:
    header = next(csv.reader([first_line]), [])
    return {header_key(h) for h in header} == set(_NAMES)


def read(path: Path, shown_as: str, options: ReadOptions) -> FileRead:
    return read_complaints(path, shown_as, options, RULES, columns_of)


FTC = EvidenceFormat(
    name="ftc",
    title="FTC Do Not Call complaints (CSV)",
    target="complaints",
    recognises=recognises,
    read=read,
)
