"""``robotrace calendar due``: a request's deemed receipt and due time, as JSON with offsets
and for a person. Expected values are worked out by hand from the rule and OPM's holiday
table (Independence Day 2021, a Sunday, was observed on Monday 5 July)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from robotrace.cli import main


def calendar(*args: str) -> Result:
    return CliRunner().invoke(main, ["calendar", "due", *args])


def due_json(*args: str) -> dict[str, str]:
    result = calendar(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_friday_evening_request_before_a_holiday_monday_is_due_wednesday():
    found = due_json("--received", "2021-07-02T18:00-04:00", "--zone", "America/New_York")
    assert found == {
        "received": "2021-07-02T18:00:00-04:00",
        "deemed_received": "2021-07-06T08:00:00-04:00",
        "due": "2021-07-07T08:00:00-04:00",
    }


def test_a_utc_time_is_shown_in_the_providers_zone():
    # 22:00 UTC on Friday 11 June 2021 is 12:00 in Honolulu: inside business hours; 24 h
    # later is Saturday, so the due time moves to Monday 08:00 HST.
    found = due_json("--received", "2021-06-11T22:00:00Z", "--zone", "Pacific/Honolulu")
    assert found == {
        "received": "2021-06-11T12:00:00-10:00",
        "deemed_received": "2021-06-11T12:00:00-10:00",
        "due": "2021-06-14T08:00:00-10:00",
    }


def test_a_time_without_an_offset_is_a_wall_time_in_the_zone_and_hours_count():
    found = due_json(
        "--received", "2021-03-09T10:00", "--zone", "America/Los_Angeles", "--hours", "2"
    )
    assert found["received"] == "2021-03-09T10:00:00-08:00"
    assert found["due"] == "2021-03-09T12:00:00-08:00"


def test_the_zone_defaults_to_the_business_zone_setting(monkeypatch):
    monkeypatch.setenv("ROBOTRACE_BUSINESS_ZONE", "America/Chicago")
    found = due_json("--received", "2021-06-12T12:00:00Z")  # Saturday
    assert found["deemed_received"] == "2021-06-14T08:00:00-05:00"


def test_the_literal_rule_leaves_a_saturday_due_time(monkeypatch):
    monkeypatch.setenv("ROBOTRACE_DUE_ROLLS_TO_BUSINESS_DAY", "0")
    found = due_json("--received", "2021-06-11T15:00-04:00", "--zone", "America/New_York")
    assert found["due"] == "2021-06-12T15:00:00-04:00"


def test_without_json_a_person_reads_local_and_utc_times():
    result = calendar("--received", "2021-07-02T18:00-04:00", "--zone", "America/New_York")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "zone: America/New_York; 24 hours after the deemed receipt",
        "received         Fri 2021-07-02 18:00 EDT  (2021-07-02T22:00:00Z)",
        "deemed received  Tue 2021-07-06 08:00 EDT  (2021-07-06T12:00:00Z)",
        "due              Wed 2021-07-07 08:00 EDT  (2021-07-07T12:00:00Z)",
    ]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--received", "2021-07-02T18:00", "--zone", "Mars/Olympus"], "unknown time zone"),
        (["--received", "next friday"], "not an ISO 8601 time: 'next friday'"),
        (["--received", "2021-07-02T18:00", "--hours", "-1"], "--hours"),
        ([], "Missing option '--received'"),
    ],
)
def test_bad_input_is_a_usage_error_that_says_what(args, said):
    result = calendar(*args)
    assert result.exit_code == 2
    assert said in result.output


def test_a_bad_setting_names_its_variable(monkeypatch):
    monkeypatch.setenv("ROBOTRACE_BUSINESS_DAY_START", "8 am")
    result = calendar("--received", "2021-07-02T18:00")
    assert result.exit_code == 1
    assert "ROBOTRACE_BUSINESS_DAY_START='8 am': not a time of day as HH:MM" in result.output
