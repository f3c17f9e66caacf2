"""The traceback page shows the call's STIR/SHAKEN verification and the signer shortcut; a
hop of a traceback the signer closed stays in the provider's inbox to confirm the path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from robotrace.clock import SimulatedClock
from robotrace.settings import Settings
from robotrace.shaken.certificate import load_bundle
from robotrace.shaken.chain import TrustStore
from robotrace.shaken.labpki import LabPki
from robotrace.shaken.sign import Signer
from robotrace.shaken.stored_calls import verify_calls
from robotrace.shaken.verify import Verifier
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import Answer
from robotrace.traceback.store import load_traceback
from robotrace.traceback.workflow import Reply
from tests.support import settings_policy

from .conftest import CALL

ORIGID = "0f1e2d3c-4b5a-4968-8776-655443322110"
X5U = "https://certs.lab.example/CCCC.pem"


def post(client, path: str, **fields: str):
    return client.post(path, data={"csrf_token": client.csrf, **fields}, follow_redirects=False)


def signed_traceback(engine, world, attest: str = "B", valid: bool = True) -> str:
    """A honeypot call at AAAA signed by CCCC, verified, and a traceback opened for it."""
    pki = LabPki.create(now=datetime(2020, 1, 1, tzinfo=UTC), seed=4)
    credential = pki.issue("CCCC", not_before=datetime(2020, 1, 1, tzinfo=UTC), days=365)
    iat = int(CALL.call_time.timestamp()) - (0 if valid else 600)
    identity = Signer(credential.key, X5U).sign(
        attest, CALL.calling_number, CALL.called_number, origid=ORIGID, iat=iat
    )
    with transaction(engine) as session:
        term = session.query(models.Provider).filter_by(key="AAAA").one()
        call = models.Call(
            source="honeypot", source_ref="hp-signed", identity=identity,
            calling_number=CALL.calling_number, called_number=CALL.called_number,
            call_time=CALL.call_time, terminating_provider_id=term.id,
            imported_at=world.clock.now(),
        )  # fmt: skip
        session.add(call)
        session.flush()
        verifier = Verifier(TrustStore([pki.root.cert]))
        known = {X5U: load_bundle(credential.x5u_pem())}
        verify_calls(session, verifier, SimulatedClock(world.clock.now()), known)
        tb = service.open_traceback_for_call(
            session, call.id, "coordinator:c", world.clock, policy=settings_policy()
        )
    return tb.id


def test_the_page_shows_the_verified_call_and_its_signer(world, client_for, engine):
    tb_id = signed_traceback(engine, world)
    page = client_for("coord@example.org").get(f"/tracebacks/{tb_id}").text
    shaken = page.split("<h2>STIR/SHAKEN</h2>")[1].split("<h2>Signer</h2>")[0]
    summary = "Caller ID signature: valid (attestation B, signed by the provider with OCN CCCC)"
    assert summary in shaken and "<dd>B — partial" in shaken and "<dd>CCCC</dd>" in shaken
    assert ORIGID in shaken
    signer = page.split("<h2>Signer</h2>")[1].split("<h2>Chain</h2>")[0]
    assert "CCCC" in signer and "names the originating provider" in signer
    assert "not known yet" in signer and "Ask the signer CCCC directly" in signer


def test_an_invalid_signature_is_shown_with_its_code_and_gives_no_signer(world, client_for, engine):
    tb_id = signed_traceback(engine, world, valid=False)
    page = client_for("fcc@example.org").get(f"/tracebacks/{tb_id}").text
    assert "Caller ID signature: not valid (code 403): " in page and "iat is 600 s old" in page
    assert "<h2>Signer</h2>" not in page


def test_a_coordinator_asks_the_signer_and_its_answer_closes_the_traceback(
    world, client_for, engine
):
    tb_id = signed_traceback(engine, world)
    coordinator = client_for("coord@example.org")
    assert post(coordinator, f"/tracebacks/{tb_id}/ask-signer").status_code == 303
    page = coordinator.get(f"/tracebacks/{tb_id}").text
    assert "Asked directly" in page and "Signer CCCC asked directly" in page
    assert "Ask the signer" not in page
    again = post(coordinator, f"/tracebacks/{tb_id}/ask-signer")
    assert again.status_code == 409 and "already asked" in again.text
    world.clock.advance(timedelta(hours=1))
    with transaction(engine) as session:
        reply = Reply(Answer.ORIGIN, customer="Acme Outreach")
        service.answer_signer(session, tb_id, "CCCC", reply, "provider:CCCC", world.clock)
    page = coordinator.get(f"/tracebacks/{tb_id}").text
    assert "outcome-origin_identified" in page and "customer Acme Outreach" in page


def test_a_regulator_may_not_ask_the_signer(world, client_for, engine):
    tb_id = signed_traceback(engine, world)
    assert post(client_for("fcc@example.org"), f"/tracebacks/{tb_id}/ask-signer").status_code == 403


def test_the_chain_hop_stays_open_for_its_provider_after_the_signer_closed_it(
    world, client_for, api_for, engine
):
    tb_id = signed_traceback(engine, world)
    with transaction(engine) as session:
        service.request_signer(
            session, tb_id, "coordinator:c", world.clock, Settings.from_environ()
        )
        reply = Reply(Answer.ORIGIN, customer="Acme Outreach")
        service.answer_signer(session, tb_id, "CCCC", reply, "provider:CCCC", world.clock)
        hop_id = session.query(models.Hop.id).filter_by(traceback_id=tb_id).scalar()
    provider = api_for("noc@aaaa.example")
    listed = provider.get("/api/v1/hop-requests").json()
    assert hop_id in [r["id"] for r in listed]
    answered = provider.post(
        f"/api/v1/hop-requests/{hop_id}/answer", json={"answer": "upstream", "upstream": "CCCC"}
    )
    assert answered.status_code < 300, answered.text
    with transaction(engine) as session:
        assert [h.provider for h in load_traceback(session, tb_id).hops] == [
            "AAAA",
            "CCCC",
        ]
    page = client_for("coord@example.org").get(f"/tracebacks/{tb_id}").text
    assert "<dt>On the traced path</dt><dd>yes</dd>" in page


def test_the_api_gives_the_signer_and_whether_it_was_on_the_path(world, api_for, engine):
    tb_id = signed_traceback(engine, world, attest="A")
    body = api_for("coord@example.org").get(f"/api/v1/tracebacks/{tb_id}").json()
    assert body["signer"]["provider"] == "CCCC" and body["signer"]["attest"] == "A"
    assert body["signer"]["origid"] == ORIGID and body["signer_on_path"] is None


def test_a_coordinator_records_the_signers_answer_from_the_page(world, client_for, engine):
    tb_id = signed_traceback(engine, world)
    coordinator = client_for("coord@example.org")
    early = post(coordinator, f"/tracebacks/{tb_id}/signer-answer", answer="origin", customer="X")
    assert early.status_code == 409 and "no direct request" in early.text
    post(coordinator, f"/tracebacks/{tb_id}/ask-signer")
    assert "Record the signer" in coordinator.get(f"/tracebacks/{tb_id}").text
    world.clock.advance(timedelta(hours=3))
    done = post(
        coordinator, f"/tracebacks/{tb_id}/signer-answer", answer="origin", customer="Acme Ltd"
    )
    assert done.status_code == 303
    with transaction(engine) as session:
        tb = load_traceback(session, tb_id)
    assert (tb.outcome.value, tb.closed_at) == ("origin_identified", world.clock.now())
    assert tb.signer.customer == "Acme Ltd"
    assert "Record the signer" not in coordinator.get(f"/tracebacks/{tb_id}").text
