"""The demo's enforcement part: warn the providers the tracebacks named, wait out the
48 hours, trace the calls that came after, let the worker decide, authorize blocking.

The simulated world reacts to the letters on its own (``truth.json`` says which warned
providers stop and which go on); only the scoring here reads that truth.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from robotrace.clock import SimulatedClock
from robotrace.demo.blocking import BlockingStory, Window, run_blocking
from robotrace.demo.story import Story, Tracer, analytics_dir_of
from robotrace.enforcement import service
from robotrace.enforcement.worker import decide_due_letters
from robotrace.settings import Settings
from robotrace.simulate.runner import SimulationParams
from robotrace.stats.enforcement import Effect, enforcement_effects
from robotrace.store import models
from robotrace.store.db import transaction

REGULATOR = "regulator:demo"
#: letter id → (provider OCN, role warned for, campaigns named, post-deadline tracebacks)
Letters = dict[int, tuple[str, str, set[str], list[str]]]
POST_DEADLINE_SAMPLES = 2


@dataclass(frozen=True)
class LetterOutcome:
    provider: str
    role: str
    campaigns: tuple[str, ...]
    letter: str
    mitigate_by: datetime
    post_deadline_tracebacks: tuple[str, ...]
    status: str
    expected: str  # what truth says the provider did: noncompliant when it "continues"


@dataclass
class EnforcementStory:
    letters: list[LetterOutcome] = field(default_factory=list)
    authorizations: list[tuple[str, str]] = field(default_factory=list)  # (key, reference)
    blocklist_version: int | None = None
    blocklist_providers: tuple[str, ...] = ()
    blocklist_signature: str = ""
    blocking: BlockingStory | None = None  # the post-authorization traffic, screened
    #: Each letter's and authorization's named campaigns before and after it.
    effects: list[Effect] = field(default_factory=list)

    @property
    def right(self) -> bool:
        blocked = set(self.blocklist_providers)
        meant = {o.provider for o in self.letters if o.expected == "noncompliant"}
        return all(o.status == o.expected for o in self.letters) and blocked == meant


def warned_providers(
    story: Story, foreign: Callable[[str], bool]
) -> dict[str, tuple[str, set[str]]]:
    """Who gets a letter, for which campaigns: a campaign's gateway or — for a campaign that
    started in the US — its originating provider, when every traceback of the campaign that
    got that far names the same one. Groups of calls whose tracebacks disagree (a recurring
    legitimate message reaches honeypots too) name nobody."""
    named: dict[str, set[tuple[str, str]]] = {}
    for campaign_id, _ref, run in story.runs:
        summary = next(s for s in story.summaries if s["id"] == run.traceback.id)
        if summary["gateway_provider"]:
            named.setdefault(campaign_id, set()).add((summary["gateway_provider"], "gateway"))
        elif summary["originating_provider"] and not foreign(summary["originating_provider"]):
            named.setdefault(campaign_id, set()).add(
                (summary["originating_provider"], "originating")
            )
    warned: dict[str, tuple[str, set[str]]] = {}
    for campaign_id, providers in named.items():
        if len(providers) == 1:
            [(key, role)] = providers
            warned.setdefault(key, (role, set()))[1].add(campaign_id)
    return warned


def run_enforcement(
    engine: Engine,
    story: Story,
    params: SimulationParams,
    truth: dict[str, Any],
    settings: Settings,
    progress: Callable[[str], None],
) -> EnforcementStory:
    assert params.letters_at is not None
    providers = truth["providers"]
    result = EnforcementStory()
    progress("issuing warning letters")
    letters = _issue_letters(engine, story, params.letters_at, providers, settings)
    if not letters:
        return result
    progress("tracing calls made after the 48-hour deadline")
    grace_hours = settings.compliance_grace_hours
    decided_at = _trace_after_deadlines(engine, story, params.seed, letters, grace_hours)
    progress("deciding compliance and authorizing blocking")
    clock = SimulatedClock(decided_at)
    decide_due_letters(engine, clock, settings, automatic=True)
    with transaction(engine) as session:
        for letter_id, (key, role, campaigns, runs) in letters.items():
            letter = session.get(models.EnforcementAction, letter_id)
            assert letter is not None and letter.mitigate_by is not None
            expected = {"continues": "noncompliant", "stops": "complied"}[
                providers[key]["after_letter"]
            ]
            result.letters.append(
                LetterOutcome(
                    key,
                    role,
                    tuple(sorted(campaigns)),
                    service.letter_reference(letter),
                    letter.mitigate_by,
                    tuple(runs),
                    letter.status,
                    expected,
                )
            )
            if letter.status == "noncompliant":
                auth = service.issue_authorization(
                    session,
                    service.AuthorizationRequest(
                        key, reason="still carrying the named robocall traffic after the deadline"
                    ),
                    REGULATOR,
                    clock,
                    settings,
                )
                result.authorizations.append((key, service.notice_reference(auth)))
        published = service.publish_blocklist(session, clock, settings)
        body = json.loads(published.body)
        result.blocklist_version = published.version
        result.blocklist_signature = published.signature
        result.blocklist_providers = tuple(
            sorted(e["provider"] for e in body["entries"] if e["kind"] == "provider")
        )
    progress("counting complaints and calls before and after each step")
    world_end = params.start + timedelta(days=params.days)
    window = timedelta(days=settings.effects_window_days)
    with transaction(engine) as session:
        result.effects = enforcement_effects(
            session, analytics_dir_of(story.out), world_end, window
        )
    if result.authorizations:
        progress("screening the calls after the block authorization")
        until = params.start + timedelta(days=params.days)
        before = Window(params.start, params.letters_at)
        skew_s = settings.cdr_skew_seconds
        result.blocking = run_blocking(story.out, published.body.encode(), before, until, skew_s)
    return result


def _issue_letters(
    engine: Engine,
    story: Story,
    letters_at: datetime,
    providers: dict[str, Any],
    settings: Settings,
) -> Letters:
    clock = SimulatedClock(letters_at)
    letters: Letters = {}
    with transaction(engine) as session:
        for key, (role, campaigns) in sorted(
            warned_providers(story, lambda o: providers[o]["foreign"]).items()
        ):
            letter = service.issue_letter(
                session, key, sorted(campaigns), [], REGULATOR, clock, settings
            )
            letters[letter.id] = (key, role, campaigns, [])
    return letters


def _trace_after_deadlines(
    engine: Engine,
    story: Story,
    seed: int,
    letters: Letters,
    compliance_grace_hours: float,
) -> datetime:
    """Trace a few calls of each warned campaign made after its letter's deadline; returns
    when the worker may decide: past every deadline + grace, and every traceback done."""
    grace = timedelta(hours=compliance_grace_hours)
    decide_after: list[datetime] = []
    with transaction(engine) as session:
        tracer = Tracer(session, story, seed + 1)
        groups = dict(story.campaigns)
        for letter_id, (_key, _role, campaigns, runs) in letters.items():
            letter = session.get(models.EnforcementAction, letter_id)
            assert letter is not None and letter.mitigate_by is not None
            decide_after.append(letter.mitigate_by + grace)
            for campaign_id in sorted(campaigns):
                refs = tracer.refs_after(groups[campaign_id], letter.mitigate_by)
                for ref in refs[:POST_DEADLINE_SAMPLES]:
                    runs.append(tracer.trace(campaign_id, ref).traceback.id)
        if tracer.finished_at is not None:
            decide_after.append(tracer.finished_at)
    return max(decide_after) + timedelta(minutes=1)
