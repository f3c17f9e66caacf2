"""Complaint statistics against independent counts of the same FTC CSV.

Every expected figure is worked out here from the file as the csv module reads it, with the
FTC's rules restated in a few lines (subject "No Subject Provided" is none, a double space
before "&" is one, robocall Y/N/empty, a number's key is its digits without the leading 1),
never with robotrace's import or queries."""

from __future__ import annotations

import csv
import random
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from robotrace.evidence.imports import evidence_files, import_evidence
from robotrace.stats.complaints import complaint_stats
from tests.evidence.builders import ftc_csv, ftc_row

NUMBERS = [
    "202-555-0143",
    "(202) 555-0143",
    "12025550143",
    "3125550199",
    "1-312-555-0199",
    "8885550100",
    "",
    "",
    "202",
    "202555",
    "2025550",
]
SUBJECTS = [
    "Warranties & protection plans",
    "Warranties  & protection plans",
    "Imposters",
    "Medical & prescriptions",
    "Coronavirus (COVID-19)",
    "covid test kits",
    "No Subject Provided",
    "",
    "Other",
]
PLACES = [("Illinois", "217"), ("Illinois", "312"), ("Texas", "214"), ("", ""), ("Ohio", "")]
ANSWERS = ["Y", "Y", "N", "", "y"]
FIRST = datetime(2020, 3, 1)
#: Residents on July 1, 2024: the Census Bureau's Vintage 2024 table NST-EST2024-POP.
CENSUS_2024 = {"Illinois": 12_710_158, "Texas": 31_290_831, "Ohio": 11_883_304}
USPS = {"Illinois": "IL", "Texas": "TX", "Ohio": "OH"}


def complaints_csv(path: Path, count: int = 400, seed: int = 9) -> Path:
    """``count`` complaints over March and April 2020, each filed at its own second."""
    pick = random.Random(seed).choice
    rows = []
    for n in range(count):
        state, area_code = pick(PLACES)
        created = FIRST + timedelta(days=pick(range(61)), seconds=n)
        rows.append(
            ftc_row(
                Company_Phone_Number=pick(NUMBERS),
                Created_Date=f"{created:%Y-%m-%d %H:%M:%S}",
                Consumer_State=state,
                Consumer_Area_Code=area_code,
                Subject=pick(SUBJECTS),
                Recorded_Message_Or_Robocall=pick(ANSWERS),
            )
        )
    return ftc_csv(path, *rows)


def stored(tmp_path: Path, csv_path: Path) -> Path:
    analytics = tmp_path / "analytics"
    summary = import_evidence(evidence_files([csv_path], "ftc"), analytics)
    assert summary.added and summary.skipped == 0 and not summary.errors  # none deduplicated
    return analytics


# --- The independent count ------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, Any]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [_plain(row) for row in csv.DictReader(handle)]


