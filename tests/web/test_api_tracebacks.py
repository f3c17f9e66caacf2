"""The staff side of the API: opening, reading and chasing tracebacks."""

from __future__ import annotations

from datetime import timedelta

from robotrace.store import models
from robotrace.store.db import transaction

from .conftest import DUE

COORD, ADMIN, FCC, ALPHA = (
    "coord@example.org",
    "admin@example.org",
    "fcc@example.org",
    "noc@aaaa.example",
)
DETAILS = {
    "calling_number": "+12025550100",
    "called_number": "+13125550111",
    "call_time": "2020-04-30T16:00:00Z",
    "terminating_provider": "AAAA",
}


def test_a_coordinator_opens_a_traceback_and_the_first_hop_goes_to_the_terminating_provider(
    world, api_for
):
    response = api_for(COORD).post("/api/v1/tracebacks", json=DETAILS)
    assert response.status_code == 201, response.text
    tb = response.json()
    assert response.headers["location"] == f"/api/v1/tracebacks/{tb['id']}"
    assert tb["status"] == "open" and tb["outcome"] is None
    [hop] = tb["hops"]
    assert hop["provider"] == "AAAA" and hop["role"] == "terminating" and hop["answer"] is None
    # Opened on Friday 08:00 EDT: due Monday 08:00 EDT in AAAA's zone (the default).
    assert hop["due_at"].startswith("2020-05-04T12:00:00")
    assert (hop["due_at_local"], hop["time_zone"]) == (
        "2020-05-04T08:00:00-04:00",
        "America/New_York",
    )


def test_a_traceback_opens_for_a_stored_call(world, api_for, engine):
    with transaction(engine) as session:
        alpha = session.query(models.Provider).filter_by(key="AAAA").one()
        call = models.Call(
            source="honeypot",
            source_ref="hp-1",
            calling_number="+12025550100",
            called_number="+13125550111",
            call_time=world.clock.now() - timedelta(hours=2),
            terminating_provider_id=alpha.id,
            imported_at=world.clock.now(),
        )
        session.add(call)
        session.flush()
        call_id = call.id
    response = api_for(ADMIN).post("/api/v1/tracebacks", json={"call_id": call_id})
    assert response.status_code == 201, response.text
    assert response.json()["terminating_provider"] == "AAAA"
    assert api_for(COORD).post("/api/v1/tracebacks", json={"call_id": 9999}).status_code == 422


def test_opening_needs_the_whole_call_or_a_call_id(world, api_for):
    coord = api_for(COORD)
    assert coord.post("/api/v1/tracebacks", json={"called_number": "+1312"}).status_code == 422
    unknown = coord.post("/api/v1/tracebacks", json={**DETAILS, "terminating_provider": "QQQQ"})
    assert unknown.status_code == 422 and "QQQQ" in unknown.json()["detail"]
    both = coord.post("/api/v1/tracebacks", json={**DETAILS, "call_id": 1})
    assert both.status_code == 422


def test_regulators_read_tracebacks_but_do_not_open_them(world, api_for):
    fcc = api_for(FCC)
    assert fcc.get(f"/api/v1/tracebacks/{world.traceback_id}").status_code == 200
    assert [tb["id"] for tb in fcc.get("/api/v1/tracebacks").json()] == [world.traceback_id]
    assert fcc.post("/api/v1/tracebacks", json=DETAILS).status_code == 403


def test_providers_get_403_for_any_traceback_whether_it_exists_or_not(world, api_for):
    alpha = api_for(ALPHA)
    assert alpha.get("/api/v1/tracebacks").status_code == 403
    assert alpha.get(f"/api/v1/tracebacks/{world.traceback_id}").status_code == 403
    assert alpha.get("/api/v1/tracebacks/TB-999999").status_code == 403


def test_the_list_filters_by_status_and_pages(world, api_for):
    coord = api_for(COORD)
    second = coord.post("/api/v1/tracebacks", json=DETAILS).json()["id"]
    assert [t["id"] for t in coord.get("/api/v1/tracebacks?status=open").json()] == [
        second,
        world.traceback_id,
    ]
    assert coord.get("/api/v1/tracebacks?status=closed").json() == []
    assert [t["id"] for t in coord.get("/api/v1/tracebacks?limit=1&offset=1").json()] == [
        world.traceback_id
    ]
    assert coord.get("/api/v1/tracebacks?status=maybe").status_code == 422


def test_no_response_waits_for_the_due_time_then_closes_the_traceback(world, api_for):
    coord = api_for(COORD)
    url = f"/api/v1/tracebacks/{world.traceback_id}/no-response"
    early = coord.post(url)
    assert early.status_code == 409 and "not overdue yet" in early.json()["detail"]
    world.clock.set(DUE)
    assert not coord.get(f"/api/v1/tracebacks/{world.traceback_id}").json()["hops"][0]["overdue"]
    world.clock.set(DUE + timedelta(minutes=1))
    assert coord.get(f"/api/v1/tracebacks/{world.traceback_id}").json()["hops"][0]["overdue"]
    marked = coord.post(url)
    assert marked.status_code == 200
    assert marked.json()["outcome"] == "non_responsive"
    assert marked.json()["non_cooperative"] == ["AAAA"]
    assert coord.post(url).status_code == 409


def test_a_made_up_traceback_is_404(world, api_for):
    coord = api_for(COORD)
    assert coord.get("/api/v1/tracebacks/TB-999999").status_code == 404
    assert coord.post("/api/v1/tracebacks/TB-999999/no-response").status_code == 404


def test_a_read_only_token_reads_but_cannot_open(world, api_for):
    reader = api_for(COORD, write=False)
    assert reader.get("/api/v1/tracebacks").status_code == 200
    assert reader.post("/api/v1/tracebacks", json=DETAILS).status_code == 403


def test_without_credentials_it_is_401(world):
    from fastapi.testclient import TestClient

    anonymous = TestClient(world.app)
    assert anonymous.get("/api/v1/tracebacks").status_code == 401
    bad = TestClient(world.app, headers={"Authorization": "Bearer rt_rw_nonsense"})
    assert bad.get("/api/v1/me").status_code == 401


def test_numbers_that_are_no_numbers_are_refused_and_others_stored_in_e164(world, api_for):
    coordinator = api_for(COORD)
    hello = coordinator.post("/api/v1/tracebacks", json={**DETAILS, "calling_number": "hello"})
    assert hello.status_code == 422 and "not a telephone number" in hello.json()["detail"]
    typed = coordinator.post(
        "/api/v1/tracebacks", json={**DETAILS, "called_number": "(713) 342-9979"}
    )
    assert typed.status_code == 201, typed.text
    assert typed.json()["called_number"] == "+17133429979"
