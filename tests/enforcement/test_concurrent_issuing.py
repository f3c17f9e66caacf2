"""Regulators acting at once, each in its own connection and transaction (SQLite and
PostgreSQL): two authorizations of the same scope for one provider — exactly one wins, the
other is refused; authorizations for different providers — the newest block list carries
them all; two warning letters — both are issued, as one after the other would be (a
provider may be warned twice about the same traffic); an authorization racing a regulator's
new decision on its letter follows that decision."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from robotrace.accounts.users import create_user
from robotrace.clock import SimulatedClock
from robotrace.enforcement import service
from robotrace.enforcement.errors import EnforcementError
from robotrace.enforcement.worker import decide_due_letters
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import make_engine, transaction
from robotrace.traceback.store import save_traceback
from tests.concurrency import at_once

from .builders import PROVIDERS, T0, through

REGULATORS = [f"regulator:{n}@fcc.example" for n in range(4)]
AUTH = models.EnforcementKind.BLOCK_AUTHORIZATION
LETTER = models.EnforcementKind.WARNING_LETTER


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0)


@pytest.fixture
def seeded(engine, clock, monkeypatch):
    """CCCC with a letter decided noncompliant (TB-000020 shows it still carrying)."""
    monkeypatch.setenv("ROBOTRACE_SMTP_PORT", "9")
    with transaction(engine) as session:
        upsert_providers(session, PROVIDERS, clock)
        create_user(session, "ops@cccc.example", "provider", None, "CCCC", clock=clock)
        for n, days in enumerate((3, 10, 20), start=1):
            save_traceback(session, through("CCCC", T0 - timedelta(days=days), f"TB-00000{n}"))
    return engine


def noncompliant(engine, clock) -> int:
    with transaction(engine) as session:
        letter_id = service.issue_letter(
            session, "CCCC", ["covid-test-kits"], [], "regulator:x", clock, Settings.from_environ()
        ).id
        save_traceback(session, through("CCCC", T0 + timedelta(hours=49), "TB-000020"))
    clock.advance(timedelta(hours=72))
    assert decide_due_letters(engine, clock, Settings.from_environ(), automatic=True) == 1
    return letter_id


def authorizing(key: str, actor: str, clock) -> Callable[[object], object]:
    request = service.AuthorizationRequest(key, reason="still carrying")
    return lambda session: (
        service.issue_authorization(session, request, actor, clock, Settings.from_environ()).id
    )


def count(engine, query) -> int:
    with transaction(engine) as session:
        return session.scalar(query)


def active_authorizations(engine, key: str) -> int:
    return count(
        engine,
        select(func.count())
        .select_from(models.EnforcementAction)
        .join(models.Provider, models.Provider.id == models.EnforcementAction.provider_id)
        .where(
            models.Provider.key == key,
            models.EnforcementAction.kind == AUTH,
            models.EnforcementAction.status == "active",
        ),
    )


@pytest.mark.parametrize("round_", range(3))
def test_exactly_one_of_concurrent_same_scope_authorizations_wins(db_url, seeded, clock, round_):
    noncompliant(seeded, clock)
    results = at_once(db_url, [authorizing("CCCC", actor, clock) for actor in REGULATORS])
    won = [r for r in results if isinstance(r, int)]
    assert len(won) == 1, results
    losers = [r for r in results if not isinstance(r, int)]
    assert all(isinstance(r, EnforcementError) for r in losers), losers
    assert all("already in force" in str(r) for r in losers), losers
    assert active_authorizations(seeded, "CCCC") == 1
    issued = select(func.count()).where(models.AuditEvent.action == "authorization.issued")
    assert count(seeded, issued) == 1


@pytest.mark.parametrize("round_", range(3))
def test_the_newest_block_list_carries_every_concurrent_authorization(
    db_url, seeded, clock, round_
):
    keys = ["AAAA", "BBBB", "DDDD", "FFFF"]
    steps = [
        lambda session, key=key: (
            service.issue_authorization(
                session,
                service.AuthorizationRequest(key, service.Scope.NO_DIRECT_TRAFFIC, reason="no RMD"),
                f"regulator:{key}",
                clock,
                Settings.from_environ(),
            ).id
        )
        for key in keys
    ]
    results = at_once(db_url, steps)
    assert all(isinstance(r, int) for r in results), results
    with transaction(seeded) as session:
        newest = service.latest_blocklist(session)  # as stored: no publishing here
        versions = session.scalar(select(func.count()).select_from(models.BlocklistVersion))
    assert all(f'"provider":"{key}"' in newest.body for key in keys), newest.body
    assert versions <= len(keys)


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_letters_are_each_issued_as_in_turn(db_url, seeded, clock, round_):
    steps = [
        lambda session, actor=actor: (
            service.issue_letter(
                session, "CCCC", ["covid-test-kits"], [], actor, clock, Settings.from_environ()
            ).id
        )
        for actor in REGULATORS
    ]
    results = at_once(db_url, steps)
    assert all(isinstance(r, int) for r in results), results
    letters = select(func.count()).where(models.EnforcementAction.kind == LETTER)
    assert count(seeded, letters) == len(REGULATORS) == len(set(results))
    mails = select(func.count()).where(models.Notification.kind == service.LETTER_EMAIL_KIND)
    assert count(seeded, mails) == 2 * len(REGULATORS)  # contact_email and the one user


def test_an_authorization_waits_for_a_new_decision_in_flight_and_follows_it(db_url, seeded, clock):
    """A regulator decides the letter again (now complied: the later traceback was withdrawn)
    while another authorizes blocking on it: the authorization waits for the decision and
    is refused, rather than resting on a letter that was no longer noncompliant."""
    letter_id = noncompliant(seeded, clock)
    with transaction(seeded) as session:
        session.execute(delete(models.Hop).where(models.Hop.traceback_id == "TB-000020"))
        session.execute(delete(models.Traceback).where(models.Traceback.id == "TB-000020"))
    outcome: list[object] = []
    deciding = make_engine(db_url)
    try:
        with transaction(deciding) as session:
            decided = service.decide_letter(
                session, letter_id, "regulator:a", clock, Settings.from_environ().display_zone
            )
            assert decided.status == "complied"
            session.flush()
            other = threading.Thread(
                target=lambda: outcome.extend(
                    at_once(db_url, [authorizing("CCCC", "regulator:b", clock)])
                )
            )
            other.start()
            time.sleep(0.5)  # the authorization reads the letter while this holds it
        other.join()
    finally:
        deciding.dispose()
    assert isinstance(outcome[0], EnforcementError), outcome
    assert active_authorizations(seeded, "CCCC") == 0