def _plain(row: dict[str, str]) -> dict[str, Any]:
    subject = row["Subject"].replace("  &", " &")
    digits = "".join(ch for ch in row["Company_Phone_Number"] if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    answer = row["Recorded_Message_Or_Robocall"].upper()
    return {
        "day": date.fromisoformat(row["Created_Date"][:10]),
        "subject": None if subject in ("", "No Subject Provided") else subject,
        "key": digits,
        "state": row["Consumer_State"] or None,
        "area_code": row["Consumer_Area_Code"] or None,
        "robocall": {"Y": True, "N": False}.get(answer),
    }


def is_covid(row: dict[str, Any], keys: set[str]) -> bool:
    subject = (row["subject"] or "").lower()
    return "covid" in subject or "coronavirus" in subject or row["key"] in keys


def ranking(values: list[str | None], top: int) -> dict[str, Any]:
    counts = Counter(v for v in values if v)
    ordered = sorted(counts.items(), key=lambda vn: (-vn[1], vn[0]))
    return {
        "top": [{"value": v, "complaints": n} for v, n in ordered[:top]],
        "rest": sum(n for _, n in ordered[top:]),
        "unknown": sum(1 for v in values if not v),
    }


def per_100k(states: list[str | None]) -> list[dict[str, Any]]:
    counts = Counter(s for s in states if s)
    rates = [
        {
            "state": s,
            "code": USPS[s],
            "complaints": n,
            "population": CENSUS_2024[s],
            "per_100k": n * 100_000 / CENSUS_2024[s],
        }
        for s, n in counts.items()
    ]
    return sorted(rates, key=lambda r: -r["per_100k"])


def series(labels: list[str]) -> list[dict[str, Any]]:
    return [{"value": v, "complaints": n} for v, n in sorted(Counter(labels).items())]


def change(current: int, previous: int) -> dict[str, Any]:
    relative = (current - previous) / previous if previous else None
    return {
        "current": current,
        "previous": previous,
        "absolute": current - previous,
        "relative": relative,
    }


def expected(
    rows: list[dict[str, Any]], start: date, end: date, top: int, keys: set[str] | None
) -> dict[str, Any]:
    """The statistics page's figures, counted in plain Python."""
    before = start - (end - start)
    now = [r for r in rows if start <= r["day"] < end]
    then = [r for r in rows if before <= r["day"] < start]
    campaign = keys or set()
    yes = sum(r["robocall"] is True for r in now)
    no = sum(r["robocall"] is False for r in now)
    full = [r["key"] for r in now if len(r["key"]) >= 10]
    numbers = ranking(full, top)
    by_subject = sum(is_covid(r, set()) for r in now)
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "previous_period": {"start": before.isoformat(), "end": start.isoformat()},
        "complaints": len(now),
        "per_day": series([r["day"].isoformat() for r in now]),
        "per_week": series(["{}-W{:02d}".format(*r["day"].isocalendar()[:2]) for r in now]),
        "per_month": series([r["day"].isoformat()[:7] for r in now]),
        "robocalls": {
            "yes": yes,
            "no": no,
            "unknown": len(now) - yes - no,
            "share": yes / (yes + no) if yes + no else None,
        },
        "subjects": ranking([r["subject"] for r in now], top),
        "states": ranking([r["state"] for r in now], top),
        "area_codes": ranking([r["area_code"] for r in now], top),
        "numbers": {
            "top": numbers["top"],
            "rest": numbers["rest"],
            "fragments": sum(0 < len(r["key"]) < 10 for r in now),
            "empty": sum(r["key"] == "" for r in now),
            "spoofed_own_number": 0,  # an FCC issue: FTC complaints have none
        },
        "call_types": {"top": [], "rest": 0, "unknown": len(now)},  # FCC only
        "per_100k": per_100k([r["state"] for r in now]),
        "fiscal_year": None,
        "covid": {
            "complaints": sum(is_covid(r, campaign) for r in now),
            "by_subject": by_subject,
            "by_campaign_only": sum(is_covid(r, campaign) for r in now) - by_subject,
            "campaign_rule": keys is not None,
        },
        "change": {
            "complaints": change(len(now), len(then)),
            "robocalls": change(yes, sum(r["robocall"] is True for r in then)),
            "covid": change(
                sum(is_covid(r, campaign) for r in now), sum(is_covid(r, campaign) for r in then)
            ),
        },
    }


# --- The tests -------------------------------------------------------------------------------


def test_every_figure_equals_an_independent_count_of_the_csv(tmp_path):
    path = complaints_csv(tmp_path / "ftc.csv")
    analytics = stored(tmp_path, path)
    start, end = date(2020, 4, 1), date(2020, 4, 21)
    keys = {"8885550100"}  # a COVID-19 campaign's number
    got = complaint_stats(analytics, start, end, top=2, covid_keys=keys).as_dict()
    want = expected(read_rows(path), start, end, 2, keys)
    assert got == want
    assert want["states"]["rest"] and want["numbers"]["rest"]  # beyond the top two
    assert want["covid"]["by_campaign_only"]
    assert want["numbers"]["fragments"] and want["numbers"]["empty"]  # the quirks are there
    assert want["robocalls"]["unknown"] and want["subjects"]["unknown"]
    assert want["change"]["complaints"]["previous"] > 0


