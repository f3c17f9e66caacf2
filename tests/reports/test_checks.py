"""The checks of a report, field by field, without a server: what the page and the API
accept, and what they tell a person to do about everything else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from robotrace.evidence.subjects import FTC_SUBJECTS
from robotrace.reports.checks import ReportInvalid, check_api_body, check_page_form

from .builders import CALL_TIME_UTC, NOW, api_body, page_form

LIMIT = 100


def page(**changes: str):
    return check_page_form(page_form(**changes), NOW, LIMIT if "transcript" in changes else 4000)


def problems_of(**changes: str) -> dict[str, str]:
    with pytest.raises(ReportInvalid) as refused:
        page(**changes)
    return refused.value.errors


def api_text(**changes: object) -> dict[str, str]:
    body = api_body(**changes)
    body["recorded_message"] = "yes" if body["recorded_message"] else "no"
    return body


def test_a_page_report_becomes_numbers_in_e164_and_the_time_in_utc():
    report = page()
    assert report.calling_number == "+12025550143"
    assert report.called_number == "+13125550199"
    assert report.call_time == CALL_TIME_UTC  # 14:15 EDT is 18:15 UTC
    assert (report.recorded_message, report.subject, report.state) == (
        True,
        "Imposters",
        "Illinois",
    )
    assert (report.name, report.email) == ("Jane Q. Reporter", "jane.reporter@example.net")


def test_the_time_zone_applies_that_days_daylight_saving_time():
    winter = page(call_date="2026-01-15", call_time="09:30", time_zone="America/Chicago")
    assert winter.call_time == datetime(2026, 1, 15, 15, 30, tzinfo=UTC)  # CST is UTC-6
    arizona = page(call_date="2026-04-30", call_time="09:30", time_zone="America/Phoenix")
    assert arizona.call_time == datetime(2026, 4, 30, 16, 30, tzinfo=UTC)  # MST all year


def test_dates_and_times_typed_without_date_and_time_inputs_are_read_too():
    report = page(call_date="04/30/2026", call_time="2:15 pm")
    assert report.call_time == CALL_TIME_UTC


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("calling_number", "", "Type the number that called you"),
        ("calling_number", "call me maybe", "not a phone number we can read"),
        ("called_number", "+44 20 7946 0958", "your own US phone number"),
        ("called_number", "555", "your own US phone number"),
        ("call_date", "", "Give the date of the call"),
        ("call_date", "30.04.2026", "type it like 04/30/2026"),
        ("call_time", "", "Give the time of the call"),
        ("call_time", "teatime", "type it like 2:15 PM"),
        ("time_zone", "Europe/Paris", "Choose the time zone"),
        ("recorded_message", "", "choose Yes or No"),
        ("subject", "", "choose “Other”"),
        ("subject", "Free cruise", "choose “Other”"),
        ("state", "Atlantis", "Choose your state from the list"),
        ("email", "jane at example", "like name@example.com"),
        ("name", "J" * 201, "Shorten your name"),
    ],
)
def test_each_bad_field_is_refused_with_what_to_do_about_it(field, typed, said):
    assert said in problems_of(**{field: typed})[field]


def test_a_call_still_to_come_or_over_a_year_ago_is_refused_at_its_date():
    assert "still to come" in problems_of(call_date="2026-05-02")["call_date"]
    assert "last 12 months" in problems_of(call_date="2025-04-30")["call_date"]


def test_what_the_caller_said_may_be_as_long_as_the_limit_and_no_longer():
    assert len(page(transcript="x" * LIMIT).transcript) == LIMIT
    said = problems_of(transcript="x" * (LIMIT + 1))["transcript"]
    assert f"{LIMIT:,} characters or fewer (it has {LIMIT + 1:,})" in said


def test_every_problem_is_told_at_once():
    errors = problems_of(calling_number="", subject="", email="nope", time_zone="")
    assert set(errors) == {"calling_number", "subject", "email", "time_zone"}


def test_the_optional_fields_may_be_left_empty():
    report = page(transcript="", name="", email="", state="")
    assert (report.transcript, report.name, report.email, report.state) == ("", "", "", "")


def test_control_characters_are_dropped_but_line_breaks_kept():
    report = page(transcript="Press 1\x00 now.\r\nOr call back.", name=" Jane \x07 Doe ")
    assert report.transcript == "Press 1 now.\nOr call back."
    assert report.name == "Jane Doe"


def test_every_ftc_subject_is_accepted():
    assert [page(subject=s).subject for s in FTC_SUBJECTS] == list(FTC_SUBJECTS)


def test_the_api_reads_one_time_with_its_offset():
    report = check_api_body(api_text(), NOW, 4000)
    assert report.call_time == CALL_TIME_UTC
    in_utc = check_api_body(api_text(called_at="2026-04-30T18:15:00Z"), NOW, 4000)
    assert in_utc.call_time == CALL_TIME_UTC


def test_the_api_refuses_a_time_without_its_offset():
    with pytest.raises(ReportInvalid) as refused:
        check_api_body(api_text(called_at="2026-04-30T14:15:00"), NOW, 4000)
    assert "UTC offset" in refused.value.errors["called_at"]


def test_problems_are_told_in_the_order_of_the_form():
    errors = problems_of(state="Atlantis", calling_number="", call_date="", subject="")
    assert list(errors) == ["calling_number", "call_date", "subject", "state"]
