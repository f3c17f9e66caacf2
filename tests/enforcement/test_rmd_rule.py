"""The RMD rule end to end, on SQLite and PostgreSQL: a regulator enters the FCC's order
removing a provider from the Robocall Mitigation Database, and the next signed block list
carries an ``rmd_removed`` entry (47 CFR 64.6305(g): no provider may accept its calls
directly) from the removal date until the provider is reinstated — no authorization needed.
"""

import base64
import csv
import io
import json
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import func, select

from robotrace.clock import SimulatedClock
from robotrace.enforcement import service, signing
from robotrace.enforcement.errors import InvalidRequest
from robotrace.enforcement.rmd import record_reinstatement, record_removal
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction

from .builders import PROVIDERS, T0

REGULATOR = "regulator:fcc@example.org"
ORDER = "DA 25-694"
#: Known by its RMD number alone (the public export has no OCN): its key is that number.
ECHO = Provider(
    "",
    "Echo Resale LLC",
    rmd_numbers=("RMD0009999",),
    frns=("0034567890",),
    contact_email="noc@echo.example",
)
#: First known from the RMD (key = its RMD number), with an OCN learned since.
GOLF = Provider("RMD0007777", "Golf Telecom", rmd_numbers=("RMD0007777",), ocns=("GLF1",))


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0)


@pytest.fixture
def seeded(engine, clock):
    with transaction(engine) as session:
        upsert_providers(session, [*PROVIDERS, ECHO, GOLF], clock)
        service.publish_blocklist(session, clock, Settings.from_environ())  # version 1, empty
    return engine


def remove(engine, clock, provider="RMD0009999", order=ORDER, removed_at=None):
    with transaction(engine) as session:
        return record_removal(
            session, provider, order, removed_at, REGULATOR, clock, Settings.from_environ()
        ).id


def reinstate(engine, clock, provider="RMD0009999", reference="DA 26-101"):
    with transaction(engine) as session:
        return record_reinstatement(
            session, provider, reference, None, REGULATOR, clock, Settings.from_environ()
        ).id


def latest(engine) -> models.BlocklistVersion:
    with transaction(engine) as session:
        version = service.latest_blocklist(session)
        assert version is not None
        session.expunge(version)
        return version


def entries(version: models.BlocklistVersion) -> list[dict]:
    return json.loads(version.body)["entries"]


def versions(engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(models.BlocklistVersion))


def removals(engine) -> list[tuple[str, bool]]:
    with transaction(engine) as session:
        rows = session.scalars(select(models.RmdRemoval).order_by(models.RmdRemoval.id))
        return [(r.order_reference, r.reinstated_at is None) for r in rows]


def published_key() -> Ed25519PublicKey:
    key = load_pem_public_key(signing.public_key_pem(Settings.from_environ().blocklist_signing_key))
    assert isinstance(key, Ed25519PublicKey)
    return key


def verify(body: str, signature: str) -> None:
    """As a downstream provider does: the signature over the exact bytes (docs/enforcement.md)."""
    raw = base64.b64decode(signature.removeprefix("ed25519="), validate=True)
    published_key().verify(raw, body.encode())


def test_a_removal_puts_one_rmd_removed_entry_on_the_next_list_without_an_authorization(
    seeded, clock
):
    before = latest(seeded).version
    remove(seeded, clock)
    version = latest(seeded)
    assert version.version == before + 1
    assert entries(version) == [
        {
            "kind": "provider",
            "scope": "no_direct_traffic",
            "provider": "RMD0009999",
            "ocns": [],
            "name": "Echo Resale LLC",
            "number": None,
            "reason_code": "rmd_removed",
            "authorization_id": None,
            "rmd_order": ORDER,
            "order_id": None,
            "obligation": "mandatory",
            "downstream": [],
            "effective_at": "2020-05-01T12:00:00Z",
            "reason": f"removed from the Robocall Mitigation Database ({ORDER})",
            "contact": "noc@echo.example",
            "reference": ORDER,
            "redress": None,
        }
    ]
    with transaction(seeded) as session:
        assert session.scalar(select(func.count()).select_from(models.EnforcementAction)) == 0
        actions = list(session.scalars(select(models.AuditEvent.action)))
    assert {"rmd.removed", "blocklist.published"} <= set(actions)


def test_the_json_and_csv_bodies_of_that_version_verify_with_the_lists_signature(seeded, clock):
    remove(seeded, clock)
    version = latest(seeded)
    verify(version.body, version.signature)
    verify(version.csv, version.csv_signature)
    [row] = list(csv.DictReader(io.StringIO(version.csv)))
    assert (row["provider"], row["ocns"], row["reason_code"]) == ("RMD0009999", "", "rmd_removed")
    assert (row["authorization_id"], row["rmd_order"]) == ("", ORDER)
    with pytest.raises(InvalidSignature):
        verify(version.body.replace(ORDER, "DA 25-695"), version.signature)


def test_the_entry_lists_the_providers_ocns_under_its_key(seeded, clock):
    remove(seeded, clock, provider="GLF1")  # named by its OCN
    [entry] = entries(latest(seeded))
    assert (entry["provider"], entry["ocns"], entry["reason_code"]) == (
        "RMD0007777",
        ["GLF1"],
        "rmd_removed",
    )


@pytest.mark.parametrize("name", ["RMD0009999", "rmd0009999", "34567890", "0034567890"])
def test_the_removed_provider_may_be_named_by_any_identifier(seeded, clock, name):
    remove(seeded, clock, provider=name)
    assert [e["provider"] for e in entries(latest(seeded))] == ["RMD0009999"]