def test_without_dates_the_period_runs_from_the_first_to_the_last_filing_day(tmp_path):
    path = complaints_csv(tmp_path / "ftc.csv", count=150, seed=3)
    rows = read_rows(path)
    first, last = min(r["day"] for r in rows), max(r["day"] for r in rows)
    got = complaint_stats(stored(tmp_path, path), top=20).as_dict()
    assert got == expected(rows, first, last + timedelta(days=1), 20, None)
    assert got["complaints"] == 150


def test_the_change_compares_with_the_period_of_equal_length_before(tmp_path):
    days = ["2020-04-01"] * 3 + ["2020-04-08"] * 4 + ["2020-04-15"] * 6
    path = ftc_csv(
        tmp_path / "ftc.csv",
        *(ftc_row(Created_Date=f"{d} 10:00:{n:02d}") for n, d in enumerate(days)),
    )
    got = complaint_stats(stored(tmp_path, path), date(2020, 4, 15), date(2020, 4, 22))
    complaints = got.change["complaints"]
    assert (complaints.current, complaints.previous, complaints.absolute) == (6, 4, 2)
    assert complaints.relative == pytest.approx(0.5)
    assert got.previous_period is not None
    assert got.previous_period.start == date(2020, 4, 8)


def test_an_empty_store_has_no_period_and_zero_figures(tmp_path):
    got = complaint_stats(tmp_path / "nothing").as_dict()
    assert got["period"] is None and got["complaints"] == 0
    assert got["per_day"] == [] and got["robocalls"]["share"] is None
    assert got["numbers"] == {
        "top": [],
        "rest": 0,
        "fragments": 0,
        "empty": 0,
        "spoofed_own_number": 0,
    }
    assert got["per_100k"] == [] and got["fiscal_year"] is None
    assert got["change"]["complaints"] == change(0, 0)


def test_a_period_with_no_complaints_counts_zero(tmp_path):
    analytics = stored(tmp_path, complaints_csv(tmp_path / "ftc.csv", count=20))
    got = complaint_stats(analytics, date(2021, 1, 1), date(2021, 2, 1)).as_dict()
    assert got["complaints"] == 0 and got["subjects"] == {"top": [], "rest": 0, "unknown": 0}


def test_a_period_that_ends_before_it_starts_is_refused(tmp_path):
    with pytest.raises(ValueError, match="ends"):
        complaint_stats(tmp_path, date(2020, 4, 2), date(2020, 4, 1))


def test_covid_complaints_are_found_by_subject_and_by_campaign_number(tmp_path):
    path = ftc_csv(
        tmp_path / "ftc.csv",
        ftc_row(Subject="Coronavirus (COVID-19)", Created_Date="2020-04-02 10:00:00"),
        ftc_row(Subject="Free CORONAVIRUS test", Created_Date="2020-04-02 10:00:01"),
        ftc_row(
            Subject="Imposters",
            Company_Phone_Number="(888) 555-0100",
            Created_Date="2020-04-02 10:00:02",
        ),
        ftc_row(
            Subject="Covid kits",
            Company_Phone_Number="8885550100",
            Created_Date="2020-04-02 10:00:03",
        ),
        ftc_row(Subject="Imposters", Created_Date="2020-04-02 10:00:04"),
    )
    analytics = stored(tmp_path, path)
    by_subject = complaint_stats(analytics).covid
    assert (by_subject.complaints, by_subject.by_subject, by_subject.campaign_rule) == (3, 3, False)
    both = complaint_stats(analytics, covid_keys={"8885550100"}).covid
    assert (both.complaints, both.by_subject, both.by_campaign_only) == (4, 3, 1)
    assert both.campaign_rule
    rows = read_rows(path)
    assert both.complaints == sum(is_covid(r, {"8885550100"}) for r in rows)


def test_with_only_a_start_the_period_ends_after_the_last_filing_day(tmp_path):
    path = complaints_csv(tmp_path / "ftc.csv", count=80, seed=5)
    rows = read_rows(path)
    last = max(r["day"] for r in rows)
    start = date(2020, 4, 10)
    got = complaint_stats(stored(tmp_path, path), start).as_dict()
    assert got == expected(rows, start, last + timedelta(days=1), 10, None)
