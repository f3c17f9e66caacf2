"""Filing a report in the store (SQLite and PostgreSQL): its rows, kept apart, and the abuse
rules — rate limits per client address, duplicates — that refuse before anything is written."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from robotrace.clock import SimulatedClock
from robotrace.reports.checks import check_page_form
from robotrace.reports.filing import DuplicateReport, RateLimited, client_key, file_report
from robotrace.settings import Settings
from robotrace.store import models

from .builders import CALL_TIME_UTC, NOW, minutes, page_form

SETTINGS = Settings.from_environ()  # tests/conftest.py set the secret key
HERE = client_key("203.0.113.7", SETTINGS.secret_key)
THERE = client_key("198.51.100.9", SETTINGS.secret_key)
REPORT = check_page_form(page_form(), NOW, 4000)


def nth_call(n: int):
    """The same report about the ``n``-th of a caller's calls, an hour apart (no duplicates)."""
    return replace(REPORT, call_time=CALL_TIME_UTC - timedelta(hours=n))


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_report_is_its_call_its_sender_apart_and_an_evidence_call(session):
    clock = SimulatedClock(NOW)
    row = file_report(session, REPORT, HERE, "page", clock, SETTINGS)
    session.commit()
    assert re.fullmatch(r"RT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", row.reference)
    stored = session.get(models.ConsumerReport, row.id)
    assert (stored.calling_number, stored.called_number) == ("+12025550143", "+13125550199")
    assert (stored.call_time, stored.received_at, stored.fed_at) == (CALL_TIME_UTC, NOW, None)
    call_columns = {c.name for c in models.ConsumerReport.__table__.columns}
    assert not call_columns & {"name", "email", "client_key"}
    sender = session.get(models.ReportSender, row.id)
    assert (sender.name, sender.email, sender.client_key) == (
        "Jane Q. Reporter",
        "jane.reporter@example.net",
        HERE,
    )
    call = session.get(models.Call, stored.call_id)
    assert (call.source, call.source_ref, call.calling_e164) == (
        "report",
        row.reference,
        "+12025550143",
    )
    assert (call.call_time, call.transcript, call.terminating_provider_id) == (
        CALL_TIME_UTC,
        REPORT.transcript,
        None,  # not traceable: no provider delivered it that we know of
    )


def test_the_client_key_is_a_keyed_hash_not_the_address():
    assert HERE != THERE and len(HERE) == 32
    assert "203" not in HERE


def test_an_address_may_send_the_hours_reports_and_then_hears_when_to_come_back(session):
    clock = SimulatedClock(NOW)
    first = NOW
    for n in range(5):  # report_limit_per_hour
        file_report(session, nth_call(n), HERE, "page", clock, SETTINGS)
        clock.advance(minutes(10))
    with pytest.raises(RateLimited) as refused:
        file_report(session, nth_call(5), HERE, "page", clock, SETTINGS)
    assert refused.value.retry_at == first + timedelta(hours=1)
    assert f"after {NOW + timedelta(hours=1):%Y-%m-%d %H:%M} UTC" in str(refused.value)
    assert count(session, models.ConsumerReport) == 5
    file_report(
        session, nth_call(5), THERE, "page", clock, SETTINGS
    )  # another address is not limited
    clock.set(first + timedelta(hours=1, seconds=1))
    file_report(session, nth_call(6), HERE, "page", clock, SETTINGS)  # the first left the hour


def test_an_address_may_send_the_days_reports(session):
    limits = replace(SETTINGS, report_limit_per_hour=100, report_limit_per_day=3)
    clock = SimulatedClock(NOW)
    for n in range(3):
        file_report(session, nth_call(n), HERE, "api", clock, limits)
        clock.advance(timedelta(hours=2))
    with pytest.raises(RateLimited) as refused:
        file_report(session, nth_call(3), HERE, "api", clock, limits)
    assert refused.value.retry_at == NOW + timedelta(days=1)
    assert "at most 3 reports a day" in str(refused.value)


def test_the_same_call_reported_again_is_refused_naming_the_earlier_report(session):
    clock = SimulatedClock(NOW)
    earlier = file_report(session, REPORT, HERE, "page", clock, SETTINGS)
    again = replace(REPORT, call_time=CALL_TIME_UTC + minutes(9), name="", email="")
    with pytest.raises(DuplicateReport) as refused:
        file_report(session, again, THERE, "api", clock, SETTINGS)
    assert refused.value.reference == earlier.reference
    assert earlier.reference in str(refused.value)
    assert count(session, models.ConsumerReport) == 1
    assert count(session, models.Call) == 1  # nothing written for the refused one


def test_calls_apart_in_time_or_to_another_number_are_not_duplicates(session):
    clock = SimulatedClock(NOW)
    file_report(session, REPORT, HERE, "page", clock, SETTINGS)
    file_report(
        session,
        replace(REPORT, call_time=CALL_TIME_UTC + minutes(11)),
        HERE,
        "page",
        clock,
        SETTINGS,
    )
    file_report(
        session, replace(REPORT, called_number="+13125550100"), HERE, "page", clock, SETTINGS
    )
    references = session.scalars(select(models.ConsumerReport.reference)).all()
    assert len(set(references)) == 3
