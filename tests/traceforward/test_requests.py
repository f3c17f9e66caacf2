"""Trace Forward requests: asking the carrier of a campaign's call-back number whose it is."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from robotrace.clock import SimulatedClock
from robotrace.numbering.blocks import read_number_blocks
from robotrace.numbering.store import import_blocks
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceforward.requests import (
    Reply,
    TraceForwardError,
    answer,
    ask,
    requests_of_campaign,
)
from tests.numbering.test_number_blocks import blocks_file, codes_file
from tests.web.conftest import DUE, PROVIDERS, T0

CALLBACK = "+17133429979"
ACTOR = "coordinator:coord@example.org"


@pytest.fixture
def world(engine, tmp_path):
    """The portal tests' providers; 713-342 held by BBBB, its block 9 pooled to an
    unregistered carrier 981E; campaign ``irs`` reads out +1 713 342 9979 and +1 713 342 1000."""
    clock = SimulatedClock(T0)
    codes = codes_file(tmp_path / "c.txt", ("TX", "713-342", "BBBB", "Bravo Wholesale", "AS"))
    blocks = blocks_file(tmp_path / "b.txt", ("TX", "713", "342", "9", "981E", "Pooled CLEC Inc"))
    with transaction(engine) as session:
        upsert_providers(session, PROVIDERS, clock)
        for path in (codes, blocks):
            import_blocks(session, read_number_blocks(path), clock.now())
        session.add(
            models.Campaign(
                id="irs",
                name="IRS arrest warrant",
                created_at=T0,
                callback_numbers=[CALLBACK, "+17133421000"],
            )
        )
    return clock


def test_the_request_goes_to_the_blocks_holder_due_as_a_hop_request_is(engine, world):
    with transaction(engine) as session:
        request = ask(session, "irs", "(713) 342-1000", ACTOR, world, Settings.from_environ())
        carrier = session.get(models.Provider, request.provider_id)
        assert (carrier.key, request.block, request.ocn) == ("BBBB", "713342", "BBBB")
        assert request.due_at == DUE
    with transaction(engine) as session:
        [notice] = session.scalars(select(models.Notification)).all()
        assert (notice.channel, notice.target, notice.kind) == (
            "email",
            "noc@bbbb.example",
            "traceforward.requested",
        )
        told = json.dumps(notice.payload)
        assert "+17133421000" in told and "IRS arrest warrant" in told
        assert "TB-" not in told and "AAAA" not in told


def test_an_unregistered_carrier_is_added_by_its_ocn_and_name(engine, world):
    with transaction(engine) as session:
        request = ask(session, "irs", CALLBACK, ACTOR, world, Settings.from_environ())
        carrier = session.get(models.Provider, request.provider_id)
        ocns = [i.value for i in carrier.identifiers if i.kind == "ocn"]
        assert (carrier.business_name, ocns) == ("Pooled CLEC Inc", ["981E"])


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("+12025550143", "not a call-back number"),
        ("hello", "not a North American number"),
    ],
)
def test_only_a_campaigns_own_call_back_numbers_are_asked(engine, world, number, reason):
    with transaction(engine) as session, pytest.raises(TraceForwardError, match=reason):
        ask(session, "irs", number, ACTOR, world, Settings.from_environ())


def test_a_number_whose_block_is_unknown_is_refused_with_what_to_do(engine, world):
    with transaction(engine) as session:
        session.get(models.Campaign, "irs").callback_numbers = ["+12125550100"]
    with (
        transaction(engine) as session,
        pytest.raises(TraceForwardError, match="import the number blocks"),
    ):
        ask(session, "irs", "+12125550100", ACTOR, world, Settings.from_environ())


def test_a_number_is_asked_once_while_its_request_is_open(engine, world):
    with transaction(engine) as session:
        first = ask(session, "irs", CALLBACK, ACTOR, world, Settings.from_environ())
        with pytest.raises(TraceForwardError, match="asked already"):
            ask(session, "irs", CALLBACK, ACTOR, world, Settings.from_environ())
        answer(session, first, Reply("not_ours", now_served_by="Other Telco"), "provider:x", world)
        again = ask(session, "irs", CALLBACK, ACTOR, world, Settings.from_environ())
        assert again.id != first.id
        assert [r.id for r, _ in requests_of_campaign(session, "irs")] == [again.id, first.id]


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply("assigned"), "name the customer"),
        (Reply("refused"), "say why"),
        (Reply("maybe"), "answer must be one of"),
        (Reply("assigned", customer="Acme\x1b[2J"), "control characters"),
        (Reply("assigned", customer="x" * 201), "longer than 200"),
    ],
)
def test_an_answer_that_breaks_a_rule_is_refused_and_changes_nothing(engine, world, reply, reason):
    with transaction(engine) as session:
        request = ask(session, "irs", CALLBACK, ACTOR, world, Settings.from_environ())
        with pytest.raises(TraceForwardError, match=reason):
            answer(session, request, reply, "provider:x", world)
        assert request.answer is None and request.answered_at is None


def test_an_answer_keeps_only_the_fields_of_its_kind_and_is_final(engine, world):
    with transaction(engine) as session:
        request = ask(session, "irs", CALLBACK, ACTOR, world, Settings.from_environ())
        reply = Reply("assigned", " Dialer LLC ", "ops@dialer.example", "Other", " seen ")
        answer(session, request, reply, "provider:noc@x", world)
        assert (request.customer, request.customer_contact, request.now_served_by) == (
            "Dialer LLC",
            "ops@dialer.example",
            "",
        )
        assert (request.note, request.answered_at) == ("seen", T0)
        with pytest.raises(TraceForwardError, match="answered already"):
            answer(session, request, Reply("not_assigned"), "provider:noc@x", world)
        actions = session.scalars(select(models.AuditEvent.action)).all()
        assert "traceforward.requested" in actions and "traceforward.answered" in actions
