"""The whole story on a small simulated world: simulate, import, group, trace, score.

Everything a coordinator would do by hand runs here in order, with the simulated providers
answering from their own CDRs on a simulated clock. Only the scoring reads ``truth.json``.
"""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.campaigns.service import update_campaigns
from robotrace.cdr.lookup import open_records_dir
from robotrace.clock import SimulatedClock
from robotrace.demo.scoring import CampaignScore, family_of, score_campaign
from robotrace.demo.traceforward import run_trace_forward
from robotrace.evidence.honeypot import import_honeypot_csv
from robotrace.evidence.imports import evidence_files, import_evidence
from robotrace.settings import Settings
from robotrace.shaken.chain import TrustStore
from robotrace.shaken.received import certificates_by_name
from robotrace.shaken.stored_calls import load_certificate_folder, verify_calls
from robotrace.shaken.verify import Verifier
from robotrace.simulate.registry import load_world_providers
from robotrace.simulate.runner import SimulationParams, simulate
from robotrace.simulate.shaken import ROOT_FILE, X5U_BASE
from robotrace.store import models
from robotrace.store.audit import append_audit
from robotrace.store.db import make_engine, transaction, upgrade
from robotrace.traceback.answerer import Answerer, RecordsAnswerer, RefusingAnswerer
from robotrace.traceback.files import CallToTrace, trace_call
from robotrace.traceback.findings import signer_on_path, summary_of
from robotrace.traceback.model import CallUnderTrace, OriginAction, Outcome, ProviderInfo
from robotrace.traceback.runner import Run
from robotrace.traceback.service import signer_lead_of
from robotrace.traceback.store import provider_directory, save_traceback
from robotrace.traceback.workflow import Policy

#: A group of honeypot calls smaller than this is not treated as a campaign.
MIN_CAMPAIGN_CALLS = 3
#: The demo traces the campaigns of the highest traceback priority, at most this many.
TOP_CAMPAIGNS = 12
SAMPLES_PER_CAMPAIGN = 3
ACTOR = "coordinator:demo"

Progress = Callable[[str], None]


#: Calls traced before the letters go out are this much older than the letters, so that
#: their tracebacks (answers within hours, a silent hop after 24 h) finish in time.
EVIDENCE_LEAD = timedelta(days=2)


@dataclass(frozen=True)
class ShortcutTiming:
    """A traceback whose call offered the signer shortcut (a verified A/B signature), and
    how long it took to close beside its twin: the same call traced without the shortcut on
    a clock of its own, with the same providers' response delays, and never saved."""

    traceback_id: str
    ref: str
    signer: str
    attest: str
    shortcut_closed: bool  # the signer's own origin answer closed the traceback
    signer_on_path: bool | None
    with_shortcut: timedelta
    without_shortcut: timedelta
    twin_identified_origin: bool


@dataclass
class Story:
    out: Path
    world: dict[str, Any]
    imported_calls: int
    campaigns: list[tuple[str, Group]]
    summaries: list[dict[str, Any]] = field(default_factory=list)
    scores: list[CampaignScore] = field(default_factory=list)
    runs: list[tuple[str, str, Run]] = field(default_factory=list)
    enforcement: Any = None  # demo.enforcement.EnforcementStory when letters were simulated
    mandatory: Any = None  # demo.mandatory.MandatoryStory when a notification was simulated
    #: Honeypot calls with a verified Identity header, by attestation (A, B, C).
    signed_calls: dict[str, int] = field(default_factory=dict)
    shortcut_timings: list[ShortcutTiming] = field(default_factory=list)
    trace_forward: Any = None  # demo.traceforward.TraceForwardStory when a number was placed
    #: The world's ``cdr_skew_seconds``: how far apart its providers' records match a call.
    skew_s: float = field(kw_only=True)


def analytics_dir_of(workdir: Path) -> Path:
    """The demo world's analytics store (its complaints), beside its database."""
    return workdir / "analytics"


def quiet(message: str) -> None:
    """The default progress reporter: says nothing."""


