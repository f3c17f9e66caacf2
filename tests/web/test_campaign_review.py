"""A coordinator marks a legitimate recurring campaign (a pharmacy's refill reminders) "not
illegal": it leaves the queue — the list's default view, sample tracing and the letter
candidates — shows under its own filter, can be put back, and both steps are audit-logged;
in the portal and through the API."""

from __future__ import annotations

from sqlalchemy import select

from robotrace.enforcement import service as enforcement
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import Answer
from robotrace.traceback.workflow import Reply
from tests.support import settings_policy

from .test_campaign_pages import CALL_ONLY, add_calls, add_campaign, hours, listed_ids, post

COORD, REGULATOR = "coord@example.org", "fcc@example.org"
REASON = "Refill reminders of a pharmacy; its customers signed up for them."


def three_campaigns(engine) -> None:
    add_campaign(engine, "pharmacy-refills", "Your prescription is ready", priority=9)
    add_campaign(engine, "ssa-suspended", "Social Security suspended", priority=5)
    add_campaign(engine, "dental-recall", "Time for your cleaning", priority=1)


def audit_actions(engine) -> list[tuple[str, str, dict]]:
    with transaction(engine) as session:
        rows = session.scalars(
            select(models.AuditEvent)
            .where(models.AuditEvent.action.like("campaign.%"))
            .order_by(models.AuditEvent.id)
        )
        return [(row.action, row.actor, row.details) for row in rows]


def test_a_marked_campaign_leaves_the_list_and_shows_under_its_filter(world, client_for, engine):
    three_campaigns(engine)
    coordinator = client_for(COORD)
    assert (
        post(coordinator, "/campaigns/pharmacy-refills/not-illegal", reason=REASON).status_code
        == 303
    )
    assert listed_ids(coordinator.get("/campaigns").text) == ["ssa-suspended", "dental-recall"]
    marked = coordinator.get("/campaigns", params={"status": "not_illegal"}).text
    assert listed_ids(marked) == ["pharmacy-refills"]
    everything = coordinator.get("/campaigns", params={"status": "all"}).text
    assert listed_ids(everything) == ["pharmacy-refills", "ssa-suspended", "dental-recall"]
    assert "not illegal</span>" in everything.split("ssa-suspended")[0]


def test_the_campaign_page_says_who_marked_it_and_why_and_puts_it_back(world, client_for, engine):
    three_campaigns(engine)
    coordinator = client_for(COORD)
    post(coordinator, "/campaigns/pharmacy-refills/not-illegal", reason=REASON)
    page = coordinator.get("/campaigns/pharmacy-refills").text
    assert "Marked not illegal" in page and COORD in page
    assert "Refill reminders of a pharmacy; its customers signed up for them." in page
    assert 'action="/campaigns/pharmacy-refills/tracebacks"' not in page
    back = post(coordinator, "/campaigns/pharmacy-refills/queue", reason="They spoof numbers.")
    assert back.status_code == 303
    assert "pharmacy-refills" in listed_ids(coordinator.get("/campaigns").text)
    assert [(a, d["reason"]) for a, _, d in audit_actions(engine)] == [
        ("campaign.not_illegal", REASON),
        ("campaign.requeued", "They spoof numbers."),
    ]
    assert {actor for _, actor, _ in audit_actions(engine)} == {f"coordinator:{COORD}"}


def test_a_mark_without_a_reason_is_refused_and_changes_nothing(world, client_for, engine):
    three_campaigns(engine)
    coordinator = client_for(COORD)
    response = post(coordinator, "/campaigns/pharmacy-refills/not-illegal", reason="   ")
    assert response.status_code == 422
    assert "Say why the calls are not illegal" in response.text
    assert "pharmacy-refills" in listed_ids(coordinator.get("/campaigns").text)
    assert audit_actions(engine) == []


def test_regulators_read_the_mark_but_may_not_set_it(world, client_for, engine):
    three_campaigns(engine)
    regulator = client_for(REGULATOR)
    page = regulator.get("/campaigns/pharmacy-refills").text
    assert "/not-illegal" not in page
    assert (
        post(regulator, "/campaigns/pharmacy-refills/not-illegal", reason=REASON).status_code == 403
    )


def test_no_sample_call_of_a_marked_campaign_is_traced(world, client_for, api_for, engine):
    three_campaigns(engine)
    add_calls(engine, "pharmacy-refills", hours(5))
    coordinator = client_for(COORD)
    post(coordinator, "/campaigns/pharmacy-refills/not-illegal", reason=REASON)
    assert post(coordinator, "/campaigns/pharmacy-refills/tracebacks").status_code == 409
    api = api_for(COORD).post("/api/v1/campaigns/pharmacy-refills/tracebacks", json={})
    assert api.status_code == 409
    with transaction(engine) as session:
        opened = session.scalars(
            select(models.Traceback.id).where(models.Traceback.campaign_id == "pharmacy-refills")
        )
        assert list(opened) == []


def test_a_marked_campaigns_tracebacks_name_no_letter_candidate(world, api_for, engine):
    add_campaign(engine, "pharmacy-refills")
    with transaction(engine) as session:
        tb = service.open_traceback(
            session, CALL_ONLY, "BBBB", "test", world.clock, None, None, "pharmacy-refills"
        )
        service.answer_hop(
            session,
            tb.id,
            "BBBB",
            Reply(Answer.ORIGIN, customer="Rx"),
            "t",
            world.clock,
            policy=settings_policy(),
        )

    def candidates() -> dict[str, dict[str, int]]:
        with transaction(engine) as session:
            found = enforcement.letter_candidates(
                session, world.clock, Settings.from_environ().evidence_window_days
            )
            return {c.key: c.by_campaign for c in found}

    assert candidates()["BBBB"].get("pharmacy-refills") == 1
    api = api_for(COORD)
    marked = api.post("/api/v1/campaigns/pharmacy-refills/not-illegal", json={"reason": REASON})
    assert marked.status_code == 200
    assert "pharmacy-refills" not in candidates().get("BBBB", {})


def test_the_api_marks_lists_and_puts_back(world, api_for, engine):
    three_campaigns(engine)
    api = api_for(COORD)
    marked = api.post("/api/v1/campaigns/dental-recall/not-illegal", json={"reason": REASON})
    assert marked.status_code == 200
    body = marked.json()
    assert (body["status"], body["status_reason"], body["status_by"]) == (
        "not_illegal",
        REASON,
        f"coordinator:{COORD}",
    )
    again = api.post("/api/v1/campaigns/dental-recall/not-illegal", json={"reason": REASON})
    assert again.status_code == 409
    assert [c["id"] for c in api.get("/api/v1/campaigns").json()] == [
        "pharmacy-refills",
        "ssa-suspended",
    ]
    shown = api.get("/api/v1/campaigns", params={"status": "not_illegal"}).json()
    assert [(c["id"], c["status"]) for c in shown] == [("dental-recall", "not_illegal")]
    detail = api.get("/api/v1/campaigns/dental-recall").json()
    assert (detail["status"], detail["status_reason"]) == ("not_illegal", REASON)
    assert api.post("/api/v1/campaigns/dental-recall/queue").status_code == 200
    assert api.post("/api/v1/campaigns/dental-recall/queue").status_code == 409
    assert len(api.get("/api/v1/campaigns").json()) == 3


def test_the_api_refuses_a_mark_without_a_reason(world, api_for, engine):
    three_campaigns(engine)
    response = api_for(COORD).post("/api/v1/campaigns/dental-recall/not-illegal", json={})
    assert response.status_code == 422
    assert "Say why" in response.json()["detail"]
