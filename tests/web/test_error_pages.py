"""Errors on pages are pages (issue 22): a missing traceback, a reversed period, an id past
any row's — each an HTML page with the navigation and a sentence, never the API's JSON and
never a 500. The API keeps its JSON answers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

COORDINATOR = "coord@example.org"
REGULATOR = "fcc@example.org"
PROVIDER = "noc@aaaa.example"
HUGE = "9" * 25


def is_page(response, status: int) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert "<nav" in response.text and '"detail"' not in response.text


def test_a_missing_traceback_is_a_404_page_with_the_navigation(world, client_for):
    response = client_for(COORDINATOR).get("/tracebacks/TB-999999")
    is_page(response, 404)
    assert COORDINATOR in response.text  # the signed-in header is there


def test_a_reversed_period_on_the_public_statistics_page_is_a_page(world):
    response = TestClient(world.app).get("/statistics?from=2020-05-01&to=2020-03-01")
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("text/html")
    assert '"detail"' not in response.text and "<nav" in response.text


@pytest.mark.parametrize(
    ("who", "path"),
    [
        (REGULATOR, f"/letters/{HUGE}"),
        (REGULATOR, f"/authorizations/{HUGE}"),
        (PROVIDER, f"/inbox/{HUGE}"),
        (PROVIDER, f"/inbox?offset={HUGE}"),
        (COORDINATOR, f"/campaigns?page={HUGE}"),
        (REGULATOR, f"/orders/{HUGE}"),
        (COORDINATOR, "/letters/not-a-number"),
    ],
)
def test_an_id_past_any_rows_is_a_422_page_not_a_500(world, client_for, who, path):
    response = client_for(who).get(path)
    is_page(response, 422)
    assert "not right" in response.text


def test_a_page_out_of_reach_keeps_its_status_as_a_page(world, client_for):
    is_page(client_for(PROVIDER).get("/enforcement"), 403)


def test_the_api_keeps_json(world, api_for):
    response = api_for(COORDINATOR).get("/api/v1/tracebacks/TB-999999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    big = api_for(REGULATOR).get(f"/api/v1/letters/{HUGE}")
    assert big.status_code == 422 and "detail" in big.json()
