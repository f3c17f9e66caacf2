"""The campaign API: the list with the portal's filters, one campaign's detail, and opening
tracebacks for sample calls with a read-write staff token."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, timedelta

from sqlalchemy import select

from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from tests.support import settings_policy

from .test_campaign_pages import (
    DAY0,
    TAGGED,
    add_calls,
    add_campaign,
    hours,
    tracebacks_of_calls,
)

COORD, REGULATOR, ALPHA = "coord@example.org", "fcc@example.org", "noc@aaaa.example"


def test_the_list_is_ranked_filtered_and_paged(world, api_for, engine):
    for rank, (campaign_id, tags) in enumerate(TAGGED.items()):
        add_campaign(engine, campaign_id, tags=tags, priority=len(TAGGED) - rank)
    api = api_for(REGULATOR, write=False)
    everything = api.get("/api/v1/campaigns").json()
    assert [c["id"] for c in everything] == list(TAGGED)  # built in priority order
    covid = api.get("/api/v1/campaigns", params={"tag": "COVID-19"})
    expected = [c for c, tags in TAGGED.items() if "covid-19" in [t.lower() for t in tags]]
    assert [c["id"] for c in covid.json()] == expected
    assert covid.headers["X-Total-Count"] == str(len(expected))
    first = api.get("/api/v1/campaigns", params={"limit": 2})
    assert [c["id"] for c in first.json()] == list(TAGGED)[:2]
    assert first.headers["X-Total-Count"] == str(len(TAGGED))
    assert 'offset=2>; rel="next"' in first.headers["Link"]
    named = api.get("/api/v1/campaigns", params={"q": "SHOUT"}).json()
    assert [c["id"] for c in named] == ["covid-shouting"]


def test_a_list_item_carries_the_campaigns_figures(world, api_for, engine):
    first, last = DAY0, DAY0 + timedelta(days=3)
    add_campaign(
        engine,
        "kits",
        "COVID-19 test kits",
        ["covid-19"],
        priority=2.5,
        call_count=42,
        first_seen_at=first,
        last_seen_at=last,
    )
    (item,) = api_for(COORD).get("/api/v1/campaigns").json()
    assert item == {
        "id": "kits",
        "name": "COVID-19 test kits",
        "tags": ["covid-19"],
        "calls": 42,
        "complaints": 0,
        "first_seen_at": "2020-04-01T09:00:00Z",
        "last_seen_at": "2020-04-04T09:00:00Z",
        "priority": 2.5,
        "open_tracebacks": 0,
        "closed_tracebacks": 0,
        "status": "open",
    }


def test_the_detail_has_numbers_daily_counts_samples_and_traceback_ids(world, api_for, engine):
    add_campaign(engine, "kits", callback_numbers=["+18005550199"], representative="Hello.")
    times = [DAY0, DAY0 + timedelta(hours=2), DAY0 + timedelta(days=2, hours=1)]
    callers = ["+12025550101", "+12025550101", "+12025550102"]
    call_ids = add_calls(engine, "kits", times, ["Kit A.", "Kit B.", "Kit A."], callers)
    with transaction(engine) as session:
        tb = service.open_traceback_for_call(
            session, call_ids[0], "test", world.clock, policy=settings_policy()
        )
    detail = api_for(COORD).get("/api/v1/campaigns/kits").json()
    built = Counter(at.astimezone(UTC).date().isoformat() for at in times)
    assert {d["day"]: d["calls"] for d in detail["calls_per_day"]} == dict(built)
    assert detail["callback_numbers"] == ["+18005550199"]
    assert detail["caller_ids"] == [
        {"number": "+12025550101", "calls": 2},
        {"number": "+12025550102", "calls": 1},
    ]
    assert detail["distinct_caller_ids"] == 2 and detail["representative"] == "Hello."
    assert sorted(s["transcript"] for s in detail["samples"]) == ["Kit A.", "Kit B."]
    assert [t["id"] for t in detail["tracebacks"]] == [tb.id]
    assert detail["tracebacks"][0]["status"] == "open" and detail["open_tracebacks"] == 1
    assert detail["traceable_calls"] == 2


def test_a_coordinator_token_opens_tracebacks_for_sample_calls(world, api_for, engine):
    add_campaign(engine, "kits")
    call_ids = add_calls(engine, "kits", hours(5))
    api = api_for(COORD)
    response = api.post("/api/v1/campaigns/kits/tracebacks", json={"samples": 2})
    assert response.status_code == 201
    opened = response.json()
    assert opened["campaign"] == "kits" and len(opened["tracebacks"]) == 2
    with transaction(engine) as session:
        rows = session.execute(
            select(models.Traceback.id, models.Traceback.call_id).where(
                models.Traceback.id.in_(opened["tracebacks"])
            )
        ).all()
    assert {call_id for _, call_id in rows} == {call_ids[0], call_ids[-1]}  # first and last
    again = api.post("/api/v1/campaigns/kits/tracebacks").json()  # no body: 3
    assert len(again["tracebacks"]) == 3 and not set(again["tracebacks"]) & set(
        opened["tracebacks"]
    )
    refused = api.post("/api/v1/campaigns/kits/tracebacks", json={"samples": 3})
    assert refused.status_code == 409 and "traced already" in refused.json()["detail"]
    traced = tracebacks_of_calls(engine, call_ids)
    assert set(traced) == set(call_ids) and set(traced.values()) == {1}


def test_only_read_write_staff_tokens_open_tracebacks(world, api_for, engine):
    add_campaign(engine, "kits")
    call_ids = add_calls(engine, "kits", hours(3))
    path = "/api/v1/campaigns/kits/tracebacks"
    assert api_for(COORD, write=False).post(path, json={"samples": 1}).status_code == 403
    assert api_for(REGULATOR).post(path, json={"samples": 1}).status_code == 403
    assert api_for(ALPHA).post(path, json={"samples": 1}).status_code == 403
    for bad in (0, 21, "many"):
        assert api_for(COORD).post(path, json={"samples": bad}).status_code == 422
    missing = api_for(COORD).post("/api/v1/campaigns/no-such/tracebacks", json={"samples": 1})
    assert missing.status_code == 404
    assert tracebacks_of_calls(engine, call_ids) == Counter()


def test_a_cookie_write_needs_the_csrf_header(world, client_for, engine):
    add_campaign(engine, "kits")
    call_ids = add_calls(engine, "kits", hours(3))
    coordinator = client_for(COORD)
    path = "/api/v1/campaigns/kits/tracebacks"
    assert coordinator.post(path, json={"samples": 1}).status_code == 403
    sent = coordinator.post(path, json={"samples": 1}, headers={"X-CSRF-Token": coordinator.csrf})
    assert sent.status_code == 201
    assert len(tracebacks_of_calls(engine, call_ids)) == 1


def test_providers_get_403_and_a_missing_campaign_404(world, api_for, engine):
    add_campaign(engine, "kits")
    alpha = api_for(ALPHA)
    assert alpha.get("/api/v1/campaigns").status_code == 403
    assert alpha.get("/api/v1/campaigns/kits").status_code == 403
    assert api_for(COORD).get("/api/v1/campaigns/no-such").json() == {"detail": "not found"}


def test_openapi_describes_the_campaign_routes(world, api_for):
    spec = api_for(COORD).get("/api/v1/openapi.json").json()
    assert {"get"} <= set(spec["paths"]["/api/v1/campaigns"])
    assert "get" in spec["paths"]["/api/v1/campaigns/{campaign_id}"]
    post = spec["paths"]["/api/v1/campaigns/{campaign_id}/tracebacks"]["post"]
    assert "201" in post["responses"] and "409" in post["responses"]
    assert "SamplesIn" in str(post["requestBody"])
