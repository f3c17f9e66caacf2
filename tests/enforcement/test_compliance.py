from datetime import UTC, datetime, timedelta, timezone

import pytest

from robotrace.enforcement.compliance import (
    COMPLIED,
    NONCOMPLIANT,
    NamedTraffic,
    decide,
    originator_key,
)
from robotrace.enforcement.evidence import evidence_rows
from robotrace.settings import Settings

from .builders import DIRECTORY, T0, originated_by, refused_by, through

DEADLINE = T0 + timedelta(hours=48)
COVID = NamedTraffic(campaigns=("covid-test-kits",))


def decision_for(tracebacks, named=COVID, key="CCCC", deadline=DEADLINE):
    return decide(
        evidence_rows(tracebacks, DIRECTORY, key),
        named,
        deadline,
        Settings.from_environ().display_zone,
    )


def test_a_call_one_second_after_the_deadline_makes_the_provider_noncompliant():
    decision = decision_for([through("CCCC", DEADLINE + timedelta(seconds=1))])
    assert decision.status == NONCOMPLIANT
    assert [r.traceback_id for r in decision.rows] == ["TB-000001"]
    assert "TB-000001" in decision.text


def test_a_call_exactly_at_the_deadline_does_not_count():
    assert decision_for([through("CCCC", DEADLINE)]).status == COMPLIED


def test_a_call_one_second_before_the_deadline_does_not_count():
    decision = decision_for([through("CCCC", DEADLINE - timedelta(seconds=1))])
    assert decision.status == COMPLIED
    assert decision.rows == ()


def test_no_tracebacks_at_all_means_complied():
    assert decision_for([]).status == COMPLIED


def test_naive_times_are_taken_as_utc():
    naive_deadline = DEADLINE.replace(tzinfo=None)
    after = through("CCCC", (DEADLINE + timedelta(seconds=1)).replace(tzinfo=None))
    at = through("CCCC", DEADLINE.replace(tzinfo=None), "TB-2")
    assert decision_for([after], deadline=naive_deadline).status == NONCOMPLIANT
    assert decision_for([at], deadline=naive_deadline).status == COMPLIED
    assert decision_for([after], deadline=DEADLINE).status == NONCOMPLIANT


def test_offsets_compare_as_the_same_instant():
    eastern = timezone(timedelta(hours=-4))
    same_instant = DEADLINE.astimezone(eastern)  # 08:00-04:00 is 12:00Z
    assert decision_for([through("CCCC", same_instant)]).status == COMPLIED
    one_later = (DEADLINE + timedelta(seconds=1)).astimezone(eastern)
    assert decision_for([through("CCCC", one_later)]).status == NONCOMPLIANT
    # a deadline written with an offset is the same deadline
    deadline_in_tokyo = DEADLINE.astimezone(timezone(timedelta(hours=9)))
    at = through("CCCC", DEADLINE)
    assert decision_for([at], deadline=deadline_in_tokyo).status == COMPLIED


def test_only_the_named_campaign_counts():
    other = through("CCCC", DEADLINE + timedelta(hours=1), campaign="auto-warranty", customer=None)
    assert decision_for([other]).status == COMPLIED


def test_a_named_originator_counts_whatever_the_campaign():
    named = NamedTraffic(originators=("voice  are us ltd",))
    call = through("CCCC", DEADLINE + timedelta(hours=1), campaign="auto-warranty")
    assert decision_for([call], named).status == NONCOMPLIANT


def test_an_originator_naming_does_not_catch_other_customers():
    named = NamedTraffic(originators=("Voice Are Us Ltd",))
    call = through("CCCC", DEADLINE + timedelta(hours=1), customer="Somebody Else")
    assert decision_for([call], named).status == COMPLIED


def test_the_originating_provider_is_caught_for_its_own_customer():
    named = NamedTraffic(originators=("Acme Outreach",))
    call = originated_by("BBBB", DEADLINE + timedelta(minutes=5), "TB-9")
    assert decision_for([call], named, key="BBBB").status == NONCOMPLIANT


def test_refusing_a_traceback_alone_is_not_carrying_the_traffic():
    call = refused_by("CCCC", DEADLINE + timedelta(hours=1), "TB-7", campaign="covid-test-kits")
    assert decision_for([call]).status == COMPLIED


def test_another_gateway_carrying_the_campaign_does_not_count_against_this_one():
    assert decision_for([through("DDDD", DEADLINE + timedelta(hours=1))]).status == COMPLIED


def test_a_letter_must_name_something():
    with pytest.raises(ValueError):
        NamedTraffic()


def test_originator_names_compare_without_case_and_extra_spaces():
    assert originator_key("  Voice   ARE us ") == originator_key("voice are us")


def test_the_decision_lists_rows_in_call_time_order():
    late = through("CCCC", datetime(2020, 5, 5, tzinfo=UTC), "TB-B")
    early = through("CCCC", datetime(2020, 5, 4, tzinfo=UTC), "TB-A")
    assert [r.traceback_id for r in decision_for([late, early]).rows] == ["TB-A", "TB-B"]
