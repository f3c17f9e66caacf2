"""The API's hop answers carry what the provider received of STIR/SHAKEN and, for an origin,
the action taken with the customer; the coordinator's traceback shows both (issue 23)."""

from __future__ import annotations

import pytest

COORD, ALPHA, BRAVO = "coord@example.org", "noc@aaaa.example", "noc@bbbb.example"


def _answer(api, body: dict):
    [request] = api.get("/api/v1/hop-requests").json()
    return api.post(f"/api/v1/hop-requests/{request['id']}/answer", json=body)


def test_the_traceback_shows_each_hops_attestation_and_the_origins_action(world, api_for):
    said = {"received_attest": "C", "received_signer": "BBBB"}
    assert _answer(api_for(ALPHA), {"answer": "upstream", "upstream": "BBBB", **said}).is_success
    origin = {"answer": "origin", "customer": "Acme Outreach", "origin_action": "terminated",
              "received_attest": "none"}  # fmt: skip
    assert _answer(api_for(BRAVO), origin).is_success
    hops = api_for(COORD).get(f"/api/v1/tracebacks/{world.traceback_id}").json()["hops"]
    got = [(h["received_attest"], h["received_signer"], h["origin_action"]) for h in hops]
    assert got == [("C", "BBBB", None), ("none", None, "terminated")]


@pytest.mark.parametrize(
    "body",
    [
        {"answer": "upstream", "upstream": "BBBB", "received_attest": "D"},
        {
            "answer": "upstream",
            "upstream": "BBBB",
            "received_attest": "A",
            "received_signer": "BB;BB",
        },
        {"answer": "upstream", "upstream": "BBBB", "received_signer": "BBBB"},
        {"answer": "upstream", "upstream": "BBBB", "origin_action": "warned"},
        {"answer": "origin", "customer": "Acme", "origin_action": "other"},
        {"answer": "origin", "customer": "Acme", "origin_action": "scolded"},
    ],
)
def test_a_bad_attestation_signer_or_action_is_422_and_nothing_is_stored(world, api_for, body):
    alpha = api_for(ALPHA)
    assert _answer(alpha, body).status_code == 422
    [request] = alpha.get("/api/v1/hop-requests").json()
    assert request["open"] is True and request["answer"] is None
