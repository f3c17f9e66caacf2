"""POST /api/v1/reports for apps and partners: the page's checks and abuse rules, answered as
JSON that names each problem's field; and what no route shows of the reporter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.test_isolation_matrix import app_routes

from .builders import api_body, send_page

URL = "/api/v1/reports"


def test_a_report_is_received_with_its_reference(portal):
    answer = portal.client().post(URL, json=api_body())
    assert answer.status_code == 201
    assert answer.json()["received_at"] == "2026-05-01T12:00:00Z"
    assert answer.json()["reference"].startswith("RT-")


def test_every_wrong_field_is_named_in_the_answer(portal):
    body = api_body(calling_number="nope", called_at="2026-04-30T14:15:00", subject="Cruises")
    answer = portal.client().post(URL, json=body)
    assert answer.status_code == 422
    named = {tuple(e["loc"]): e["msg"] for e in answer.json()["detail"]}
    assert set(named) == {("body", "calling_number"), ("body", "called_at"), ("body", "subject")}
    assert "UTC offset" in named[("body", "called_at")]


def test_a_body_of_the_wrong_shape_is_refused_by_its_schema(portal):
    answer = portal.client().post(URL, json=api_body(recorded_message="maybe", colour="red"))
    assert answer.status_code == 422
    locs = {tuple(e["loc"]) for e in answer.json()["detail"]}
    assert locs == {("body", "recorded_message"), ("body", "colour")}


def test_a_form_post_is_told_to_send_json(portal):
    answer = portal.client().post(URL, data={"calling_number": "2025550143"})
    assert answer.status_code == 415
    assert "application/json" in answer.json()["detail"]


def test_a_body_over_the_limit_is_refused(portal):
    portal.set_settings(report_max_text_chars=10)
    answer = portal.client().post(URL, json=api_body(transcript="y" * 20_000))
    assert answer.status_code == 413
    assert "10 characters or fewer" in answer.json()["detail"]


def test_the_same_call_again_is_a_conflict_naming_the_first(portal):
    first = portal.client().post(URL, json=api_body()).json()["reference"]
    again = portal.client("192.0.2.8").post(URL, json=api_body(name="", email=""))
    assert again.status_code == 409
    assert again.json()["reference"] == first
    assert first in again.json()["detail"]


def test_the_page_and_the_api_share_an_addresss_hourly_limit(portal):
    client = portal.client()
    for hour in range(3):
        assert send_page(client, call_time=f"0{hour}:30").status_code == 303
    for hour in range(3, 5):
        when = f"2026-04-30T0{hour}:30:00-04:00"
        assert client.post(URL, json=api_body(called_at=when)).status_code == 201
    portal.clock.advance(timedelta(minutes=20))
    answer = client.post(URL, json=api_body(called_at="2026-04-30T06:30:00-04:00"))
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == str(40 * 60 + 1)
    assert "13:00 UTC" in answer.json()["detail"]


def test_the_openapi_description_documents_the_body_and_the_answers(portal):
    spec = portal.client().get("/api/v1/openapi.json").json()
    post = spec["paths"][URL]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert {"calling_number", "called_at", "called_number", "recorded_message", "subject"} <= set(
        schema["required"]
    )
    assert "Imposters" in schema["properties"]["subject"]["enum"]
    assert {"201", "409", "413", "415", "422", "429"} <= set(post["responses"])
    assert "security" not in post


NAME, EMAIL = "Zebulon Quartermaine", "zebulon.q@example.net"


@pytest.mark.parametrize("who", [None, "noc@aaaa.example", "coord@example.org"])
def test_no_page_or_api_route_shows_the_reporter(portal, who):
    assert send_page(portal.client(), name=NAME, email=EMAIL).status_code == 303
    client = portal.signed_in(who) if who else portal.client("192.0.2.99")
    paths = sorted(p for m, p in app_routes(portal.app) if m == "GET" and "{" not in p)
    assert "/api/v1/reports/export" in paths and "/report" in paths
    for path in paths:
        text = first_part(client, path) if path in STREAMS else client.get(path).text
        assert NAME not in text and EMAIL not in text, path


#: Routes whose answer is a stream that does not end (the agents' event stream).
STREAMS = {"/api/v1/events"}


def first_part(client, path: str) -> str:
    """The head of a never-ending answer: its status line's body so far (its first event)."""
    with client.stream("GET", path) as response:
        if response.status_code != 200:
            return response.read().decode()
        return next(response.iter_text(), "")
