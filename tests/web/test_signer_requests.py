"""The signer shortcut's direct request reaches the signing provider: a notification through
the outbox, its inbox, and the API; other providers get 404 for it (docs/shaken.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import user_by_email
from robotrace.agent.client import PortalClient
from robotrace.agent.loop import Agent
from robotrace.cdr.lookup import LookupResult
from robotrace.notify.channels.email.render import render
from robotrace.notify.queue import queue_signer_request
from robotrace.settings import DEFAULTS, Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.answerer import RecordsAnswerer
from robotrace.traceback.model import Answer, Outcome, SignerLead, Status
from robotrace.traceback.store import load_traceback
from robotrace.traceback.workflow import WorkflowError
from tests.support import settings_policy

from .conftest import CALL, DUE

ORIGID = "5c1a0e4e-6f0b-4d7e-9a53-1f2e3d4c5b6a"
SIGNER = "noc@bbbb.example"  # BBBB signed the call
OTHER = "noc@aaaa.example"  # AAAA delivered it, and is not the signer


def asked_signer(engine, world, request: bool = True) -> tuple[str, int]:
    """A traceback at AAAA for a call BBBB signed (A), its direct request sent; the
    traceback id and the request's id (its first hop's)."""
    with transaction(engine) as session:
        lead = SignerLead("BBBB", "A", ORIGID)
        tb = service.open_traceback(
            session,
            CALL,
            "AAAA",
            "coordinator:c",
            world.clock,
            signer=lead,
            policy=settings_policy(),
        )
        if request:
            service.request_signer(
                session, tb.id, "coordinator:c", world.clock, Settings.from_environ()
            )
        first = session.scalar(
            select(models.Hop.id).where(models.Hop.traceback_id == tb.id, models.Hop.position == 0)
        )
    return tb.id, first


def signer_notices(engine) -> list[models.Notification]:
    with transaction(engine) as session:
        query = select(models.Notification).where(models.Notification.kind == "signer.requested")
        found = list(session.scalars(query))
        session.expunge_all()
    return found


def add_webhook(engine, world, ocn: str) -> int:
    with transaction(engine) as session:
        provider_id = session.scalar(select(models.Provider.id).where(models.Provider.key == ocn))
        hook = models.Webhook(
            provider_id=provider_id, url="https://hooks.example/x", secret="s" * 32,
            created_at=world.clock.now(),
        )  # fmt: skip
        session.add(hook)
        session.flush()
        return hook.id


def test_the_direct_request_is_notified_once_to_the_signer_by_email_and_webhook(world, engine):
    hook = add_webhook(engine, world, "BBBB")
    add_webhook(engine, world, "AAAA")
    tb_id, request_id = asked_signer(engine, world)
    notices = signer_notices(engine)
    assert sorted((n.channel, n.target) for n in notices) == [
        ("email", "noc@bbbb.example"),  # the contact address and the user's, once
        ("webhook", str(hook)),
    ]
    payload = notices[0].payload
    assert payload["origid"] == ORIGID and payload["request_id"] == request_id
    assert payload["provider"]["key"] == "BBBB"
    assert payload["call"] == {
        "calling_number": CALL.calling_number,
        "called_number": CALL.called_number,
        "call_time": "2020-04-30T15:04:05Z",
    }
    assert payload["due_at"] == "2020-05-04T12:00:00Z"
    assert payload["due_at_local"] == "2020-05-04T08:00:00-04:00"
    assert payload["time_zone"] == "America/New_York"
    assert payload["link"].endswith(f"/inbox/signer/{request_id}")
    assert "traceback_id" not in payload
    mail = render("signer.requested", payload, Settings.from_environ().display_zone)
    assert ORIGID in mail.subject and "/inbox/signer/" in mail.body
    # Queued once: queueing again adds nothing, and the signer is asked only once.
    with transaction(engine) as session:
        assert queue_signer_request(session, tb_id, world.clock, Settings.from_environ()) == 0
        with pytest.raises(WorkflowError, match="already asked"):
            service.request_signer(
                session, tb_id, "coordinator:c", world.clock, Settings.from_environ()
            )
    assert len(signer_notices(engine)) == 2


def test_the_notice_is_queued_in_the_same_transaction_as_the_request(world, engine):
    tb_id, _ = asked_signer(engine, world, request=False)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction(engine) as session:
        service.request_signer(
            session, tb_id, "coordinator:c", world.clock, Settings.from_environ()
        )
        raise Abort
    assert signer_notices(engine) == []
    with transaction(engine) as session:
        assert load_traceback(session, tb_id).signer.requested_at is None  # type: ignore[union-attr]


def test_the_signer_sees_the_direct_request_in_its_inbox_and_answers_origin(
    world, client_for, engine
):
    tb_id, request_id = asked_signer(engine, world)
    signer = client_for(SIGNER)
    inbox = signer.get("/inbox").text
    assert f"direct request: your STIR/SHAKEN signature, origid <code>{ORIGID}</code>" in inbox
    assert f'href="/inbox/signer/{request_id}"' in inbox
    page = signer.get(f"/inbox/signer/{request_id}")
    assert page.status_code == 200 and ORIGID in page.text and tb_id not in page.text
    assert 'name="kind" value="origin"' in page.text
    form = {"csrf_token": signer.csrf, "kind": "origin", "customer": "Acme Outreach LLC",
            "customer_details": "account 4471", "ocn": "AAAA"}  # fmt: skip
    answered = signer.post(f"/inbox/signer/{request_id}", data=form, follow_redirects=False)
    assert answered.status_code == 303
    with transaction(engine) as session:
        tb = load_traceback(session, tb_id)
    assert tb.status is Status.CLOSED and tb.outcome is Outcome.ORIGIN_IDENTIFIED
    assert tb.signer is not None and tb.signer.answer is Answer.ORIGIN
    assert tb.signer.customer == "Acme Outreach LLC" and tb.signer.note == "account 4471"
    done = signer.get(f"/inbox/signer/{request_id}").text
    assert "Your answer" in done and "Acme Outreach LLC" in done
    assert "direct request" not in signer.get("/inbox").text
    again = signer.post(f"/inbox/signer/{request_id}", data=form, follow_redirects=False)
    assert again.status_code == 400 and "answered already" in again.text


def test_an_incomplete_answer_is_shown_again_with_why(world, client_for, engine):
    _, request_id = asked_signer(engine, world)
    signer = client_for(SIGNER)
    form = {"csrf_token": signer.csrf, "kind": "not_found", "explanation": ""}
    response = signer.post(f"/inbox/signer/{request_id}", data=form, follow_redirects=False)
    assert response.status_code == 422 and "an explanation is required" in response.text
    form = {"csrf_token": signer.csrf, "kind": "new_provider", "new_ocn": "ZZZZ"}
    response = signer.post(f"/inbox/signer/{request_id}", data=form, follow_redirects=False)
    assert response.status_code == 422 and "choose one of the answers" in response.text


def test_another_provider_gets_404_for_the_direct_request_like_a_missing_one(
    world, client_for, api_for, engine
):
    _, request_id = asked_signer(engine, world)
    other = client_for(OTHER)
    assert "direct request" not in other.get("/inbox").text
    for path in (f"/inbox/signer/{request_id}", "/inbox/signer/999999"):
        assert other.get(path).status_code == 404
        form = {"csrf_token": other.csrf, "kind": "refused", "reason": "no"}
        assert other.post(path, data=form).status_code == 404
    api = api_for(OTHER)
    assert api.get("/api/v1/signer-requests").json() == []
    theirs = api.get(f"/api/v1/signer-requests/{request_id}")
    missing = api.get("/api/v1/signer-requests/999999")
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
    assert theirs.status_code == 404
    body = {"answer": "refused", "note": "no"}
    posted = api.post(f"/api/v1/signer-requests/{request_id}/answer", json=body)
    assert posted.status_code == 404 and posted.json() == {"detail": "not found"}


def test_the_signer_lists_and_answers_through_the_api(world, api_for, engine):
    tb_id, request_id = asked_signer(engine, world)
    reader = api_for(SIGNER, write=False)
    listed = reader.get("/api/v1/signer-requests").json()
    assert [r["id"] for r in listed] == [request_id]
    assert listed[0]["origid"] == ORIGID and listed[0]["open"] is True
    assert listed[0]["called_number"] == CALL.called_number and "traceback_id" not in listed[0]
    url = f"/api/v1/signer-requests/{request_id}/answer"
    refused = reader.post(url, json={"answer": "origin", "customer": "Acme"})
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    writer = api_for(SIGNER)
    assert writer.post(url, json={"answer": "not_found"}).status_code == 422
    answered = writer.post(url, json={"answer": "origin", "customer": "Acme Outreach LLC"})
    assert answered.status_code == 200, answered.text
    assert answered.json()["answer"] == "origin" and answered.json()["open"] is False
    with transaction(engine) as session:
        tb = load_traceback(session, tb_id)
    assert tb.outcome is Outcome.ORIGIN_IDENTIFIED and tb.signer.customer == "Acme Outreach LLC"  # type: ignore[union-attr]
    assert writer.post(url, json={"answer": "refused", "note": "x"}).status_code == 409
    assert reader.get("/api/v1/signer-requests").json() == []
    everything = reader.get("/api/v1/signer-requests", params={"status": "all"}).json()
    assert [r["answer"] for r in everything] == ["origin"]


def test_a_not_found_answer_is_recorded_and_the_chain_decides(world, api_for, engine):
    tb_id, request_id = asked_signer(engine, world)
    url = f"/api/v1/signer-requests/{request_id}/answer"
    response = api_for(SIGNER).post(url, json={"answer": "not_found", "note": "no such origid"})
    assert response.status_code == 200
    with transaction(engine) as session:
        tb = load_traceback(session, tb_id)
    assert tb.status is Status.OPEN and tb.signer.answer is Answer.NOT_FOUND  # type: ignore[union-attr]


def test_a_closed_traceback_takes_no_answer_from_the_signer(world, api_for, engine):
    tb_id, request_id = asked_signer(engine, world)
    world.clock.set(DUE + timedelta(hours=6))
    with transaction(engine) as session:
        service.mark_no_response(session, tb_id, "coordinator:c", world.clock)
    api = api_for(SIGNER)
    listed = api.get("/api/v1/signer-requests", params={"status": "answered"}).json()
    assert [r["open"] for r in listed] == [False]
    body = {"answer": "origin", "customer": "Acme"}
    response = api.post(f"/api/v1/signer-requests/{request_id}/answer", json=body)
    assert response.status_code == 409 and "closed" in response.json()["detail"]


def test_staff_have_no_signer_requests(world, api_for):
    assert api_for("coord@example.org").get("/api/v1/signer-requests").status_code == 403


def test_the_first_hops_provider_reads_its_hop_and_not_the_direct_request(
    world, client_for, engine
):
    """The request's id is its traceback's first hop id (AAAA's hop): AAAA reads its hop
    by it, and still gets 404 for the direct request."""
    _, request_id = asked_signer(engine, world)
    other = client_for(OTHER)
    assert other.get(f"/inbox/{request_id}").status_code == 200
    assert other.get(f"/inbox/signer/{request_id}").status_code == 404


class OwnRecords:
    """The signer's records: the call came from its customer (a stand-in for its CDRs)."""

    def lookup(self, called: str, calling: str, when, skew_s=None) -> LookupResult:
        assert (called, calling) == (CALL.called_number, CALL.calling_number)
        return LookupResult(
            True, "BBBB", customer="Acme Outreach LLC", delta_s=0.0, sip_call_id="c1"
        )


def test_the_agent_answers_the_direct_request_through_the_real_api(world, engine):
    tb_id, _ = asked_signer(engine, world)
    with transaction(engine) as session:
        user = user_by_email(session, SIGNER)
        token, _ = create_token(session, user, "agent", True, world.clock)
    http = TestClient(
        world.app,
        base_url="http://testserver/api/v1",
        headers={"Authorization": f"Bearer {token}"},
    )
    agent = Agent(
        PortalClient(http, log=lambda _: None),
        RecordsAnswerer(OwnRecords(), skew_s=DEFAULTS.cdr_skew_seconds),
        "BBBB",
    )
    assert agent.run(interval=0, once=True) == 0
    with transaction(engine) as session:
        tb = load_traceback(session, tb_id)
    assert tb.outcome is Outcome.ORIGIN_IDENTIFIED
    assert tb.signer is not None and tb.signer.customer == "Acme Outreach LLC"
    assert tb.signer.note.startswith("matched call c1")
