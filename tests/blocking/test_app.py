import asyncio
import json

import pytest
from fastapi.testclient import TestClient

from robotrace.blocking.app import MAX_BATCH, MAX_BODY_BYTES, Blocker, create_app
from robotrace.blocking.refresh import ListState
from robotrace.blocking.trunks import parse_trunks
from tests.blocking.builders import CLEAN, T0, entry, loaded, policy, rmd_removed

REDRESS = {"url": "https://traceback.example/r/BA-000007", "email": "desk@traceback.example"}
LIST = loaded(
    entry("BBBB", redress=REDRESS), entry("CCCC", number="+13125550199", authorization_id=8)
)
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
    assert (body["redress"], body["reference"], body["version"]) == (REDRESS, "BA-000007", 2)
    assert body["contact"] == "https://traceback.example/r/BA-000007 desk@traceback.example"


def test_the_upstream_comes_from_the_trunk_table_when_not_given(client):
    body = client.post("/v1/decide", json={"calling": CLEAN, "source_ip": "192.0.2.7"}).json()
    assert (body["upstream"], body["reason"]) == ("BBBB", "provider_blocked")
    by_tgrp = client.post("/v1/decide", json={"calling": CLEAN, "tgrp": "BBBB"}).json()
    assert (by_tgrp["upstream"], by_tgrp["flags"]) == ("", ["unknown_upstream"])  # issue 24
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
        {"upstream": "CCCC", "calling": "+13125550199"},
        {"upstream": "AAAA", "calling": "+13125550199"},
        {"upstream": "BBBB", "calling": CLEAN},
        {"upstream": "AAAA", "calling": "9115550143"},
        {"upstream": "BBBB", "calling": CLEAN, "called": "911"},
    ]
    answers = client.post("/v1/decide/batch", json=calls).json()
    assert [a["reason"] for a in answers] == [
        "allowed",
        "number_blocked",
        "allowed",  # the caller ID is CCCC's to block, not AAAA's
        "provider_blocked",
        "invalid_number",
        "emergency_destination",
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


def test_a_tgrp_names_the_upstream_when_the_table_says_so():
    trunks = parse_trunks([{"source": "", "tgrp": "tg-b", "ocn": "BBBB"}])
    client = TestClient(create_app(Blocker(ListState(blocklist=LIST), policy(), trunks)))
    body = client.post("/v1/decide", json={"calling": CLEAN, "tgrp": "tg-b"}).json()
    assert (body["upstream"], body["reason"]) == ("BBBB", "provider_blocked")


def test_a_stamped_tgrp_names_a_provider_that_has_only_number_entries():
    # CCCC is on the list by a number entry only; a trusted SBC stamps its OCN as tgrp.
    trunks = parse_trunks([{"source": "192.0.2.1", "ocn": "", "trust_tgrp": "1"}], True)
    client = TestClient(create_app(Blocker(ListState(blocklist=LIST), policy(), trunks)))
    call = {"calling": "+13125550199", "tgrp": "CCCC", "source_ip": "192.0.2.1"}
    body = client.post("/v1/decide", json=call).json()
    assert (body["upstream"], body["reason"]) == ("CCCC", "number_blocked")


def test_health_reports_the_sip_listeners_and_is_not_ok_while_one_is_down():
    listeners = {"udp": "ok", "tcp": "ok"}
    blocker = Blocker(ListState(blocklist=LIST, last_success=T0), policy(), TRUNKS)
    blocker.listeners = lambda: dict(listeners)
    client = TestClient(create_app(blocker))
    assert (client.get("/health").json()["status"], blocker.health()["sip"]) == ("ok", listeners)
    listeners["udp"] = "down"
    health = client.get("/health").json()
    assert (health["status"], health["sip"]) == ("sip_down", {"udp": "down", "tcp": "ok"})
    without_sip = TestClient(create_app(Blocker(ListState(blocklist=LIST), policy(), TRUNKS)))
    assert without_sip.get("/health").json()["sip"] is None


# Issue 24 item 11: /v1/decide/batch read a 153 MiB unauthenticated body whole.


def small_client(most: int) -> TestClient:
    blocker = Blocker(ListState(blocklist=LIST), policy(), TRUNKS)
    return TestClient(create_app(blocker, max_body=most))


def test_a_body_longer_than_the_limit_is_413_and_one_at_the_limit_is_answered():
    calls = json.dumps([{"upstream": "BBBB", "calling": CLEAN}] * 100).encode()
    headers = {"Content-Type": "application/json"}
    answer = small_client(len(calls) - 1).post("/v1/decide/batch", content=calls, headers=headers)
    assert answer.status_code == 413
    assert answer.json()["detail"] == f"the request body is longer than {len(calls) - 1:,} bytes"
    answered = small_client(len(calls)).post("/v1/decide/batch", content=calls, headers=headers)
    assert answered.status_code == 200 and len(answered.json()) == 100


BIG = 153 << 20  # the 153 MiB of the finding
CHUNK = 1 << 20


def post_in_chunks(declared: bool) -> tuple[int, int]:
    """POST 153 MiB to /v1/decide/batch in chunks of 1 MiB straight through ASGI, as an upload
    arrives: (the status answered, how many chunks the app took)."""
    app = create_app(Blocker(ListState(blocklist=LIST), policy(), TRUNKS))
    taken, sent = [], []

    async def receive() -> dict:
        taken.append(1)
        return {"type": "http.request", "body": b" " * CHUNK, "more_body": len(taken) < 153}

    async def send(message: dict) -> None:
        sent.append(message)

    headers = [(b"content-type", b"application/json")]
    headers += [(b"content-length", str(BIG).encode())] if declared else []  # else: chunked
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/decide/batch", "raw_path": b"/v1/decide/batch",
        "query_string": b"", "root_path": "", "server": ("127.0.0.1", 8700),
        "client": ("192.0.2.1", 40000), "headers": headers,
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], len(taken)


def test_a_declared_153_mib_body_is_413_before_a_byte_of_it_is_read():
    assert post_in_chunks(declared=True) == (413, 0)


def test_a_chunked_153_mib_body_is_cut_off_at_the_limit():
    assert post_in_chunks(declared=False) == (413, MAX_BODY_BYTES // CHUNK + 1)
