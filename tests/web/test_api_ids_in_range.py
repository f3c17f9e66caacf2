"""Ids and offsets the API reads from a body or a query are checked where they enter: one
past what the database's integer holds is a 422, never a 500 from PostgreSQL (found by
tests/fuzz on PostgreSQL)."""

from __future__ import annotations

import pytest

from robotrace.web.api.schemas import LARGEST_ID

TOO_BIG = LARGEST_ID + 1


@pytest.mark.parametrize(
    ("email", "method", "path", "body"),
    [
        ("coord@example.org", "post", "/api/v1/tracebacks", {"call_id": TOO_BIG}),
        ("fcc@example.org", "get", f"/api/v1/blocking-counts?authorization={TOO_BIG}", None),
        ("coord@example.org", "get", f"/api/v1/providers?offset={TOO_BIG}", None),
        (
            "noc@aaaa.example",
            "post",
            "/api/v1/blocking-counts",
            {
                "blocker": "sbc-1",
                "period_start": "2020-05-01T12:00:00Z",
                "period_end": "2020-05-01T12:05:00Z",
                "rows": [{"reason": "provider_blocked", "authorization_id": TOO_BIG, "calls": 1}],
            },
        ),
    ],
)
def test_an_id_past_the_databases_integers_is_refused_as_bad_input(
    world, api_for, email, method, path, body
):
    client = api_for(email)
    answer = client.post(path, json=body) if method == "post" else client.get(path)
    assert answer.status_code == 422, answer.text
