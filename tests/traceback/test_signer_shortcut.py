"""The signer shortcut: a verified A/B signature sends a direct request to the signer; its
origin answer closes the traceback, and the hop chain goes on to confirm the path."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from robotrace.clock import SimulatedClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.shaken.certificate import load_bundle
from robotrace.shaken.chain import TrustStore
from robotrace.shaken.labpki import LabPki
from robotrace.shaken.sign import Signer
from robotrace.shaken.stored_calls import verify_calls
from robotrace.shaken.verify import Verifier
from robotrace.store import models
from robotrace.traceback import service
from robotrace.traceback.answerer import SilentAnswerer
from robotrace.traceback.findings import signer_on_path, summary_of
from robotrace.traceback.model import Answer, Outcome, SignerLead, Status
from robotrace.traceback.runner import Run, run_to_outcome
from robotrace.traceback.store import load_traceback
from robotrace.traceback.workflow import (
    Reply,
    TracebackClosed,
    WorkflowError,
    answer_signer,
    mark_no_response,
    request_signer,
)
from tests.support import settings_policy

from .builders import CALL, DIRECTORY, POLICY, T0, FixedAnswerer, answer, opened, origin, upstream

ORIGID = "5b0e7c1e-4a53-4f57-9d51-0c2b8a3f6e11"


def with_signer(provider: str = "ORIG", attest: str = "A"):
    return replace(opened(), signer=SignerLead(provider, attest, ORIGID))


def test_the_signers_origin_answer_closes_the_traceback_at_once():
    tb = request_signer(with_signer(), T0, "coordinator:ann", POLICY).traceback
    assert tb.signer.requested_at == T0 and tb.signer.due_at == T0 + timedelta(hours=24)
    step = answer_signer(tb, "ORIG", origin("Acme"), T0 + timedelta(minutes=20), "provider:ORIG")
    tb = step.traceback
    assert (tb.status, tb.outcome) == (Status.CLOSED, Outcome.ORIGIN_IDENTIFIED)
    assert tb.closed_at == T0 + timedelta(minutes=20)
    assert [e.action for e in step.events] == ["signer.answered", "traceback.closed"]
    assert summary_of(tb, DIRECTORY)["originating_provider"] == "ORIG"
    assert summary_of(tb, DIRECTORY)["customer"] == "Acme"


def test_the_chain_goes_on_after_the_shortcut_and_confirms_the_signer_on_the_path():
    tb = request_signer(with_signer(), T0, "c", POLICY).traceback
    tb = answer_signer(tb, "ORIG", origin("Acme"), T0, "provider:ORIG").traceback
    assert tb.confirming and signer_on_path(tb) is None
    tb = answer(tb, "TERM", upstream("MID")).traceback
    tb = answer(tb, "MID", upstream("ORIG")).traceback
    assert signer_on_path(tb) is True
    step = answer(tb, "ORIG", origin("Acme"))
    assert step.events[-1].action == "traceback.confirmed"
    assert step.events[-1].details == {"signer_on_path": True}
    tb = step.traceback
    assert not tb.confirming and tb.outcome is Outcome.ORIGIN_IDENTIFIED
    assert tb.closed_at == T0  # the shortcut's time, not the chain's


def test_findings_show_a_signer_that_was_not_on_the_traced_path():
    tb = request_signer(with_signer("GATE", "B"), T0, "c", POLICY).traceback
    tb = answer_signer(tb, "GATE", Reply(Answer.NOT_FOUND), T0, "provider:GATE").traceback
    assert tb.status is Status.OPEN
    for provider, reply in (("TERM", upstream("MID")), ("MID", upstream("ORIG"))):
        tb = answer(tb, provider, reply).traceback
    tb = answer(tb, "ORIG", origin("Acme")).traceback
    summary = summary_of(tb, DIRECTORY)
    assert (summary["originating_provider"], summary["signer_on_path"]) == ("ORIG", False)
    assert summary["signer"]["provider"] == "GATE"
    assert summary["signer"]["answer"] == "not_found"


def test_attestation_c_names_a_gateway_and_gets_no_direct_request():
    with pytest.raises(WorkflowError, match="attestation C names a gateway"):
        request_signer(with_signer("GATE", "C"), T0, "c", POLICY)


def test_only_the_asked_signer_answers_and_only_once():
    tb = with_signer()
    with pytest.raises(WorkflowError, match="no direct request"):
        answer_signer(tb, "ORIG", origin(), T0, "p")
    tb = request_signer(tb, T0, "c", POLICY).traceback
    with pytest.raises(WorkflowError, match="no direct request"):
        answer_signer(tb, "MID", origin(), T0, "p")
    tb = answer_signer(tb, "ORIG", origin(), T0, "p").traceback
    with pytest.raises(WorkflowError, match="answered already"):
        answer_signer(tb, "ORIG", origin(), T0, "p")


def test_the_signer_refuses_only_with_its_reason():
    tb = request_signer(with_signer(), T0, "c", POLICY).traceback
    with pytest.raises(WorkflowError, match="a refused answer must say why"):
        answer_signer(tb, "ORIG", Reply(Answer.REFUSED), T0, "p")
    tb = answer_signer(tb, "ORIG", Reply(Answer.REFUSED, note="ask our lawyers"), T0, "p").traceback
    assert (tb.signer.answer, tb.signer.note) == (Answer.REFUSED, "ask our lawyers")


def test_a_confirming_hop_cannot_be_marked_no_response():
    tb = request_signer(with_signer(), T0, "c", POLICY).traceback
    tb = answer_signer(tb, "ORIG", origin(), T0, "p").traceback
    with pytest.raises(TracebackClosed):
        mark_no_response(tb, DIRECTORY, T0 + timedelta(days=3), "policy")


def _run(shortcut: bool):
    answerers = {
        "TERM": FixedAnswerer(upstream("MID")),
        "MID": SilentAnswerer(),
        "ORIG": FixedAnswerer(origin("Acme")),
    }
    clock = SimulatedClock(T0)
    run = run_to_outcome(
        Run(with_signer()), answerers, dict(DIRECTORY), clock, POLICY,
        lambda ocn: timedelta(minutes=30), shortcut=shortcut,
    )  # fmt: skip
    return run.traceback, answerers["ORIG"]


def test_the_runner_finishes_faster_with_the_shortcut_past_a_silent_intermediate():
    slow, _ = _run(shortcut=False)
    fast, signer = _run(shortcut=True)
    assert slow.outcome is Outcome.NON_RESPONSIVE
    assert slow.closed_at - slow.opened_at > timedelta(hours=24)
    assert fast.outcome is Outcome.ORIGIN_IDENTIFIED
    assert fast.closed_at - fast.opened_at == timedelta(minutes=30)
    assert signer.asked[0].origid == ORIGID
    assert [h.provider for h in fast.hops] == ["TERM", "MID"]  # the chain went on


# --- through the store, with a really signed and verified call (SQLite and PostgreSQL) ---

CALL_TIME = datetime(2020, 4, 30, 15, 4, 5, tzinfo=UTC)
X5U = "https://certs.lab.example/{}.pem"


@pytest.fixture(scope="module")
def pki() -> LabPki:
    return LabPki.create(now=datetime(2020, 1, 1, tzinfo=UTC), seed=9)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2020, 5, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def registered(session, clock):
    providers = [
        Provider(ocn, info.name, ocns=(ocn,)) for ocn, info in DIRECTORY.items() if not info.foreign
    ]
    upsert_providers(session, providers, clock)
    return session


def signed_call(session, pki: LabPki, spc: str, attest: str, origid: str) -> models.Call:
    """A honeypot call at TERM that ``spc`` signed, stored and verified."""
    credential = pki.issue(spc, not_before=datetime(2020, 1, 1, tzinfo=UTC), days=365)
    signer = Signer(credential.key, X5U.format(spc), deterministic=True)
    identity = signer.sign(
        attest, CALL.calling_number, CALL.called_number, origid=origid,
        iat=int(CALL_TIME.timestamp()),
    )  # fmt: skip
    term = session.scalar(select(models.Provider).where(models.Provider.key == "TERM"))
    call = models.Call(
        source="honeypot", source_ref=f"hp-{uuid.uuid4().hex[:8]}", identity=identity,
        calling_number=CALL.calling_number, called_number=CALL.called_number,
        calling_e164=CALL.calling_number, called_e164=CALL.called_number, call_time=CALL_TIME,
        terminating_provider_id=term.id, imported_at=CALL_TIME,
    )  # fmt: skip
    session.add(call)
    session.flush()
    verifier = Verifier(TrustStore([pki.root.cert]))
    known = {X5U.format(spc): load_bundle(credential.x5u_pem())}
    verify_calls(session, verifier, SimulatedClock(CALL_TIME), known)
    return call


def test_a_traceback_of_a_verified_call_records_its_signer(registered, pki, clock):
    call = signed_call(registered, pki, "ORIG", "A", ORIGID)
    assert (call.shaken_valid, call.shaken_spc, call.shaken_attest) == (True, "ORIG", "A")
    tb = service.open_traceback_for_call(
        registered, call.id, "coordinator:ann", clock, policy=settings_policy()
    )
    assert tb.signer == SignerLead("ORIG", "A", ORIGID)
    assert load_traceback(registered, tb.id).signer == tb.signer


def test_the_shortcut_through_the_store_closes_early_and_the_chain_confirms(registered, pki, clock):
    call = signed_call(registered, pki, "ORIG", "B", ORIGID)
    tb = service.open_traceback_for_call(
        registered, call.id, "coordinator:ann", clock, policy=settings_policy()
    )
    service.request_signer(registered, tb.id, "coordinator:ann", clock, Settings.from_environ())
    clock.advance(timedelta(hours=2))
    tb = service.answer_signer(registered, tb.id, "orig", origin("Acme"), "provider:ORIG", clock)
    assert (tb.outcome, tb.closed_at) == (Outcome.ORIGIN_IDENTIFIED, clock.now())
    for provider, reply in (("TERM", upstream("MID")), ("MID", upstream("ORIG"))):
        clock.advance(timedelta(hours=5))
        service.answer_hop(
            registered,
            tb.id,
            provider,
            reply,
            f"provider:{provider}",
            clock,
            policy=settings_policy(),
        )
    row = registered.get(models.Traceback, tb.id)
    assert (row.signer_key, row.signer_attest, row.signer_answer) == ("ORIG", "B", "origin")
    assert row.signer_on_path is True
    assert row.closed_at == datetime(2020, 5, 1, 11, 0, tzinfo=UTC)
    actions = [e.action for e in registered.scalars(select(models.AuditEvent))]
    assert {"signer.recorded", "signer.requested", "signer.answered"} <= set(actions)


def test_a_signer_outside_the_registry_or_an_invalid_signature_gives_no_lead(
    registered, pki, clock
):
    unknown = signed_call(registered, pki, "ZZZZ", "A", ORIGID)
    assert unknown.shaken_valid is True
    assert (
        service.open_traceback_for_call(
            registered, unknown.id, "c", clock, policy=settings_policy()
        ).signer
        is None
    )
    forged = signed_call(registered, pki, "ORIG", "A", ORIGID)
    forged.called_number = forged.called_e164 = "+14155550100"  # not the signed callee
    forged.verified_at = None
    registered.flush()
    verify_calls(registered, Verifier(TrustStore([pki.root.cert])), clock, {})
    assert (forged.shaken_valid, forged.shaken_code) == (False, 438)
    assert (
        service.open_traceback_for_call(
            registered, forged.id, "c", clock, policy=settings_policy()
        ).signer
        is None
    )
