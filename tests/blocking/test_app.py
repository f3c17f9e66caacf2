import pytest
from fastapi.testclient import TestClient

from robotrace.blocking.app import MAX_BATCH, Blocker, create_app
from robotrace.blocking.refresh import ListState
from robotrace.blocking.trunks import parse_trunks
from tests.blocking.builders import CLEAN, entry, loaded, policy, rmd_removed

LIST = loaded(entry("BBBB"), entry("CCCC", number="+13125550199", authorization_id=8))
TRUNKS = parse_trunks([{"source": "192.0.2.7", "tgrp": "", "ocn": "BBBB"}])


@pytest.fixture
def client() -> TestClient:
    blocker = Blocker(ListState(blocklist=LIST), policy(), TRUNKS)
    return TestClient(create_app(blocker))


def test_a_call_from_a_blocked_provider_is_answered_block_with_its_authorization(client):
    answer = client.post("/v1/decide", json={"upstream": "bbbb", "calling": CLEAN, "called": "1"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["decision"], body["reason"], body["authorization_id"]) == (
        "block",
        "provider_blocked",
        7,
    )
    assert (body["contact"], body["version"]) == ("noc@bbbb.example", 2)


def test_the_upstream_comes_from_the_trunk_table_when_not_given(client):
    body = client.post("/v1/decide", json={"calling": CLEAN, "source_ip": "192.0.2.7"}).json()
    assert (body["upstream"], body["reason"]) == ("BBBB", "provider_blocked")
    by_tgrp = client.post("/v1/decide", json={"calling": CLEAN, "tgrp": "BBBB"}).json()
    assert by_tgrp["reason"] == "provider_blocked"
    unknown = client.post("/v1/decide", json={"calling": CLEAN, "source_ip": "10.0.0.1"}).json()
    assert (unknown["decision"], unknown["flags"]) == ("allow", ["unknown_upstream"])


def rmd_client(trunk_names: str) -> TestClient:
    """A blocker whose list has one RMD removal (key RMD0009999, OCN ECH1), and whose trunk
    table names that upstream ``trunk_names``."""
    listed = loaded(rmd_removed("RMD0009999", "DA 25-694", ocns=("ECH1",)))
    trunks = parse_trunks([{"source": "192.0.2.9", "tgrp": "", "ocn": trunk_names}])
    return TestClient(create_app(Blocker(ListState(blocklist=listed), policy(), trunks)))


@pytest.mark.parametrize("trunk_names", ["RMD0009999", "ECH1", "ech1"])
def test_a_removed_provider_is_blocked_whether_the_trunk_table_names_its_key_or_its_ocn(
    trunk_names,
):
    body = (
        rmd_client(trunk_names)
        .post("/v1/decide", json={"calling": CLEAN, "source_ip": "192.0.2.9"})
        .json()
    )
    assert (body["decision"], body["reason"], body["authorization_id"]) == (
        "block",
        "no_direct_traffic",
        None,
    )
    assert body["rmd_order"] == "DA 25-694" and "DA 25-694" in body["detail"]


def test_an_answer_from_an_authorization_has_no_rmd_order(client):
    body = client.post("/v1/decide", json={"upstream": "BBBB", "calling": CLEAN}).json()
    assert (body["authorization_id"], body["rmd_order"]) == (7, None)


def test_a_batch_is_answered_in_order(client):
    calls = [
        {"upstream": "AAAA", "calling": CLEAN},
        {"upstream": "AAAA", "calling": "+13125550199"},
        {"upstream": "BBBB", "calling": CLEAN},
        {"upstream": "AAAA", "calling": "9115550143"},
    ]
    answers = client.post("/v1/decide/batch", json=calls).json()
    assert [a["reason"] for a in answers] == [
        "allowed",
        "number_blocked",
        "provider_blocked",
        "invalid_number",
    ]


def test_a_batch_over_the_limit_is_refused(client):
    calls = [{"calling": CLEAN}] * (MAX_BATCH + 1)
    assert client.post("/v1/decide/batch", json=calls).status_code == 422


@pytest.mark.parametrize(
    "body",
    [b"", b"garbage", b"[]", b'{"calling": 5}', b'{"at": "yesterday"}', b"\xff", b'{"calling":'],
)
def test_a_garbage_body_is_422_not_a_crash(client, body):
    response = client.post("/v1/decide", content=body, headers={"Content-Type": "application/json"})
    # Bytes that are not UTF-8, sent as JSON, are FastAPI's 400 "error parsing the body".
    assert response.status_code == (400 if body == b"\xff" else 422)
    assert client.post("/v1/decide/batch", content=body).status_code == 422


def test_health_says_stale_before_any_list_is_loaded():
    client = TestClient(create_app(Blocker(ListState(), policy(), TRUNKS)))
    assert client.get("/health").json()["status"] == "stale"
    answer = client.post("/v1/decide", json={"upstream": "BBBB", "calling": CLEAN}).json()
    assert (answer["decision"], answer["version"]) == ("allow", None)
