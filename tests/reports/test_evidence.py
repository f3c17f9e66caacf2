"""A filed report becomes evidence: a complaint with the FTC's public columns only, counted in
the statistics the day it is received, and its call in the campaign that says the same —
or, by its number, the campaign's complaints."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow.parquet as pq
from sqlalchemy import select

from robotrace.campaigns.complaints import complaint_counts
from robotrace.campaigns.service import update_campaigns
from robotrace.clock import SimulatedClock
from robotrace.reports.checks import check_page_form
from robotrace.reports.evidence import feed_complaints, join_campaign
from robotrace.reports.filing import client_key, file_report
from robotrace.settings import Settings
from robotrace.stats.complaints import complaint_stats
from robotrace.store import models

from .builders import HEARD, NOW, SSA_NUMBER, page_form, ssa_campaign

SETTINGS = Settings.from_environ()  # tests/conftest.py set the secret key
HERE = client_key("203.0.113.7", SETTINGS.secret_key)


def file(session, clock, **changes: str) -> models.ConsumerReport:
    report = check_page_form(page_form(**changes), clock.now(), 4000)
    return file_report(session, report, HERE, "page", clock, SETTINGS)


def stored_complaints(folder) -> list[dict]:
    files = sorted((folder / "complaints").glob("*.parquet"))
    return [row for path in files for row in pq.read_table(path).to_pylist()]


def test_a_report_is_stored_as_a_complaint_with_the_ftc_public_columns_only(session, tmp_path):
    clock = SimulatedClock(NOW)
    row = file(session, clock, call_date="2026-04-30", call_time="14:15", state="Illinois")
    assert feed_complaints(session, tmp_path, clock) == (1, 1)
    session.commit()
    (complaint,) = stored_complaints(tmp_path)
    assert complaint["source"] == "report"
    assert complaint["complaint_id"] == row.reference
    assert complaint["company_phone_number"] == complaint["company_key"] == "2025550143"
    assert complaint["created_at"] == NOW
    assert complaint["violation_at"] == datetime(2026, 4, 30, 18, 15, tzinfo=UTC)
    assert (complaint["city"], complaint["state"], complaint["area_code"]) == (
        "",
        "Illinois",
        "312",
    )
    assert (complaint["subject"], complaint["robocall"]) == ("Imposters", True)
    assert complaint["zip"] is complaint["advertiser_number"] is None
    values = {str(v) for v in complaint.values()}
    assert not values & {"Jane Q. Reporter", "jane.reporter@example.net", "+13125550199"}
    assert session.get(models.ConsumerReport, row.id).fed_at == NOW


def test_feeding_again_adds_nothing(session, tmp_path):
    clock = SimulatedClock(NOW)
    file(session, clock)
    feed_complaints(session, tmp_path, clock)
    assert feed_complaints(session, tmp_path, clock) == (0, 0)
    session.get(models.ConsumerReport, 1).fed_at = None  # as if the first commit was lost
    assert feed_complaints(session, tmp_path, clock) == (1, 0)
    assert len(stored_complaints(tmp_path)) == 1


def test_two_reports_with_the_same_public_values_count_twice(session, tmp_path):
    clock = SimulatedClock(NOW)
    file(session, clock)
    file(session, clock, called_number="312-555-0100")  # same area code, same everything
    assert feed_complaints(session, tmp_path, clock) == (2, 2)


def test_a_report_counts_in_the_statistics_the_day_it_is_received(session, tmp_path):
    clock = SimulatedClock(NOW)
    file(session, clock, subject="Coronavirus (COVID-19)", recorded_message="no")
    feed_complaints(session, tmp_path, clock)
    stats = complaint_stats(tmp_path)
    assert stats.complaints == 1
    assert [(c.value, c.complaints) for c in stats.per_day] == [(str(date(2026, 5, 1)), 1)]
    assert (stats.robocalls.yes, stats.robocalls.no) == (0, 1)


def test_a_report_joins_the_campaign_that_says_the_same(session, tmp_path):
    clock = SimulatedClock(NOW)
    campaign_id = ssa_campaign(session, clock)
    row = file(session, clock, transcript=HEARD)
    feed_complaints(session, tmp_path, clock)
    assert complaint_counts(session, [campaign_id], tmp_path) == {}
    assert join_campaign(session, row.call_id, clock) == campaign_id
    campaign = session.get(models.Campaign, campaign_id)
    assert campaign.call_count == 13
    # Its number is now one of the campaign's caller IDs: its complaint counts there.
    assert complaint_counts(session, [campaign_id], tmp_path) == {campaign_id: 1}


def test_a_report_of_the_campaigns_call_back_number_counts_there_without_words(session, tmp_path):
    clock = SimulatedClock(NOW)
    campaign_id = ssa_campaign(session, clock)
    row = file(session, clock, calling_number=SSA_NUMBER, transcript="")
    feed_complaints(session, tmp_path, clock)
    assert join_campaign(session, row.call_id, clock) is None
    assert complaint_counts(session, [campaign_id], tmp_path) == {campaign_id: 1}


def test_a_report_that_says_nothing_known_makes_no_campaign(session, tmp_path):
    clock = SimulatedClock(NOW)
    campaign_id = ssa_campaign(session, clock)
    row = file(session, clock, transcript="Hi, this is Bob about the pool party on Saturday.")
    assert join_campaign(session, row.call_id, clock) is None
    assert list(session.scalars(select(models.Campaign.id))) == [campaign_id]
    # The next campaigns update groups it like any other evidence call.
    update_campaigns(session, clock)
    assert session.get(models.Call, row.call_id).campaign_id not in (None, campaign_id)


def test_each_report_keeps_its_own_campaign_decision(session, tmp_path):
    clock = SimulatedClock(NOW)
    campaign_id = ssa_campaign(session, clock)
    other = file(session, clock, transcript="Hi, this is Bob about the pool party on Saturday.")
    mine = file(session, clock, transcript=HEARD, calling_number="202-555-0177")
    join_campaign(session, mine.call_id, clock)
    assert session.get(models.Call, other.call_id).campaign_id is None  # left for later
    assert session.get(models.Call, mine.call_id).campaign_id == campaign_id


def test_robotrace_reports_feed_stores_what_filing_left_waiting(engine, session, tmp_path):
    from click.testing import CliRunner

    from robotrace.cli import main

    clock = SimulatedClock(NOW)
    file(session, clock)
    file(session, clock, called_number="312-555-0100")
    session.commit()
    url = engine.url.render_as_string(hide_password=False)
    command = ["reports", "feed", "--database-url", url, "--analytics-dir", str(tmp_path)]
    first = CliRunner().invoke(main, command)
    assert first.exit_code == 0, first.output
    assert "2 report(s) fed" in first.output and "2 new complaint(s)" in first.output
    again = CliRunner().invoke(main, command)
    assert "0 report(s) fed" in again.output
    assert sorted(c["complaint_id"] for c in stored_complaints(tmp_path)) == sorted(
        session.scalars(select(models.ConsumerReport.reference))
    )
