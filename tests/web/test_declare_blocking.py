"""The blocker side of K4: ``declare_all`` reads the verified list and tells the portal "we
block under BA-x since T" with the provider's token; mandatory entries need no declaration."""

from __future__ import annotations

from datetime import timedelta

from robotrace.blocking.declare import authorization_number, declare_all, permissive_entries
from robotrace.blocking.listfile import SIGNATURE_HEADER, load_public_key, load_verified
from robotrace.enforcement.worker import decide_due_letters
from robotrace.settings import Settings
from robotrace.store.db import transaction
from robotrace.traceback.store import save_traceback
from tests.enforcement.builders import through

from .conftest import T0

REGULATOR = "fcc@example.org"
ALPHA = "noc@aaaa.example"
DAY = timedelta(days=1)


def authorized(world, api_for, engine) -> int:
    with transaction(engine) as session:
        save_traceback(session, through("BBBB", T0 - 2 * DAY, "TB-000101"))
        save_traceback(session, through("BBBB", T0 + 3 * DAY, "TB-000103"))
    regulator = api_for(REGULATOR)
    body = {"provider": "BBBB", "campaigns": ["covid-test-kits"]}
    assert regulator.post("/api/v1/letters", json=body).status_code == 201
    world.clock.advance(4 * DAY)
    decide_due_letters(engine, world.clock, Settings.from_environ(), automatic=True)
    return regulator.post("/api/v1/authorizations", json={"provider": "BBBB"}).json()["id"]


def verified_list(client, tmp_path):
    """The list as the blocker takes it: signature checked against the published key."""
    pem = tmp_path / "key.pem"
    pem.write_bytes(client.get("/api/v1/blocklist/public-key").content)
    response = client.get("/api/v1/blocklist")
    return load_verified(response.content, response.headers[SIGNATURE_HEADER], load_public_key(pem))


def test_a_provider_declares_every_permissive_authorization(
    world, api_for, engine, tmp_path, monkeypatch
):
    auth_id = authorized(world, api_for, engine)
    alpha = api_for(ALPHA)
    blocklist = verified_list(alpha, tmp_path)
    assert list(permissive_entries(blocklist)) == [auth_id]
    since = world.clock.now() + timedelta(minutes=5)
    [result] = declare_all(alpha, blocklist, since)
    assert (result.authorization_id, result.status, result.since) == (auth_id, 201, since)
    declared = api_for(REGULATOR).get(f"/api/v1/authorizations/{auth_id}/blocking").json()
    assert [(d["blocking_provider"], d["since"]) for d in declared] == [
        ("AAAA", "2020-05-05T12:05:00Z")
    ]


def test_the_blocked_provider_itself_is_refused_and_says_why(
    world, api_for, engine, tmp_path, monkeypatch
):
    authorized(world, api_for, engine)
    bravo = api_for("noc@bbbb.example")
    blocklist = verified_list(bravo, tmp_path)
    [result] = declare_all(bravo, blocklist, world.clock.now(), only=[1])  # BA-000001
    assert (result.status, result.detail) == (422, "a provider does not block itself")


def test_only_picks_authorizations_by_their_reference_number_not_their_row_id(
    world, api_for, engine, tmp_path
):
    # The letter before it took row id 1: the first authorization is row 2 but BA-000001.
    auth_id = authorized(world, api_for, engine)
    assert auth_id != 1
    alpha = api_for(ALPHA)
    blocklist = verified_list(alpha, tmp_path)
    assert declare_all(alpha, blocklist, world.clock.now(), only=[auth_id]) == []
    [result] = declare_all(alpha, blocklist, world.clock.now(), only=[1])
    assert (result.authorization_id, result.reference) == (auth_id, "BA-000001")


def test_authorization_numbers_read_as_references_or_ids():
    assert authorization_number("BA-000007") == authorization_number(" 7 ") == 7
    for bad in ("BA-", "x7", "0", "99999999999"):
        try:
            authorization_number(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
