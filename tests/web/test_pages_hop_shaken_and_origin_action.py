"""The hop answer form asks what the call arrived with of STIR/SHAKEN and, for an origin, the
action taken with the customer (issue 23 items 2 and 3)."""

from __future__ import annotations

import pytest

from robotrace.traceback.model import OriginAction

from .test_pages_inbox import answer, open_hop_ids, stored


def _hops(engine, traceback_id):
    return stored(engine, traceback_id).hops


def test_the_form_records_the_attestation_signer_and_the_origins_action(world, client_for, engine):
    aaaa, bbbb = client_for("noc@aaaa.example"), client_for("noc@bbbb.example")
    said = {"received_attest": "B", "received_signer": "BBBB"}
    response = answer(aaaa, open_hop_ids(aaaa)[0], kind="upstream", upstream_key="BBBB", **said)
    assert response.status_code == 303
    origin = {"customer": "Dialer LLC", "origin_action": "consent_shown", "received_attest": ""}
    assert answer(bbbb, open_hop_ids(bbbb)[0], kind="origin", **origin).status_code == 303
    hops = _hops(engine, world.traceback_id)
    assert (hops[0].received_attest, hops[0].received_signer) == ("B", "BBBB")
    assert hops[1].received_attest is None and hops[1].origin_action is OriginAction.CONSENT_SHOWN


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "origin", "customer": "Dialer LLC"}, "the action taken with the customer"),
        ({"kind": "origin", "customer": "Dialer LLC", "origin_action": "other"}, "in its note"),
        ({"kind": "upstream", "upstream_key": "BBBB", "received_attest": "X"}, "A, B, C or none"),
        (
            {
                "kind": "upstream",
                "upstream_key": "BBBB",
                "received_attest": "A",
                "received_signer": "<b>",
            },
            "is not an SPC",
        ),
    ],
)
def test_a_missing_action_or_bad_attestation_is_said_and_nothing_is_stored(
    world, client_for, engine, fields, message
):
    aaaa = client_for("noc@aaaa.example")
    response = answer(aaaa, open_hop_ids(aaaa)[0], **fields)
    assert response.status_code == 422 and message in response.text
    assert _hops(engine, world.traceback_id)[0].answer is None
