from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store import models
from robotrace.traceback.model import (
    Answer,
    CallUnderTrace,
    Hop,
    Outcome,
    Status,
    Traceback,
)
from robotrace.traceback.store import (
    TracebackNotFound,
    UnknownProviders,
    list_tracebacks,
    load_traceback,
    load_tracebacks,
    save_traceback,
)

T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


@pytest.fixture(autouse=True)
def providers(session):
    names = {"TERM": "Terminating Co", "MID1": "Middle Co", "GATE": "Gateway Co", "FX99": "Far"}
    upsert_providers(session, [Provider(ocn, name) for ocn, name in names.items()])


def hop(position: int, provider: str, **answer) -> Hop:
    requested = T0 + timedelta(hours=position)
    return Hop(position, provider, requested, requested + DAY, **answer)


def traceback(tb_id: str = "TB-1", *hops: Hop, **fields) -> Traceback:
    call = CallUnderTrace("+1 (202) 555-0143", "2025550199", T0 - timedelta(minutes=5))
    fields.setdefault("opened_at", T0)
    return Traceback(tb_id, call, "TERM", hops=hops, **fields)


def finished_traceback() -> Traceback:
    """A closed chain that uses every field of a hop and of a traceback."""
    answered = T0 + timedelta(hours=3, microseconds=250)
    return traceback(
        "TB-7",
        hop(0, "TERM", answer=Answer.UPSTREAM, answered_at=answered, upstream="MID1"),
        hop(1, "MID1", answer=Answer.UPSTREAM, answered_at=answered, upstream="GATE", late=True),
        hop(
            2,
            "GATE",
            answer=Answer.ORIGIN,
            answered_at=answered,
            customer="Acme Dialer LLC",
            note="customer since 2019",
        ),
        status=Status.CLOSED,
        outcome=Outcome.ORIGIN_IDENTIFIED,
        closed_at=answered,
        campaign="auto-warranty",
    )


def test_a_traceback_comes_back_exactly_as_it_was_saved(session):
    saved = finished_traceback()
    save_traceback(session, saved)
    session.commit()
    session.expunge_all()
    loaded = load_traceback(session, "TB-7")
    assert loaded == saved
    assert type(loaded.status) is Status and type(loaded.hops[0].answer) is Answer
    assert loaded.outcome is Outcome.ORIGIN_IDENTIFIED
    assert all(h.requested_at.tzinfo is UTC for h in loaded.hops)


def test_an_open_traceback_without_hops_round_trips(session):
    saved = traceback("TB-2")
    save_traceback(session, saved)
    session.expunge_all()
    assert load_traceback(session, "TB-2") == saved


def test_times_with_offsets_come_back_as_the_same_instants_in_utc(session):
    eastern = timezone(timedelta(hours=-4))
    saved = traceback("TB-3", hop(0, "TERM"), opened_at=T0.astimezone(eastern))
    save_traceback(session, saved)
    session.expunge_all()
    loaded = load_traceback(session, "TB-3")
    assert loaded.opened_at == T0 and loaded.opened_at.tzinfo is UTC


def test_saving_again_brings_the_traceback_and_its_hops_up_to_date(session):
    first = traceback("TB-1", hop(0, "TERM"))
    save_traceback(session, first)
    answered = replace(first.hops[0], answer=Answer.UPSTREAM, answered_at=T0, upstream="MID1")
    grown = replace(first, hops=(answered, hop(1, "MID1")))
    save_traceback(session, grown)
    session.commit()
    session.expunge_all()
    assert load_traceback(session, "TB-1") == grown
    assert session.scalar(select(func.count()).select_from(models.Hop)) == 2


def test_saving_a_shorter_chain_removes_the_dropped_hops(session):
    save_traceback(session, traceback("TB-1", hop(0, "TERM"), hop(1, "MID1"), hop(2, "GATE")))
    shorter = traceback("TB-1", hop(0, "TERM"))
    save_traceback(session, shorter)
    session.expunge_all()
    assert load_traceback(session, "TB-1") == shorter
    assert session.scalar(select(func.count()).select_from(models.Hop)) == 1


def test_a_hop_naming_an_unknown_provider_is_refused(session):
    unknown = traceback("TB-1", hop(0, "TERM", answer=Answer.UPSTREAM, upstream="NOPE"))
    with pytest.raises(UnknownProviders) as error:
        save_traceback(session, unknown)
    assert error.value.keys == ["NOPE"]
    assert session.scalar(select(func.count()).select_from(models.Traceback)) == 0


def test_an_unknown_terminating_provider_is_refused(session):
    with pytest.raises(UnknownProviders, match="GHOST"):
        save_traceback(session, replace(traceback(), terminating_provider="GHOST"))


def test_loading_a_traceback_that_is_not_there_says_so(session):
    with pytest.raises(TracebackNotFound, match="TB-404"):
        load_traceback(session, "TB-404")


def test_tracebacks_are_listed_in_the_order_they_were_opened(session):
    for number in (3, 1, 2):
        save_traceback(session, traceback(f"TB-{number}", opened_at=T0 + timedelta(hours=number)))
    assert [tb.id for tb in list_tracebacks(session)] == ["TB-1", "TB-2", "TB-3"]


def test_tracebacks_can_be_listed_by_status(session):
    save_traceback(session, traceback("TB-open", hop(0, "TERM")))
    save_traceback(session, finished_traceback())
    assert [tb.id for tb in list_tracebacks(session, Status.OPEN)] == ["TB-open"]
    assert list_tracebacks(session, "closed") == [finished_traceback()]


def test_a_traceback_can_be_linked_to_its_evidence_call(session):
    call = models.Call(
        source="honeypot",
        source_ref="c1",
        calling_number="0000",
        called_number="2025550199",
        call_time=T0,
        imported_at=T0,
    )
    session.add(call)
    session.flush()
    save_traceback(session, traceback("TB-1"), call_id=call.id)
    save_traceback(session, traceback("TB-1", hop(0, "TERM")))
    assert session.get(models.Traceback, "TB-1").call_id == call.id


def test_several_tracebacks_load_at_once_in_the_order_opened(session):
    later = traceback("TB-2", hop(0, "TERM"), opened_at=T0 + DAY)
    for tb in (later, finished_traceback(), traceback("TB-3")):
        save_traceback(session, tb)
    loaded = load_tracebacks(session, ["TB-2", "TB-7", "TB-404"])
    assert [tb.id for tb in loaded] == ["TB-7", "TB-2"]  # TB-7 opened first; TB-404 is none
    assert loaded[0] == finished_traceback() and loaded[1] == later
    assert load_tracebacks(session, []) == []
