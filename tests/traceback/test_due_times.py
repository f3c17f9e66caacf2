"""Hop requests are due by the business-day calendar, in the asked provider's own zone.

Expected times are worked out by hand from the rule (47 CFR 64.1200(n)(1)): a request sent
outside business hours (08:00-17:00 here, weekends and federal holidays off) counts as
received at 08:00 on the next business day in the provider's zone, and is due 24 hours
after that; robotrace moves a due time that falls off hours to the next 08:00."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from robotrace.calendar import BusinessCalendar
from robotrace.settings import Settings
from robotrace.traceback.model import Answer, CallUnderTrace, ProviderInfo, SignerLead
from robotrace.traceback.workflow import (
    Policy,
    Reply,
    WorkflowError,
    answer_hop,
    mark_no_response,
    open_traceback,
    request_signer,
)

POLICY = Policy(calendar=BusinessCalendar())
DIRECTORY = {
    "NYC": ProviderInfo("NYC", "Empire Telco", time_zone="America/New_York"),
    "LAX": ProviderInfo("LAX", "Pacific Wholesale", time_zone="America/Los_Angeles"),
    "HNL": ProviderInfo("HNL", "Island Voice", time_zone="Pacific/Honolulu"),
    "ANY": ProviderInfo("ANY", "Zone Unknown"),  # "": the calendar's default zone
}
CALL = CallUnderTrace("+12025550143", "+13125550199", datetime(2021, 6, 10, 15, tzinfo=UTC))
FRIDAY_EVENING = datetime(2021, 6, 11, 22, tzinfo=UTC)  # 18:00 EDT, 15:00 PDT, 12:00 HST


def opened_at(provider: str, when: datetime, policy: Policy = POLICY):
    return open_traceback("TB-1", CALL, DIRECTORY[provider], when, "c", policy).traceback


def test_a_hop_requested_friday_evening_in_new_york_is_due_tuesday_morning():
    hop = opened_at("NYC", FRIDAY_EVENING).hops[0]
    # Deemed received Monday 14 June 08:00 EDT; due Tuesday 15 June 08:00 EDT.
    assert hop.requested_at == FRIDAY_EVENING
    assert hop.due_at == datetime(2021, 6, 15, 12, tzinfo=UTC)


def test_the_same_moment_is_friday_afternoon_in_los_angeles_and_due_monday():
    # 15:00 PDT is inside business hours; + 24 h is Saturday: moved to Monday 08:00 PDT.
    assert opened_at("LAX", FRIDAY_EVENING).hops[0].due_at == datetime(2021, 6, 14, 15, tzinfo=UTC)


def test_with_the_literal_rule_the_los_angeles_hop_is_due_saturday():
    literal = Policy(calendar=BusinessCalendar(rolls_to_business_day=False))
    hop = opened_at("LAX", FRIDAY_EVENING, literal).hops[0]
    assert hop.due_at == FRIDAY_EVENING + timedelta(hours=24)


def test_a_provider_without_a_zone_gets_the_calendars_default():
    assert opened_at("ANY", FRIDAY_EVENING).hops[0].due_at == datetime(2021, 6, 15, 12, tzinfo=UTC)
    chicago = Policy(calendar=BusinessCalendar(zone="America/Chicago"))
    # 17:00 CDT: the end of the day is outside; Monday 08:00 CDT + 24 h.
    hop = opened_at("ANY", FRIDAY_EVENING, chicago).hops[0]
    assert hop.due_at == datetime(2021, 6, 15, 13, tzinfo=UTC)


def test_the_next_hop_is_due_in_the_upstreams_zone():
    tb = opened_at("NYC", FRIDAY_EVENING)
    monday_7_pdt = datetime(2021, 6, 14, 14, tzinfo=UTC)  # 10:00 EDT, 07:00 PDT
    step = answer_hop(tb, "NYC", Reply(Answer.UPSTREAM, upstream="LAX"), DIRECTORY,
                      monday_7_pdt, "provider:NYC", POLICY)  # fmt: skip
    hop = step.traceback.hops[1]
    # Deemed received at 08:00 PDT (15:00 UTC), due Tuesday 08:00 PDT.
    assert (hop.provider, hop.due_at) == ("LAX", datetime(2021, 6, 15, 15, tzinfo=UTC))
    requested = [e for e in step.events if e.action == "hop.requested"]
    assert requested[0].details["due_at"] == "2021-06-15T15:00:00+00:00"


def test_no_response_can_be_marked_only_after_the_business_day_due_time():
    tb = opened_at("HNL", FRIDAY_EVENING)  # Friday 12:00 HST: due Monday 08:00 HST
    due = datetime(2021, 6, 14, 18, tzinfo=UTC)
    assert tb.hops[0].due_at == due
    saturday_noon = FRIDAY_EVENING + timedelta(hours=24, minutes=1)  # the old 24 h have passed
    with pytest.raises(WorkflowError, match="not overdue yet"):
        mark_no_response(tb, DIRECTORY, saturday_noon, "policy:no_response")
    with pytest.raises(WorkflowError, match="not overdue yet"):
        mark_no_response(tb, DIRECTORY, due, "policy:no_response")
    step = mark_no_response(tb, DIRECTORY, due + timedelta(seconds=1), "policy:no_response")
    assert step.traceback.hops[0].answer is Answer.NO_RESPONSE


def test_the_signers_direct_request_is_due_in_the_signers_zone():
    tb = open_traceback(
        "TB-1", CALL, DIRECTORY["NYC"], FRIDAY_EVENING, "c", POLICY,
        signer=SignerLead("HNL", "A", "origid-1"),
    ).traceback  # fmt: skip
    asked = request_signer(tb, FRIDAY_EVENING, "c", POLICY, "Pacific/Honolulu").traceback
    assert asked.signer is not None
    assert asked.signer.due_at == datetime(2021, 6, 14, 18, tzinfo=UTC)  # Monday 08:00 HST


def test_a_policy_without_a_calendar_counts_wall_clock_hours():
    plain = Policy(due_after=timedelta(hours=2))
    assert opened_at("NYC", FRIDAY_EVENING, plain).hops[0].due_at == FRIDAY_EVENING + timedelta(
        hours=2
    )


def test_the_policy_from_the_settings_reads_the_calendar_and_the_hours(monkeypatch):
    monkeypatch.setenv("ROBOTRACE_HOP_DUE_HOURS", "48")
    monkeypatch.setenv("ROBOTRACE_BUSINESS_DAY_START", "09:00")
    policy = Policy.from_settings(Settings.from_environ())
    # Deemed received Monday 09:00 EDT (13:00 UTC); 48 hours later is Wednesday 09:00 EDT.
    hop = opened_at("NYC", FRIDAY_EVENING, policy).hops[0]
    assert hop.due_at == datetime(2021, 6, 16, 13, tzinfo=UTC)