def run_story(
    out: Path, params: SimulationParams, settings: Settings, progress: Progress = quiet
) -> Story:
    """The whole story on a new simulated world in ``out``; its enforcement part runs with
    ``settings`` (the world's: the demo signs its block list with a key of its own)."""
    progress("simulating the network")
    world = simulate(params, out, force=True)
    database = out / "robotrace.db"
    for stale in (database, out / "robotrace.db-wal", out / "robotrace.db-shm"):
        stale.unlink(missing_ok=True)  # a world is replaced whole, its database with it
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    traced_before = params.letters_at - EVIDENCE_LEAD if params.letters_at else None
    with transaction(engine) as session:
        progress("importing providers, honeypot calls and complaints")
        # the registry as it stood when the traffic began (the RMD import is dated then)
        load_world_providers(session, out, SimulatedClock(params.start), ACTOR)
        imported = import_honeypot_csv(session, out / "honeypot.csv").added
        analytics = analytics_dir_of(out)
        shutil.rmtree(analytics, ignore_errors=True)  # replaced with the world, like the database
        import_evidence(evidence_files([out / "complaints.csv"], "ftc"), analytics)
        # The world's clock stands at its last honeypot call (at its start if it has none).
        latest = session.scalar(select(func.max(models.Call.call_time))) or params.start
        progress("verifying the calls' STIR/SHAKEN signatures")
        signed = verify_signatures(session, out / "certs", latest)
        progress("grouping calls into campaigns")
        campaigns = _save_campaigns(session, latest)
        skew_s = settings.cdr_skew_seconds
        story = Story(out, world, imported, campaigns, signed_calls=signed, skew_s=skew_s)
        progress("tracing sample calls hop by hop")
        tracer = Tracer(session, story, params.seed)
        for campaign_id, group in story.campaigns:
            for ref in samples_of(tracer.refs_before(group, traced_before)):
                tracer.trace(campaign_id, ref)
    truth = json.loads((out / "truth.json").read_text())
    story.scores = score_story(story, story.runs, truth)
    progress("tracing a call-back number forward")
    forward_at = tracer.finished_at or latest
    campaign_ids = [campaign_id for campaign_id, _ in story.campaigns]
    story.trace_forward = run_trace_forward(
        engine,
        out,
        campaign_ids,
        forward_at,
        truth,
        settings,
    )
    if params.letters_at is not None:
        from robotrace.demo.enforcement import run_enforcement

        story.enforcement = run_enforcement(engine, story, params, truth, settings, progress)
    if params.notifications_at is not None:
        from robotrace.demo.mandatory import run_mandatory

        story.mandatory = run_mandatory(engine, story, params, truth, settings, progress)
    engine.dispose()
    return story


def verify_signatures(session: Session, certs: Path, now: datetime) -> dict[str, int]:
    """Verify the imported calls' Identity headers offline, with the simulated world's trust
    anchor and signer certificates (nothing is fetched); the verified honeypot calls by
    attestation."""
    verifier = Verifier(TrustStore.from_paths([certs / ROOT_FILE], []))
    verify_calls(session, verifier, SimulatedClock(now), load_certificate_folder(certs, X5U_BASE))
    rows = session.execute(
        select(models.Call.shaken_attest, func.count())
        .where(models.Call.source == "honeypot", models.Call.shaken_valid.is_(True))
        .group_by(models.Call.shaken_attest)
    )
    return {attest: count for attest, count in sorted(rows.tuples()) if attest}


@dataclass(frozen=True)
class Group:
    """A campaign the demo traces: its honeypot calls (``source_ref``, in time order)."""

    members: tuple[str, ...]


