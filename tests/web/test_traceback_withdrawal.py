"""Withdrawing a traceback opened by mistake: the page's two steps, the API, and that the
withdrawn traceback counts for nothing anywhere."""

from __future__ import annotations

from datetime import timedelta

from robotrace.stats.scorecards import provider_scorecards
from robotrace.store.audit import list_audit
from robotrace.store.db import transaction
from robotrace.traceback.model import Outcome
from robotrace.traceback.store import load_traceback

from .conftest import DUE

COORD, FCC, ALPHA = "coord@example.org", "fcc@example.org", "noc@aaaa.example"


def post(client, path: str, **fields: str):
    return client.post(path, data={"csrf_token": client.csrf, **fields}, follow_redirects=False)


def test_the_page_asks_for_confirmation_and_changes_nothing_before_it(world, client_for, engine):
    coordinator = client_for(COORD)
    page = post(coordinator, f"/tracebacks/{world.traceback_id}/withdraw", reason="typo")
    assert page.status_code == 200
    assert "Yes, withdraw" in page.text and "AAAA (hop 0) is cancelled" in page.text
    with transaction(engine) as session:
        assert load_traceback(session, world.traceback_id).outcome is None


def test_an_empty_reason_is_refused_next_to_the_reason_field(world, client_for, engine):
    coordinator = client_for(COORD)
    page = post(coordinator, f"/tracebacks/{world.traceback_id}/withdraw", reason="  ")
    assert page.status_code == 422
    form = page.text.split('class="panel withdraw"')[1].split("</details>")[0]
    assert "say why the traceback is withdrawn" in form
    with transaction(engine) as session:
        assert load_traceback(session, world.traceback_id).outcome is None


def test_confirmed_it_closes_withdrawn_and_leaves_the_inbox_and_the_audit_has_why(
    world, client_for, api_for, engine
):
    assert len(api_for(ALPHA).get("/api/v1/hop-requests").json()) == 1
    coordinator = client_for(COORD)
    done = post(
        coordinator, f"/tracebacks/{world.traceback_id}/withdraw", reason="wrong called number",
        confirmed="yes",
    )  # fmt: skip
    assert done.status_code == 303
    with transaction(engine) as session:
        assert load_traceback(session, world.traceback_id).outcome is Outcome.WITHDRAWN
        [closed] = [e for e in list_audit(session, world.traceback_id) if "closed" in e.action]
    assert closed.actor == "coordinator:coord@example.org"
    assert closed.details["reason"] == "wrong called number"
    assert api_for(ALPHA).get("/api/v1/hop-requests").json() == []
    page = coordinator.get(f"/tracebacks/{world.traceback_id}").text
    assert "Withdrawn, open requests cancelled: wrong called number" in page
    chain = page.split('<ol class="chain laid-out">')[1].split("</ol>")[0]
    assert "request cancelled" in chain and "waiting" not in chain
    assert "Withdraw this traceback" not in page


def test_a_withdrawn_request_never_becomes_overdue_or_a_finding(world, client_for, api_for, engine):
    api_for(COORD).post(f"/api/v1/tracebacks/{world.traceback_id}/withdraw", json={"reason": "x"})
    world.clock.set(DUE + timedelta(days=3))
    dashboard = client_for(COORD).get("/").text
    assert "No hop is overdue." in dashboard
    refused = api_for(COORD).post(f"/api/v1/tracebacks/{world.traceback_id}/no-response")
    assert refused.status_code == 409
    with transaction(engine) as session:
        assert [c.key for c in provider_scorecards(session)] == []


def test_the_api_withdraws_once_then_answers_409_and_wants_a_reason(world, api_for):
    api = api_for(COORD)
    path = f"/api/v1/tracebacks/{world.traceback_id}/withdraw"
    assert api.post(path, json={"reason": ""}).status_code == 422
    assert api.post(path, json={"reason": "   "}).status_code == 422
    done = api.post(path, json={"reason": "opened for the wrong call"})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["outcome"]) == ("closed", "withdrawn")
    again = api.post(path, json={"reason": "again"})
    assert again.status_code == 409 and "closed already" in again.json()["detail"]


def test_regulators_cannot_withdraw(world, api_for, client_for):
    path = f"/api/v1/tracebacks/{world.traceback_id}/withdraw"
    assert api_for(FCC).post(path, json={"reason": "x"}).status_code == 403


def test_a_withdrawn_request_is_no_overdue_request_in_the_metrics(world, api_for):
    from fastapi.testclient import TestClient

    from .test_metrics import LOCAL, samples

    api_for(COORD).post(f"/api/v1/tracebacks/{world.traceback_id}/withdraw", json={"reason": "x"})
    world.clock.set(DUE + timedelta(hours=1))
    found = samples(TestClient(world.app, client=LOCAL).get("/metrics").text)
    assert found[("robotrace_hop_requests_overdue", ())] == 0
