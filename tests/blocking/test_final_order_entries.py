"""A final determination order on the list: the blocker blocks under it and says it is
mandatory, in /v1/decide, in the SIP reason text and in batch screening; a K4 entry says it is
permissive; an entry with an unknown reason code or obligation is refused with the list."""

import pytest
from fastapi.testclient import TestClient

from robotrace.blocking.app import Blocker, create_app
from robotrace.blocking.decide import decide
from robotrace.blocking.listfile import BlocklistRejected
from robotrace.blocking.model import CallAttempt
from robotrace.blocking.refresh import ListState
from robotrace.blocking.sip.answer import reason_text
from robotrace.blocking.trunks import parse_trunks
from tests.blocking.builders import CLEAN, entry, loaded, policy


def final_order(provider="DDDD", order_id=12, downstream=("AAAA", "BBBB")):
    return {
        **entry(provider, authorization_id=None, reason="final determination following IDO-11"),
        "reason_code": "final_order",
        "order_id": order_id,
        "obligation": "mandatory",
        "downstream": list(downstream),
    }


LIST = loaded(final_order(), {**entry("BBBB"), "obligation": "permissive"})


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(Blocker(ListState(blocklist=LIST), policy(), parse_trunks([]))))


def test_a_final_order_blocks_and_the_answer_says_mandatory(client):
    body = client.post("/v1/decide", json={"upstream": "DDDD", "calling": CLEAN}).json()
    assert (body["decision"], body["reason_code"], body["obligation"], body["order_id"]) == (
        "block",
        "final_order",
        "mandatory",
        12,
    )
    assert body["authorization_id"] is None


def test_a_k4_authorization_answers_permissive(client):
    body = client.post("/v1/decide", json={"upstream": "BBBB", "calling": CLEAN}).json()
    assert (body["reason_code"], body["obligation"], body["authorization_id"]) == (
        "authorization",
        "permissive",
        7,
    )


def test_the_sip_reason_text_names_the_final_order():
    decision = decide(CallAttempt("DDDD", CLEAN, "+13125550199"), LIST, policy())
    assert "final determination order 12 (mandatory)" in reason_text(decision)


def test_the_downstream_providers_are_kept_with_the_entry():
    assert LIST.providers["DDDD"].downstream == ("AAAA", "BBBB")


@pytest.mark.parametrize(
    "field", [{"reason_code": "whatever"}, {"obligation": "optional"}, {"order_id": "x"}]
)
def test_an_entry_with_an_unknown_code_is_refused(field):
    with pytest.raises(BlocklistRejected, match="malformed entry"):
        loaded({**final_order(), **field})