def _save_campaigns(session: Session, now: datetime) -> list[tuple[str, Group]]:
    """Group the imported honeypot calls with the campaign engine (the simulator's labels
    are never read) and return the top-ranked campaigns, highest priority first."""
    update_campaigns(session, SimulatedClock(now))
    members: dict[str, list[str]] = {}
    rows = session.execute(
        select(models.Call.source_ref, models.Call.campaign_id)
        .where(models.Call.source == "honeypot", models.Call.campaign_id.is_not(None))
        .order_by(models.Call.call_time, models.Call.id)
    )
    for ref, campaign_id in rows:
        members.setdefault(campaign_id, []).append(ref)
    ranked = session.scalars(
        select(models.Campaign)
        .where(models.Campaign.call_count >= MIN_CAMPAIGN_CALLS)
        .order_by(models.Campaign.priority.desc(), models.Campaign.id)
        .limit(TOP_CAMPAIGNS)
    )
    return [(c.id, Group(tuple(members.get(c.id, ())))) for c in ranked]


def samples_of(members: Sequence[str], count: int = SAMPLES_PER_CAMPAIGN) -> list[str]:
    """First, middle and last call of a campaign: spread over its lifetime."""
    if not members:
        return []
    picks = sorted({0, len(members) // 2, len(members) - 1})[:count]
    return [members[i] for i in picks]


class Tracer:
    """Traces honeypot calls as the coordinators would: each traceback opened an hour after
    its call and run on a clock of its own (tracebacks run side by side), the simulated
    providers answering from their own CDRs within minutes to hours."""

    def __init__(self, session: Session, story: Story, seed: int) -> None:
        self.session = session
        self.story = story
        self.directory = provider_directory(session)
        self.answerers = simulated_answerers(story.out, self.directory, story.skew_s)
        self.calls = {c.source_ref: c for c in session.scalars(select(models.Call))}
        self.delays = random.Random(f"robotrace-demo:{seed}")
        self.twin_delays = random.Random(f"robotrace-demo-twin:{seed}")
        self.finished_at: datetime | None = None

    def refs_before(self, group: Group, before: datetime | None) -> list[str]:
        return [r for r in group.members if before is None or self.calls[r].call_time < before]

    def refs_after(self, group: Group, after: datetime) -> list[str]:
        return [r for r in group.members if self.calls[r].call_time > after]

    def trace(self, campaign_id: str, ref: str) -> Run:
        """Trace one call (the signer shortcut on, where its verified signature offers one)
        and save it; a call with an A/B signer is also traced once without the shortcut."""
        call = self.calls[ref]
        target = CallToTrace(
            CallUnderTrace(call.calling_number, call.called_number, call.call_time),
            directory_key(self.session, call.terminating_provider_id),
        )
        opened = call.call_time + timedelta(hours=1)
        clock = SimulatedClock(opened)
        signer = signer_lead_of(self.session, call)
        drawn: dict[str, timedelta] = {}
        traceback_id = f"TB-{len(self.story.runs) + 1:06d}"
        run = trace_call(
            traceback_id,
            target,
            self.directory,
            self.answerers,
            clock,
            Policy(),
            actor=ACTOR,
            campaign=campaign_id,
            response_delay=response_delays(drawn, self.delays),
            signer=signer,
        )
        save_traceback(self.session, run.traceback, call_id=call.id)
        append_audit(self.session, run.events)
        self.story.summaries.append(summary_of(run.traceback, self.directory))
        self.story.runs.append((campaign_id, ref, run))
        self.finished_at = max(self.finished_at or clock.now(), clock.now())
        if signer is not None and signer.names_origin:
            twin = self.dry_run(traceback_id, target, opened, campaign_id, drawn)
            self.story.shortcut_timings.append(shortcut_timing(ref, run, twin))
        return run

    def dry_run(
        self,
        traceback_id: str,
        target: CallToTrace,
        opened: datetime,
        campaign_id: str,
        drawn: dict[str, timedelta],
    ) -> Run:
        """The call traced again without the shortcut, for the comparison only: on a clock
        and a directory of its own, the same delays for the providers asked before, and
        nothing saved (``trace_call`` touches no store)."""
        return trace_call(
            traceback_id,
            target,
            dict(self.directory),
            self.answerers,
            SimulatedClock(opened),
            Policy(),
            actor=ACTOR,
            campaign=campaign_id,
            response_delay=response_delays(dict(drawn), self.twin_delays),
            shortcut=False,
        )


def response_delays(
    drawn: MutableMapping[str, timedelta], rng: random.Random
) -> Callable[[str], timedelta]:
    """Each provider's response delay (5 to 120 minutes), drawn once per traceback: a
    provider asked twice, or in a traceback's twin, answers as fast each time."""

    def delay(key: str) -> timedelta:
        if key not in drawn:
            drawn[key] = timedelta(minutes=rng.randint(5, 120))
        return drawn[key]

    return delay


def _duration(run: Run) -> timedelta:
    tb = run.traceback
    assert tb.closed_at is not None, "the runner drives every traceback to an outcome"
    return tb.closed_at - tb.opened_at


def shortcut_timing(ref: str, run: Run, twin: Run) -> ShortcutTiming:
    tb = run.traceback
    assert tb.signer is not None
    return ShortcutTiming(
        traceback_id=tb.id,
        ref=ref,
        signer=tb.signer.provider,
        attest=tb.signer.attest,
        shortcut_closed=tb.signer.confirmed_origin and tb.outcome is Outcome.ORIGIN_IDENTIFIED,
        signer_on_path=signer_on_path(tb),
        with_shortcut=_duration(run),
        without_shortcut=_duration(twin),
        twin_identified_origin=twin.traceback.outcome is Outcome.ORIGIN_IDENTIFIED,
    )


def directory_key(session: Session, provider_id: int | None) -> str:
    provider = session.get(models.Provider, provider_id)
    assert provider is not None, "honeypot calls always name their terminating provider"
    return provider.key


def simulated_answerers(
    out: Path, directory: dict[str, ProviderInfo], skew_s: float
) -> dict[str, Answerer]:
    """Each simulated provider as it behaves: cooperative ones search their own CDRs (legs
    within ``skew_s`` of the call), say
    what STIR/SHAKEN their records hold (the world's certificates name the signers) and, at
    the origin, the action truth.json gives them."""
    providers = json.loads((out / "truth.json").read_text())["providers"]
    behaviour = {key: info["behaviour"] for key, info in providers.items()}
    certs = out / "certs"
    certificates = certificates_by_name(certs) if certs.is_dir() else {}
    records = open_records_dir(out / "cdrs")
    answerers: dict[str, Answerer] = {}
    for key, records_of in records.items():
        if behaviour.get(key) == "cooperative":
            action = providers[key].get("on_traceback_origin")
            answerers[key] = RecordsAnswerer(
                records_of,
                directory,
                skew_s=skew_s,
                certificates=certificates,
                origin_action=OriginAction(action) if action else None,
            )
        elif behaviour.get(key) == "refuses":
            answerers[key] = RefusingAnswerer()
    return answerers


def score_story(
    story: Story, runs: Sequence[tuple[str, str, Run]], truth: dict[str, Any]
) -> list[CampaignScore]:
    """Score per true campaign: each found campaign counts for the true campaign most of its
    calls belong to (variants of one script may have been found as separate campaigns; a
    campaign's second script, ``variant_of`` in truth, counts as the campaign itself)."""
    summaries = {s["id"]: s for s in story.summaries}
    family = family_of(truth["campaigns"])
    found_for: dict[str, list[str]] = {}
    for campaign_id, group in story.campaigns:
        votes = Counter(truth["honeypot"][ref]["campaign"] for ref in group.members)
        true_id = votes.most_common(1)[0][0]
        if true_id is not None:
            found_for.setdefault(family[true_id], []).append(campaign_id)
    scores = []
    for true_campaign in truth["campaigns"]:
        if true_campaign.get("variant_of"):
            continue
        found = found_for.get(true_campaign["id"], [])
        mine = [(ref, run) for c, ref, run in runs if c in found]
        paths = {run.traceback.id: truth["honeypot"][ref]["path"] for ref, run in mine}
        picked = [summaries[run.traceback.id] for _ref, run in mine]
        name = f"{true_campaign['name']} ({', '.join(found) or 'not found'})"
        scores.append(score_campaign(true_campaign, name, picked, paths))
    return scores
