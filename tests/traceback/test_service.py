"""The workflow through the store: ids, new providers, overdue scan (SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta

import pytest

from robotrace.clock import SimulatedClock
from robotrace.providers.registry import Provider, named_provider
from robotrace.providers.store import upsert_providers
from robotrace.store import models
from robotrace.traceback import service, workflow
from robotrace.traceback.model import Answer, CallUnderTrace, Outcome, ProviderInfo
from robotrace.traceback.store import load_traceback, save_traceback
from robotrace.traceback.workflow import Reply, WorkflowError
from tests.support import settings_policy

CALL = CallUnderTrace("+12025550143", "+13125550199", datetime(2020, 4, 30, 15, 4, tzinfo=UTC))


@pytest.fixture
def clock():
    # A Tuesday, 10:00 in New York (the providers' default zone): due 24 hours later.
    return SimulatedClock(datetime(2020, 5, 5, 14, tzinfo=UTC))


@pytest.fixture
def registered(session, clock):
    upsert_providers(session, [Provider("AAAA", "Alpha"), Provider("BBBB", "Bravo")], clock)
    return session


def test_traceback_ids_count_up_past_six_digits(registered, clock):
    assert service.next_traceback_id(registered) == "TB-000001"
    service.open_traceback(registered, CALL, "AAAA", "c", clock, policy=settings_policy())
    assert service.next_traceback_id(registered) == "TB-000002"
    far = workflow.open_traceback("TB-999999", CALL, ProviderInfo("AAAA"), clock.now(), "c")
    save_traceback(registered, far.traceback)
    service.open_traceback(registered, CALL, "AAAA", "c", clock, policy=settings_policy())
    assert service.next_traceback_id(registered) == "TB-1000001"


def test_an_unknown_terminating_provider_is_a_clear_error(registered, clock):
    with pytest.raises(WorkflowError, match="no provider 'zzzz'"):
        service.open_traceback(registered, CALL, "zzzz", "c", clock, policy=settings_policy())


def test_a_newly_named_upstream_is_registered_with_its_details(registered, clock):
    tb = service.open_traceback(registered, CALL, "AAAA", "c", clock, policy=settings_policy())
    named = named_provider(
        "Fresh Carrier", country="Canada", foreign=True, contact_email="noc@fresh.example"
    )
    reply = Reply(Answer.UPSTREAM)
    tb = service.answer_hop(
        registered, tb.id, "AAAA", reply, "provider:a", clock, named=named, policy=settings_policy()
    )
    new_key = load_traceback(registered, tb.id).hops[-1].provider
    row = registered.query(models.Provider).filter_by(key=new_key).one()
    assert new_key.startswith("RT-")  # known by name alone: a key of its own
    assert (row.business_name, row.foreign, row.contact_email) == (
        "Fresh Carrier",
        True,
        "noc@fresh.example",
    )


def test_a_named_upstream_with_a_known_rmd_number_is_that_provider(registered, clock):
    upsert_providers(registered, [Provider("", "Carrier C", rmd_numbers=("RMD0000042",))], clock)
    tb = service.open_traceback(registered, CALL, "AAAA", "c", clock, policy=settings_policy())
    named = named_provider("Some name the downstream uses", rmd_number="rmd0000042")
    reply = Reply(Answer.UPSTREAM)
    tb = service.answer_hop(
        registered, tb.id, "AAAA", reply, "provider:a", clock, named=named, policy=settings_policy()
    )
    assert load_traceback(registered, tb.id).hops[-1].provider == "RMD0000042"
    assert registered.query(models.Provider).count() == 3


def test_an_upstream_may_be_named_by_any_identifier(registered, clock):
    upsert_providers(registered, [Provider("", "Carrier C", frns=("0000000042",))], clock)
    tb = service.open_traceback(registered, CALL, "AAAA", "c", clock, policy=settings_policy())
    reply = Reply(Answer.UPSTREAM, upstream="42")  # the FRN as the RMD export writes it
    tb = service.answer_hop(
        registered, tb.id, "AAAA", reply, "provider:a", clock, policy=settings_policy()
    )
    assert load_traceback(registered, tb.id).hops[-1].provider.startswith("RT-")


def test_an_unknown_upstream_without_details_is_refused(registered, clock):
    tb = service.open_traceback(registered, CALL, "AAAA", "c", clock, policy=settings_policy())
    with pytest.raises(WorkflowError, match="unknown: name it with its details"):
        service.answer_hop(
            registered,
            tb.id,
            "AAAA",
            Reply(Answer.UPSTREAM, upstream="RMD0000099"),
            "p",
            clock,
            policy=settings_policy(),
        )


def test_overdue_tracebacks_are_found_and_can_be_closed_non_responsive(registered, clock):
    tb = service.open_traceback(registered, CALL, "AAAA", "c", clock, policy=settings_policy())
    assert service.overdue_traceback_ids(registered, clock.now()) == []
    clock.advance(timedelta(hours=25))
    assert service.overdue_traceback_ids(registered, clock.now()) == [tb.id]
    closed = service.mark_no_response(registered, tb.id, "policy:no_response", clock)
    assert closed.outcome is Outcome.NON_RESPONSIVE
    assert service.overdue_traceback_ids(registered, clock.now()) == []
