"""Complaints in the analytics store joined to campaigns by number (SQLite and PostgreSQL).

The expected counts are worked out here from the rows the test writes, with the csv module's
view of the file, not with robotrace's import."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

from robotrace.campaigns.complaints import complaint_counts
from robotrace.evidence.imports import evidence_files, import_evidence
from robotrace.store import models
from tests.evidence.builders import ftc_csv, ftc_row

T0 = datetime(2020, 4, 1, 12, 0, tzinfo=UTC)


def campaign(session, campaign_id: str, callbacks: list[str], callers: list[str]) -> None:
    session.add(
        models.Campaign(id=campaign_id, name=campaign_id, created_at=T0, callback_numbers=callbacks)
    )
    session.flush()  # the campaign row first: calls refer to it
    for n, number in enumerate(callers):
        session.add(
            models.Call(
                source="honeypot", source_ref=f"{campaign_id}-{n}", calling_number=number,
                called_number="+13125550100", call_time=T0, transcript="", imported_at=T0,
                campaign_id=campaign_id,
            )
        )  # fmt: skip
    session.flush()


def test_a_complaint_counts_for_the_campaigns_whose_numbers_it_names(session, tmp_path):
    campaign(session, "C-SSA", ["+18885550143"], ["+12025550101", "(202) 555-0102"])
    campaign(session, "C-CAR", ["+18335550199"], ["+12025550102"])  # a caller ID both used
    campaign(session, "C-NONE", ["+18005550000"], [])
    numbers = [
        "888-555-0143", "1 (888) 555-0143", "2025550101", "+1 202-555-0102",
        "202", "", "3125550100", "833.555.0199", "888-555-0143",
    ]  # fmt: skip
    path = ftc_csv(
        tmp_path / "ftc.csv",
        *(ftc_row(Company_Phone_Number=n, Created_Date=f"2020-04-02 10:00:{i:02d}")
          for i, n in enumerate(numbers)),
    )  # fmt: skip
    analytics = tmp_path / "analytics"
    summary = import_evidence(evidence_files([path], "ftc"), analytics, session)
    assert summary.written
    with open(path, newline="") as f:
        rows = [r["Company_Phone_Number"] for r in csv.DictReader(f)]
    digits = ["".join(ch for ch in n if ch.isdigit()).removeprefix("1") for n in rows]
    expected = {
        "C-SSA": sum(d in ("8885550143", "2025550101", "2025550102") for d in digits),
        "C-CAR": sum(d in ("8335550199", "2025550102") for d in digits),
    }
    got = complaint_counts(session, ["C-SSA", "C-CAR", "C-NONE"], analytics)
    assert got == expected == {"C-SSA": 5, "C-CAR": 2}


def test_no_complaints_stored_counts_nothing(session, tmp_path):
    campaign(session, "C-SSA", ["+18885550143"], [])
    assert complaint_counts(session, ["C-SSA"], tmp_path / "empty") == {}
    assert complaint_counts(session, [], tmp_path / "empty") == {}
