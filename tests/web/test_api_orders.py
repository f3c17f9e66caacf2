"""The mandatory ladder's API and blocking under a K4 authorization: regulators issue and
decide, a notified provider responds to its own steps only, a downstream provider declares
that it blocks and gets its notice to the FCC."""

from __future__ import annotations

from datetime import timedelta

from robotrace.accounts.users import create_user
from robotrace.enforcement.worker import decide_due_letters
from robotrace.settings import Settings
from robotrace.store.db import transaction
from robotrace.traceback.store import save_traceback
from tests.enforcement.builders import through

from .conftest import T0

REGULATOR = "fcc@example.org"
BRAVO = "noc@bbbb.example"  # the gateway in these tests
ALPHA = "noc@aaaa.example"
CHARLIE = "noc@cccc.example"
DAY = timedelta(days=1)


def bravo_carried(engine, when, tb_id):
    with transaction(engine) as session:
        save_traceback(session, through("BBBB", when, tb_id))


def charlie_user(world, engine):
    with transaction(engine) as session:
        create_user(session, CHARLIE, "provider", None, "CCCC", clock=world.clock)


def notify(api_for, engine):
    bravo_carried(engine, T0 - 2 * DAY, "TB-000101")
    body = {"provider": "BBBB", "campaigns": ["covid-test-kits"]}
    response = api_for(REGULATOR).post("/api/v1/notifications", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_notification_is_issued_and_seen_by_its_provider_only(world, api_for, engine):
    order = notify(api_for, engine)
    assert (order["kind"], order["status"], order["reference"]) == (
        "notification",
        "issued",
        f"NSIT-{order['id']:06d}",
    )
    assert order["respond_by"] == "2020-05-15T12:00:00Z"
    assert [o["id"] for o in api_for(BRAVO).get("/api/v1/orders").json()] == [order["id"]]
    assert api_for(ALPHA).get("/api/v1/orders").json() == []
    assert api_for(ALPHA).get(f"/api/v1/orders/{order['id']}").status_code == 404
    pdf = api_for(BRAVO).get(f"/api/v1/orders/{order['id']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert api_for(BRAVO).post("/api/v1/notifications", json={}).status_code == 403


def test_the_provider_names_its_upstream_and_the_upstream_is_notified(world, api_for, engine):
    charlie_user(world, engine)
    order = notify(api_for, engine)
    path = f"/api/v1/orders/{order['id']}/response"
    body = {"response": "not_carrier", "upstreams": ["CCCC"], "text": "we only transit it"}
    assert api_for(ALPHA).post(path, json=body).status_code == 404
    itself = api_for(BRAVO).post(path, json={**body, "upstreams": ["BBBB"]})
    assert itself.status_code == 422
    answered = api_for(BRAVO).post(path, json=body)
    assert answered.status_code == 201, answered.text
    assert answered.json()["upstreams"] == ["CCCC"]
    [upstream] = api_for(CHARLIE).get("/api/v1/orders").json()
    assert upstream["follows"] == order["reference"]
    assert api_for(REGULATOR).get(f"/api/v1/orders/{order['id']}").json()["next_steps"] == [
        upstream["reference"]
    ]
    again = api_for(BRAVO).post(path, json={"response": "blocked", "text": "changed my mind"})
    assert again.status_code == 409


def test_the_regulator_takes_a_silent_provider_to_a_final_order(world, api_for, engine):
    order = notify(api_for, engine)
    regulator = api_for(REGULATOR)
    early = regulator.post(f"/api/v1/orders/{order['id']}/decide")
    assert early.status_code == 409
    world.clock.advance(15 * DAY)
    decide_due_letters(engine, world.clock, Settings.from_environ())
    decided = regulator.post(f"/api/v1/orders/{order['id']}/decide", json={})
    assert decided.json()["status"] == "no_response"
    initial = regulator.post(f"/api/v1/orders/{order['id']}/initial-order", json={})
    assert initial.status_code == 201, initial.text
    initial_id = initial.json()["id"]
    short = regulator.post(f"/api/v1/orders/{order['id']}/initial-order", json={"respond_days": 3})
    assert short.status_code == 422
    answer = {"response": "order_response", "text": "we disagree"}
    assert (
        api_for(BRAVO).post(f"/api/v1/orders/{initial_id}/response", json=answer).status_code == 201
    )
    assert regulator.post(f"/api/v1/orders/{initial_id}/final-order").status_code == 409
    world.clock.advance(15 * DAY)
    final = regulator.post(f"/api/v1/orders/{initial_id}/final-order", json={"block_days": 0})
    assert final.status_code == 201, final.text
    assert (final.json()["status"], final.json()["downstream"]) == ("in_force", ["AAAA"])
    entries = api_for(ALPHA).get("/api/v1/blocklist").json()["entries"]
    assert [(e["provider"], e["reason_code"], e["obligation"]) for e in entries] == [
        ("BBBB", "final_order", "mandatory")
    ]


def test_a_downstream_provider_declares_blocking_under_an_authorization(world, api_for, engine):
    charlie_user(world, engine)
    bravo_carried(engine, T0 - 2 * DAY, "TB-000101")
    regulator = api_for(REGULATOR)
    letter = regulator.post(
        "/api/v1/letters", json={"provider": "BBBB", "campaigns": ["covid-test-kits"]}
    ).json()
    bravo_carried(engine, T0 + 3 * DAY, "TB-000103")
    world.clock.advance(4 * DAY)
    decided = regulator.post(f"/api/v1/letters/{letter['id']}/decide", json={})
    assert decided.json()["status"] == "noncompliant"
    auth = regulator.post("/api/v1/authorizations", json={"provider": "BBBB"}).json()
    path = f"/api/v1/authorizations/{auth['id']}/blocking"
    since = (T0 + 4 * DAY + timedelta(hours=1)).isoformat()
    declared = api_for(ALPHA).post(path, json={"since": since, "calls_blocked": 12})
    assert declared.status_code == 201, declared.text
    assert declared.json()["blocking_provider"] == "AAAA"
    assert declared.json()["late_notice"] is False
    assert regulator.post(path, json={"since": since}).status_code == 403
    assert api_for(BRAVO).post(path, json={"since": since}).status_code == 422  # itself
    assert [n["blocking_provider"] for n in regulator.get(path).json()] == ["AAAA"]
    assert api_for(CHARLIE).get(path).json() == []
    notice = declared.json()["notice"]
    assert api_for(ALPHA).get(notice).content.startswith(b"%PDF")
    assert api_for(CHARLIE).get(notice).status_code == 404


def test_overriding_the_proposal_needs_a_reason(world, api_for, engine):
    bravo_carried(engine, T0 - 2 * DAY, "TB-000101")
    regulator = api_for(REGULATOR)
    letter = regulator.post(
        "/api/v1/letters", json={"provider": "BBBB", "campaigns": ["covid-test-kits"]}
    ).json()
    world.clock.advance(4 * DAY)
    decide_due_letters(engine, world.clock, Settings.from_environ())
    proposed = regulator.get(f"/api/v1/letters/{letter['id']}").json()
    assert (proposed["status"], proposed["proposal"]) == ("issued", "complied")
    path = f"/api/v1/letters/{letter['id']}/decide"
    assert regulator.post(path, json={"status": "noncompliant"}).status_code == 422
    body = {"status": "noncompliant", "reason": "its own report says it kept the customer"}
    decided = regulator.post(path, json=body).json()
    assert decided["status"] == "noncompliant" and body["reason"] in decided["decision"]
