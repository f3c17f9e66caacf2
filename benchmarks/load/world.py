"""The portal load test's world: providers, people, calls with their true paths, and the check.

:func:`build_world` fills an empty store through robotrace's own services — providers,
coordinators (password and read-write API token), one provider user with a read-write token
per provider, campaigns with their calls (``honeypot`` evidence), and open tracebacks for the
first of those calls (their first hop waiting at the terminating provider) — and returns a
:class:`World` that the locustfile reads as JSON: who signs in with what, which calls are
left for coordinators to open, and every call's true path, from which the agents answer.

Every path runs terminating → intermediate(s) → originating provider, all US and distinct,
and the originating provider names its customer, so a traceback that every agent answers
closes ``origin_identified``.

:func:`check_answers` reads back, in SQL, what the agents said they stored.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user
from robotrace.clock import SystemClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import make_engine, transaction, upgrade
from robotrace.traceback import service
from robotrace.traceback.model import Answer
from robotrace.traceback.workflow import Policy

PASSWORD = "load-test correct horse"
TRANSCRIPTS = {
    "auto-warranty": "This is your final notice about your car's extended warranty.",
    "student-loans": "Your student loans may qualify for forgiveness, press one.",
    "ssa-suspension": "Your social security number has been suspended due to activity.",
    "amazon-refund": "Your Amazon order of an iPhone will be charged, press one to cancel.",
    "health-insurance": "Lower your health insurance premium today, press one.",
    "utility-shutoff": "Your power will be shut off in thirty minutes unless you pay.",
    "covid-test-kits": "Your free COVID-19 test kit is waiting, press one.",
    "credit-card-rates": "Lower the interest rate on your credit cards, press one now.",
}
CAMPAIGNS = tuple(TRANSCRIPTS)


@dataclass
class Sizes:
    terminating: int = 4
    intermediate: int = 8
    originating: int = 4
    coordinators: int = 4
    open_tracebacks: int = 200
    calls_to_open: int = 3000
    seed: int = 10


@dataclass
class World:
    """What the load generator needs; ``truth`` maps a called number to its path and customer."""

    coordinators: list[dict[str, str]] = field(default_factory=list)
    agents: dict[str, str] = field(default_factory=dict)
    calls_to_open: list[int] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    truth: dict[str, dict[str, Any]] = field(default_factory=dict)
    open_tracebacks: int = 0

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))


def providers_of(sizes: Sizes) -> dict[str, list[Provider]]:
    def made(kind: str, count: int, **flags: bool) -> list[Provider]:
        return [
            Provider(
                f"{kind}{n:03d}",
                f"Load {kind} {n}",
                contact_email=f"noc@{kind}{n:03d}.load",
                **flags,
            )
            for n in range(1, count + 1)
        ]

    return {
        "terminating": made("T", sizes.terminating),
        "intermediate": made("I", sizes.intermediate, intermediate_provider=True),
        "originating": made("O", sizes.originating),
    }


def true_path(rng: random.Random, kinds: dict[str, list[Provider]]) -> list[str]:
    """terminating, one to three distinct intermediates, originating."""
    middle = rng.sample(kinds["intermediate"], rng.randint(1, 3))
    ends = [rng.choice(kinds["terminating"])], [rng.choice(kinds["originating"])]
    return [p.key for p in (*ends[0], *middle, *ends[1])]


def _calls(session, sizes: Sizes, kinds, world: World, ids: dict[str, int]) -> list[models.Call]:
    rng, now = random.Random(sizes.seed), datetime.now(UTC)
    rows = []
    for n in range(sizes.open_tracebacks + sizes.calls_to_open):
        campaign = CAMPAIGNS[n % len(CAMPAIGNS)]
        path = true_path(rng, kinds)
        called = f"+1{rng.choice((202, 312, 415, 646))}{n:07d}"
        world.truth[called] = {"path": path, "customer": f"Dialer LLC {rng.randint(1, 40)}"}
        rows.append(
            models.Call(
                source="honeypot",
                source_ref=f"load-{n}",
                calling_number=f"+1{rng.randint(201, 989)}555{rng.randint(0, 9999):04d}",
                called_number=called,
                called_e164=called,
                call_time=now - timedelta(hours=rng.uniform(1, 20 * 24)),
                terminating_provider_id=ids[path[0]],
                transcript=TRANSCRIPTS[campaign],
                campaign_id=campaign,
                imported_at=now,
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


def _people(session, sizes: Sizes, kinds, world: World, clock: SystemClock) -> None:
    for n in range(1, sizes.coordinators + 1):
        email = f"coord{n:02d}@load.example"
        user = create_user(session, email, "coordinator", PASSWORD, name=f"Coordinator {n}")
        token, _ = create_token(session, user, "load", True, clock)
        world.coordinators.append({"email": email, "password": PASSWORD, "token": token})
    for provider in (p for group in kinds.values() for p in group):
        user = create_user(session, provider.contact_email, "provider", None, provider.key)
        world.agents[provider.key], _ = create_token(session, user, "agent", True, clock)


def build_world(url: str, sizes: Sizes) -> World:
    """Fill the empty store at ``url`` (migrating it first); see the module docstring."""
    engine, clock, world = make_engine(url), SystemClock(), World()
    upgrade(engine)
    kinds = providers_of(sizes)
    with transaction(engine) as session:
        upsert_providers(session, [p for group in kinds.values() for p in group], clock)
        rows = session.execute(select(models.Provider.key, models.Provider.id))
        ids = {ocn: provider_id for ocn, provider_id in rows}
        now = datetime.now(UTC)
        for n, campaign in enumerate(CAMPAIGNS):
            session.add(
                models.Campaign(
                    id=campaign,
                    name=campaign.replace("-", " ").title(),
                    topic=campaign,
                    tags=["covid-19"] if "covid" in campaign else [],
                    priority=float(100 - n),
                    created_at=now,
                    representative=TRANSCRIPTS[campaign],
                )
            )
        world.campaigns = list(CAMPAIGNS)
        _people(session, sizes, kinds, world, clock)
        calls = _calls(session, sizes, kinds, world, ids)
    policy = Policy.from_settings(Settings.from_environ())  # as the portal under test reads it
    with transaction(engine) as session:
        for call in calls[: sizes.open_tracebacks]:
            service.open_traceback_for_call(session, call.id, "coordinator:load", clock, policy)
    world.open_tracebacks = sizes.open_tracebacks
    world.calls_to_open = [call.id for call in calls[sizes.open_tracebacks :]]
    engine.dispose()
    return world


# --- after the run ----------------------------------------------------------------------


def check_answers(url: str, posted: list[int], opened: list[str]) -> dict[str, Any]:
    """Compare the hops the agents answered (200s, by hop id) with what the store holds.

    Exactly once means: every 200 is one answered hop in the store and no answered hop lacks
    its 200; one ``hop.answered`` audit event per answered hop; an ``upstream`` answer made
    exactly one next hop; every traceback a coordinator's 201 named is stored once."""
    engine = make_engine(url)
    with engine.connect() as connection:
        answered = {
            hop_id: (tb, position, str(answer))
            for hop_id, tb, position, answer in connection.execute(
                select(
                    models.Hop.id, models.Hop.traceback_id, models.Hop.position, models.Hop.answer
                )
                .where(models.Hop.answered_at.is_not(None))
                .where(models.Hop.answer != Answer.NO_RESPONSE)
            )
        }
        events = connection.execute(
            select(models.AuditEvent.traceback_id, models.AuditEvent.provider_key, func.count())
            .where(models.AuditEvent.action == "hop.answered")
            .group_by(models.AuditEvent.traceback_id, models.AuditEvent.provider_key)
        ).all()
        hops = connection.execute(select(models.Hop.traceback_id, models.Hop.position))
        positions = {(tb, position) for tb, position in hops}
        stored_tbs = (
            connection.scalar(
                select(func.count())
                .select_from(models.Traceback)
                .where(models.Traceback.id.in_(opened))
            )
            if opened
            else 0
        )
        by_outcome = select(models.Traceback.outcome, func.count()).group_by(
            models.Traceback.outcome
        )
        outcomes = {outcome: n for outcome, n in connection.execute(by_outcome)}
    engine.dispose()
    upstream = [(tb, pos) for tb, pos, answer in answered.values() if answer == "upstream"]
    return {
        "answers_posted": len(posted),
        "answers_posted_twice": len(posted) - len(set(posted)),
        "answers_stored": len(answered),
        "stored_without_200": len(set(answered) - set(posted)),
        "posted_not_stored": len(set(posted) - set(answered)),
        "audit_events": sum(n for _, _, n in events),
        "audit_duplicates": sum(n - 1 for _, _, n in events if n > 1),
        "upstream_without_next_hop": sum((tb, pos + 1) not in positions for tb, pos in upstream),
        "tracebacks_opened": len(opened),
        "tracebacks_opened_twice": len(opened) - len(set(opened)),
        "tracebacks_opened_stored": stored_tbs,
        "outcomes": {str(k.value if k is not None else "open"): n for k, n in outcomes.items()},
    }


def exactly_once(check: dict[str, Any]) -> bool:
    """Whether :func:`check_answers` found every answer and traceback stored exactly once."""
    return (
        check["answers_posted_twice"] == 0
        and check["stored_without_200"] == 0
        and check["posted_not_stored"] == 0
        and check["audit_events"] == check["answers_stored"]
        and check["audit_duplicates"] == 0
        and check["upstream_without_next_hop"] == 0
        and check["tracebacks_opened_twice"] == 0
        and check["tracebacks_opened_stored"] == check["tracebacks_opened"]
    )
