"""Due times in the portal and the API: shown in the provider's own zone and in UTC, and the
zone staff set on the provider page (audited).

Worked out by hand: T0 is Friday 1 May 2020 12:00 UTC — 08:00 in New York (the default
zone of the world's providers, which have no address) and 02:00 in Honolulu. A request sent
then to a provider in Honolulu counts as received at 08:00 HST (18:00 UTC); 24 hours later
is Saturday, so it is due on Monday 4 May at 08:00 HST (18:00 UTC)."""

from __future__ import annotations

import re

from sqlalchemy import select

from robotrace.store import models
from robotrace.store.db import transaction

from .conftest import CALL

COORD, ALPHA, BRAVO = "coord@example.org", "noc@aaaa.example", "noc@bbbb.example"
HONOLULU = "Pacific/Honolulu"


def post(client, path: str, **fields: str):
    return client.post(path, data={"csrf_token": client.csrf, **fields}, follow_redirects=False)


def stored_zone(engine, key: str) -> str | None:
    with transaction(engine) as session:
        return session.scalar(select(models.Provider.time_zone).where(models.Provider.key == key))


def open_at_bravo(api_for) -> None:
    details = {
        "calling_number": CALL.calling_number,
        "called_number": CALL.called_number,
        "call_time": "2020-04-30T15:04:05Z",
        "terminating_provider": "BBBB",
    }
    assert api_for(COORD).post("/api/v1/tracebacks", json=details).status_code == 201


def test_a_request_to_a_provider_in_honolulu_is_due_by_its_own_business_day(
    world, client_for, api_for, engine
):
    assert (
        post(client_for(COORD), "/providers/BBBB/time-zone", time_zone=HONOLULU).status_code == 303
    )
    open_at_bravo(api_for)

    [request] = api_for(BRAVO).get("/api/v1/hop-requests").json()
    assert request["due_at"] == "2020-05-04T18:00:00Z"
    assert request["due_at_local"] == "2020-05-04T08:00:00-10:00"
    assert request["time_zone"] == HONOLULU

    bravo = client_for(BRAVO)
    inbox = bravo.get("/inbox").text
    assert "Mon 2020-05-04 08:00 HST" in inbox and "2020-05-04 18:00:00 UTC" in inbox
    assert f"your time zone\n  ({HONOLULU})" in inbox
    (hop_id,) = re.findall(r'href="/inbox/(\d+)"', inbox)
    page = bravo.get(f"/inbox/{hop_id}").text
    assert "Mon 2020-05-04 08:00 HST (2020-05-04 18:00:00 UTC)" in page


def test_a_due_time_stays_as_sent_when_the_zone_changes_later(world, client_for, api_for):
    # The world's request to AAAA was sent in New York's business day: due Monday 08:00 EDT.
    post(client_for(COORD), "/providers/AAAA/time-zone", time_zone=HONOLULU)
    [request] = api_for(ALPHA).get("/api/v1/hop-requests").json()
    assert request["due_at"] == "2020-05-04T12:00:00Z"
    assert request["due_at_local"] == "2020-05-04T02:00:00-10:00"  # shown in the new zone


def test_staff_set_a_providers_zone_on_its_page_and_it_is_audited(world, client_for, engine):
    coordinator = client_for(COORD)
    page = coordinator.get("/providers/AAAA").text
    assert "America/New_York" in page and "robotrace&#39;s default zone" in page
    assert (
        post(coordinator, "/providers/AAAA/time-zone", time_zone="America/Denver").status_code
        == 303
    )
    page = coordinator.get("/providers/AAAA").text
    assert "America/Denver" in page and "set by staff" in page
    with transaction(engine) as session:
        event = session.scalars(
            select(models.AuditEvent).where(models.AuditEvent.action == "provider.zone_set")
        ).one()
        assert (event.actor, event.details) == (
            "coordinator:coord@example.org",
            {"old": None, "new": "America/Denver"},
        )
    assert post(coordinator, "/providers/AAAA/time-zone", time_zone="").status_code == 303
    assert stored_zone(engine, "AAAA") is None


def test_an_unknown_zone_is_refused_and_nothing_changes(world, client_for, engine):
    response = post(client_for(COORD), "/providers/AAAA/time-zone", time_zone="Mountain")
    assert response.status_code == 422
    assert "Time zone not changed: unknown time zone &#39;Mountain&#39;" in response.text
    assert 'value="Mountain"' in response.text  # what was typed, to correct
    assert stored_zone(engine, "AAAA") is None


def test_a_provider_sees_its_zone_but_may_not_set_it(world, client_for, engine):
    alpha = client_for(ALPHA)
    page = alpha.get("/providers/AAAA").text
    assert "America/New_York" in page and "zone-form" not in page
    assert post(alpha, "/providers/AAAA/time-zone", time_zone=HONOLULU).status_code == 403
    assert stored_zone(engine, "AAAA") is None