def test_a_removal_effective_later_enters_the_list_at_its_removal_date(seeded, clock):
    before = latest(seeded).version
    removal_date = T0 + timedelta(days=2)
    remove(seeded, clock, removed_at=removal_date)
    assert latest(seeded).version == before  # nothing in force yet: no new version
    clock.set(removal_date - timedelta(seconds=1))
    with transaction(seeded) as session:
        assert (
            json.loads(service.publish_blocklist(session, clock, Settings.from_environ()).body)[
                "entries"
            ]
            == []
        )
    clock.set(removal_date)
    with transaction(seeded) as session:
        version = service.publish_blocklist(session, clock, Settings.from_environ())
        [entry] = json.loads(version.body)["entries"]
    assert version.version == before + 1
    assert (entry["effective_at"], entry["rmd_order"]) == ("2020-05-03T12:00:00Z", ORDER)


def test_a_removal_dated_in_the_past_is_effective_at_that_date(seeded, clock):
    remove(seeded, clock, removed_at=T0 - timedelta(days=10))
    [entry] = entries(latest(seeded))
    assert entry["effective_at"] == "2020-04-21T12:00:00Z"


def test_a_reinstatement_lifts_the_entry_in_the_next_version_and_keeps_the_old(seeded, clock):
    remove(seeded, clock)
    removed = latest(seeded)
    clock.advance(timedelta(days=200))
    reinstate(seeded, clock)
    lifted = latest(seeded)
    assert lifted.version == removed.version + 1 and entries(lifted) == []
    verify(lifted.body, lifted.signature)
    with transaction(seeded) as session:
        kept = service.blocklist_version(session, removed.version)
        assert kept is not None and kept.body == removed.body
        actions = list(session.scalars(select(models.AuditEvent.action)))
    assert "rmd.reinstated" in actions
    assert removals(seeded) == [(ORDER, False)]


def test_a_provider_removed_again_after_reinstatement_is_listed_under_the_new_order(seeded, clock):
    remove(seeded, clock)
    reinstate(seeded, clock)
    clock.advance(timedelta(days=30))
    remove(seeded, clock, order="DA 27-12")
    [entry] = entries(latest(seeded))
    assert (entry["rmd_order"], entry["effective_at"]) == ("DA 27-12", "2020-05-31T12:00:00Z")


def test_a_removal_and_an_authorization_on_one_provider_are_two_entries(seeded, clock):
    remove(seeded, clock, provider="BBBB")
    request = service.AuthorizationRequest("BBBB", service.Scope.NO_DIRECT_TRAFFIC, reason="x")
    with transaction(seeded) as session:
        auth_id = service.issue_authorization(
            session, request, REGULATOR, clock, Settings.from_environ()
        ).id
    listed = [(e["reason_code"], e["authorization_id"]) for e in entries(latest(seeded))]
    assert listed == [("authorization", auth_id), ("rmd_removed", None)]
    reinstate(seeded, clock, provider="BBBB")
    listed = [(e["reason_code"], e["authorization_id"]) for e in entries(latest(seeded))]
    assert listed == [("authorization", auth_id)]  # the authorization stands on its own


@pytest.mark.parametrize(
    ("provider", "order", "reason"),
    [
        ("ZZZZ", ORDER, "no provider 'ZZZZ'"),
        ("RMD0000001", ORDER, "no provider 'RMD0000001'"),
        ("<script>", ORDER, "no provider"),
        ("RMD0009999", "", "the removal order is required"),
        ("RMD0009999", " \t\n ", "the removal order is required"),
        ("RMD0009999", "DA " + "9" * 300, "at most 200 characters"),
        ("RMD0009999", "DA 25-694 <b>now</b>", "printable text"),
        ("RMD0009999", "<script>alert(1)</script>", "printable text"),
        ("RMD0009999", "DA 25\x00-694", "printable text"),
    ],
    ids=[
        "unknown OCN",
        "unknown RMD number",
        "markup name",
        "empty order",
        "blank order",
        "huge order",
        "markup in order",
        "script order",
        "NUL in order",
    ],
)
def test_a_bad_removal_is_refused_with_its_reason_and_no_new_version(
    seeded, clock, provider, order, reason
):
    before = versions(seeded)
    with pytest.raises(InvalidRequest, match=reason):
        remove(seeded, clock, provider=provider, order=order)
    assert versions(seeded) == before and removals(seeded) == []


def test_a_second_removal_while_removed_is_refused_with_no_new_version(seeded, clock):
    remove(seeded, clock)
    before = versions(seeded)
    with pytest.raises(InvalidRequest, match="removed from the RMD already"):
        remove(seeded, clock, order="DA 25-999")
    assert versions(seeded) == before and removals(seeded) == [(ORDER, True)]


def test_a_reinstatement_without_a_removal_is_refused_with_no_new_version(seeded, clock):
    before = versions(seeded)
    with pytest.raises(InvalidRequest, match="is not removed from the RMD"):
        reinstate(seeded, clock)
    with pytest.raises(InvalidRequest, match="no provider"):
        reinstate(seeded, clock, provider="ZZZZ")
    remove(seeded, clock)
    with pytest.raises(InvalidRequest, match="reference is required"):
        reinstate(seeded, clock, reference=" ")
    reinstate(seeded, clock)
    with pytest.raises(InvalidRequest, match="is not removed from the RMD"):
        reinstate(seeded, clock)  # twice
    assert versions(seeded) == before + 2
