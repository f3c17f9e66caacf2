"""A traceback through a provider without an OCN, and what happens when the world later learns
who it is (issue 17): it reaches its outcome, and the merge that follows keeps every record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from robotrace.clock import SimulatedClock
from robotrace.enforcement import service as enforcement
from robotrace.enforcement.authorizations import Scope
from robotrace.enforcement.service import AuthorizationRequest
from robotrace.providers.imports import import_registry_file
from robotrace.providers.registry import Provider, named_provider
from robotrace.providers.rmd import RmdFiling, write_rmd_export
from robotrace.providers.rmd_store import statuses
from robotrace.providers.store import identify_provider, resolve_key, upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.audit import list_audit
from robotrace.traceback import service
from robotrace.traceback.model import Answer, CallUnderTrace, Outcome
from robotrace.traceback.store import load_traceback
from robotrace.traceback.workflow import Reply
from tests.support import settings_policy

DUE = Settings.from_environ().rmd_recertification_due  # the RMD recertification date

CALL = CallUnderTrace("+12025550143", "+13125550199", datetime(2024, 4, 30, 15, 4, tzinfo=UTC))
QUIET = RmdFiling(
    line=0,
    number="RMD0031337",
    frn="0033550001",
    business_name="Quiet Reseller LLC",
    other_dba_names=("Quiet Minutes",),
    implementation="No STIR/SHAKEN Implementation - Performing Robocall Mitigation",
    implementation_level="none",
    intermediate_provider=True,
)


@pytest.fixture
def clock():
    return SimulatedClock(datetime(2024, 5, 1, tzinfo=UTC))


@pytest.fixture
def traced(session, clock):
    """AAAA → BBBB → a reseller BBBB names by name and e-mail alone, which names its
    customer: the traceback's outcome, with the reseller's key."""
    known = [Provider("", "Alpha", ocns=("AAAA",)), Provider("", "Bravo", ocns=("BBBB",))]
    upsert_providers(session, known, clock)
    tb = service.open_traceback(session, CALL, "AAAA", "coord", clock, policy=settings_policy())
    service.answer_hop(
        session,
        tb.id,
        "AAAA",
        Reply(Answer.UPSTREAM, upstream="BBBB"),
        "a",
        clock,
        policy=settings_policy(),
    )
    named = named_provider("Quiet Reseller", contact_email="noc@quiet.example")
    reply = Reply(Answer.UPSTREAM)
    tb = service.answer_hop(
        session, tb.id, "BBBB", reply, "b", clock, named=named, policy=settings_policy()
    )
    reseller = tb.hops[-1].provider
    origin = Reply(Answer.ORIGIN, customer="Acme Outreach Ltd")
    tb = service.answer_hop(session, tb.id, reseller, origin, "q", clock, policy=settings_policy())
    return tb, reseller


def test_a_chain_through_an_upstream_without_an_ocn_reaches_its_outcome(session, traced):
    tb, reseller = traced
    assert reseller.startswith("RT-")
    assert tb.outcome is Outcome.ORIGIN_IDENTIFIED
    assert [h.provider for h in tb.hops] == ["AAAA", "BBBB", reseller]


def test_when_an_export_names_it_the_two_become_one_and_nothing_is_lost(
    session, traced, clock, tmp_path
):
    tb, reseller = traced
    letter = enforcement.issue_letter(
        session, reseller, [], ["Acme Outreach Ltd"], "reg", clock, Settings.from_environ()
    )
    clock.advance(timedelta(days=3))
    enforcement.issue_authorization(
        session,
        AuthorizationRequest(reseller, Scope.NO_DIRECT_TRAFFIC, reason="foreign, not in the RMD"),
        "reg",
        clock,
        Settings.from_environ(),
    )
    export = tmp_path / "rmd.csv"
    write_rmd_export(export, [QUIET])
    import_registry_file(session, export, actor="coord", clock=clock)
    assert session.scalar(select(func.count(models.Provider.id))) == 4  # no link known yet

    # The coordinator learns the reseller's RMD number: one company.
    row = session.scalar(select(models.Provider).where(models.Provider.key == reseller))
    survivor = identify_provider(session, row, "rmd", "rmd0031337", "coord", clock)

    assert survivor.key == reseller  # the older provider keeps its key
    assert resolve_key(session, "RMD0031337") == reseller  # the filing's key names it too
    assert session.scalar(select(func.count(models.Provider.id))) == 3
    again = load_traceback(session, tb.id)
    assert again == tb  # every hop, answer and outcome as it was
    actions = session.scalars(
        select(models.EnforcementAction).where(models.EnforcementAction.provider_id == survivor.id)
    ).all()
    assert {a.id for a in actions} > {letter.id} and len(actions) == 2
    filing = session.scalar(select(models.RmdFiling).where(models.RmdFiling.number == QUIET.number))
    assert filing.provider_id == survivor.id
    assert statuses(session, [survivor.id], clock.now().date(), DUE)[survivor.id].status == "listed"
    blocked = enforcement.publish_blocklist(session, clock, Settings.from_environ()).body
    assert (
        f'"provider":"{reseller}"' in blocked and "RMD0031337" not in blocked.split('"reason"')[0]
    )
    (merge,) = [e for e in list_audit(session) if e.action == "provider.merged"]
    assert merge.details["absorbed"] == "RMD0031337"


def test_an_identifier_no_one_holds_is_simply_added(session, traced, clock):
    _, reseller = traced
    row = session.scalar(select(models.Provider).where(models.Provider.key == reseller))
    identify_provider(session, row, "frn", "33550001", "coord", clock)
    assert resolve_key(session, "0033550001") == reseller


@pytest.mark.parametrize(
    ("kind", "value"), [("rmd", "RМD0031337"), ("ocn", "../x"), ("frn", "12345678901")]
)
def test_a_malformed_identifier_is_refused_and_nothing_changes(session, traced, clock, kind, value):
    _, reseller = traced
    row = session.scalar(select(models.Provider).where(models.Provider.key == reseller))
    before = len(row.identifiers)
    with pytest.raises(ValueError):
        identify_provider(session, row, kind, value, "coord", clock)
    assert len(row.identifiers) == before
