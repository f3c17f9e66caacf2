import asyncio
import base64
import json
from datetime import timedelta

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from robotrace.blocking.listfile import parse
from robotrace.blocking.refresh import ListState, poll_once, restore
from robotrace.clock import SimulatedClock
from tests.blocking.builders import T0, body_of, entry, rmd_removed, signed

KEY = Ed25519PrivateKey.generate()


class Portal:
    """A fake portal: answers what ``reply`` says, records the If-None-Match it got."""

    def __init__(self) -> None:
        self.body = body_of(entry("BBBB"), version=1)
        self.down = False
        self.tamper = False
        self.seen: list[str | None] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.headers.get("If-None-Match"))
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        headers = signed(KEY, self.body)
        if request.headers.get("If-None-Match") == headers["ETag"]:
            return httpx.Response(304, headers=headers)
        body = self.body.replace(b"BBBB", b"XXXX") if self.tamper else self.body
        return httpx.Response(200, content=body, headers=headers)


def poll(portal: Portal, state: ListState) -> None:
    async def once() -> None:
        transport = httpx.MockTransport(portal.handle)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
            await poll_once(client, state, KEY.public_key(), SimulatedClock(T0))

    asyncio.run(once())


def test_the_first_poll_loads_the_list_and_later_polls_send_its_etag():
    portal, state = Portal(), ListState()
    assert state.health()["status"] == "stale"
    poll(portal, state)
    first = state.blocklist
    poll(portal, state)
    assert portal.seen == [None, first.etag]
    assert state.blocklist is first  # 304: nothing swapped
    assert state.health() == {
        "status": "ok",
        "stale_reason": None,
        "version": 1,
        "etag": first.etag,
        "generated_at": "2020-05-04T13:00:00Z",
        "last_success": "2020-05-04T13:00:00Z",
        "last_error": None,
    }


def test_a_new_version_is_swapped_in():
    portal, state = Portal(), ListState()
    poll(portal, state)
    portal.body = body_of(entry("BBBB"), entry("CCCC", authorization_id=9), version=2)
    poll(portal, state)
    assert state.blocklist.version == 2 and "CCCC" in state.blocklist.providers


def test_a_new_version_with_an_rmd_removal_is_swapped_in_and_logged_by_provider(caplog):
    portal, state = Portal(), ListState()
    poll(portal, state)
    portal.body = body_of(entry("BBBB"), rmd_removed("RMD0009999", ocns=("ECH1",)), version=2)
    with caplog.at_level("INFO", logger="robotrace.blocker"):
        poll(portal, state)
    assert state.blocklist.providers["ECH1"].rmd_order == "DA 25-694"
    assert "version 1 → 2 (2 providers, 0 numbers)" in caplog.text  # not 3: key and OCN


def test_a_portal_that_is_down_leaves_the_last_good_list_and_goes_stale_until_it_returns():
    portal, state = Portal(), ListState()
    poll(portal, state)
    portal.down = True
    poll(portal, state)
    health = state.health()
    assert (health["status"], health["version"]) == ("stale", 1)
    assert "ConnectError" in health["last_error"]
    portal.down = False
    poll(portal, state)
    assert state.health()["status"] == "ok"


def test_a_tampered_body_is_refused_and_the_last_good_list_kept():
    portal, state = Portal(), ListState()
    poll(portal, state)
    portal.body, portal.tamper = body_of(entry("BBBB"), version=2), True
    poll(portal, state)
    assert state.blocklist.version == 1
    assert "signature" in state.health()["last_error"]


def test_an_error_status_is_a_failed_poll():
    state = ListState()

    async def once() -> None:
        transport = httpx.MockTransport(lambda r: httpx.Response(500))
        async with httpx.AsyncClient(transport=transport, base_url="http://p") as client:
            await poll_once(client, state, KEY.public_key(), SimulatedClock(T0))

    asyncio.run(once())
    assert "HTTP 500" in state.last_error and state.stale


def test_a_restarted_blocker_serves_the_cached_list_stale_until_the_portal_answers(tmp_path):
    portal = Portal()
    poll(portal, ListState(cache=tmp_path / "list.json"))
    restarted = ListState(cache=tmp_path / "list.json")
    restore(restarted, KEY.public_key())
    assert restarted.blocklist is not None and set(restarted.blocklist.providers) == {"BBBB"}
    assert restarted.health()["status"] == "stale"  # no poll has confirmed it yet
    portal.down = True
    poll(portal, restarted)
    assert restarted.blocklist.version == 1 and restarted.health()["status"] == "stale"
    portal.down = False
    poll(portal, restarted)
    assert restarted.health()["status"] == "ok"


def test_a_cache_that_does_not_verify_is_ignored(tmp_path):
    cache = tmp_path / "list.json"
    poll(Portal(), ListState(cache=cache))
    record = json.loads(cache.read_text())
    body = base64.b64decode(record["body"]).replace(b"BBBB", b"XXXX")
    cache.write_text(json.dumps({**record, "body": base64.b64encode(body).decode()}))
    state = ListState(cache=cache)
    restore(state, KEY.public_key())
    assert state.blocklist is None
    cache.write_text("{not json")
    restore(state, KEY.public_key())
    assert state.blocklist is None


def test_only_a_new_version_rewrites_the_cache(tmp_path):
    portal, cache = Portal(), tmp_path / "list.json"
    state = ListState(cache=cache)
    poll(portal, state)
    cache.write_text("sentinel")
    poll(portal, state)  # 304: same version, the cache is left alone
    assert cache.read_text() == "sentinel"
    portal.body = body_of(entry("BBBB"), entry("CCCC"), version=2)
    poll(portal, state)
    assert json.loads(cache.read_text())["etag"] == state.blocklist.etag


# Issue 24 item 3: a genuinely signed older list was taken as current (version 3 → 1) and
# /health said ok. Every version the portal ever published is signed, so whoever stands
# between blocker and portal could replay one from before the blocks it wants lifted.


def test_a_genuinely_signed_older_version_is_refused_and_the_newer_one_kept():
    portal, state = Portal(), ListState()
    portal.body = body_of(entry("BBBB"), entry("CCCC", authorization_id=9), version=3)
    poll(portal, state)
    portal.body = body_of(entry("BBBB"), version=1)  # signed by the portal's own key
    poll(portal, state)
    assert state.blocklist.version == 3 and "CCCC" in state.blocklist.providers
    health = state.health()
    assert (health["status"], health["version"]) == ("stale", 3)
    assert "version 1 is older than version 3" in health["last_error"]
    portal.body = body_of(entry("BBBB"), version=4)
    poll(portal, state)
    assert (state.health()["status"], state.blocklist.version) == ("ok", 4)


def test_the_same_version_with_another_body_is_refused():
    portal, state = Portal(), ListState()
    portal.body = body_of(entry("BBBB"), entry("CCCC", authorization_id=9), version=3)
    poll(portal, state)
    kept = state.blocklist
    portal.body = body_of(entry("BBBB"), version=3)
    poll(portal, state)
    assert state.blocklist is kept and "CCCC" in state.blocklist.providers
    assert state.stale and "another body" in state.last_error


def test_a_restarted_blocker_refuses_a_version_below_the_one_it_cached(tmp_path):
    portal, cache = Portal(), tmp_path / "list.json"
    portal.body = body_of(entry("BBBB"), entry("CCCC", authorization_id=9), version=3)
    poll(portal, ListState(cache=cache))
    restarted = ListState(cache=cache)
    restore(restarted, KEY.public_key())
    portal.body = body_of(entry("BBBB"), version=1)
    poll(portal, restarted)
    assert restarted.blocklist.version == 3 and "rollback" in restarted.last_error
    assert parse(base64.b64decode(json.loads(cache.read_text())["body"])).version == 3


def aged(hours: float, max_age_hours: float | None = 168) -> ListState:
    """A state that polled a list generated at T0, looked at ``hours`` after T0."""
    clock = SimulatedClock(T0 + timedelta(hours=hours))
    max_age = timedelta(hours=max_age_hours) if max_age_hours is not None else None
    state = ListState(max_age=max_age, clock=clock)
    poll(Portal(), state)
    return state


def test_a_list_older_than_the_maximum_age_is_stale_but_still_in_force():
    assert aged(167.9).health()["status"] == "ok"
    old = aged(168.1)
    health = old.health()
    assert (health["status"], health["version"]) == ("stale", 1)
    assert health["stale_reason"] == "the list was generated more than 168 hours ago"
    assert old.blocklist is not None and "BBBB" in old.blocklist.providers
    assert aged(10_000, max_age_hours=None).health()["status"] == "ok"


def test_a_list_without_generated_at_is_stale_under_a_maximum_age():
    portal, state = Portal(), ListState(max_age=timedelta(hours=1), clock=SimulatedClock(T0))
    portal.body = json.dumps({"version": 1, "entries": [entry("BBBB")]}).encode()
    poll(portal, state)
    assert state.blocklist.generated_at is None
    assert state.health()["stale_reason"] == "the list has no generated_at"
