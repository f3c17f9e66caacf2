"""The demo's mandatory part (47 CFR 64.1200(n)), after the warning letters: a Notification of
Suspected Illegal Traffic, the providers' answers, the worker's decision at the respond-by,
the Initial and Final Determination Orders, and the block list once the final order holds.

The simulated world was told which provider gets the notification and for which campaign
(``truth.json`` ``notification``), as it was told when the letters go out; the demo names
the campaign the tracebacks found for it. Each notified provider answers as its truth says
(``on_notification``) — the way the demo's providers answer traceback requests from their
own records — and the world's calls after the respond-by already show what it did. Scoring
compares each decision and the final order's downstream providers with the truth.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from robotrace.clock import SimulatedClock
from robotrace.demo.enforcement import POST_DEADLINE_SAMPLES, REGULATOR, warned_providers
from robotrace.demo.scoring import EXPECTED_DECISION, family_of, true_downstream, true_upstreams
from robotrace.demo.story import Story, Tracer
from robotrace.enforcement import blocklist, mandatory, service
from robotrace.enforcement.errors import InvalidRequest
from robotrace.enforcement.worker import decide_due_letters
from robotrace.settings import Settings
from robotrace.simulate.runner import SimulationParams
from robotrace.store import models
from robotrace.store.db import transaction

#: How long after the notification (or order) a simulated provider that answers takes; one
#: that is not the carrier names its upstream within the hour.
ANSWER_AFTER = timedelta(days=2)
REFER_AFTER = timedelta(hours=1)
REPORTS = {
    "blocks": "We have blocked the identified traffic and substantially similar traffic: every "
    "call from the customer named and every call that reads out the call-back number.",
    "blocks_named_only": "We have blocked the identified calls: the caller IDs and the "
    "recording of the campaign named in the notification.",
}
ORDER_RESPONSE = (
    "We blocked the traffic the notification named. The calls cited since use another script; "
    "we do not consider them the same traffic."
)


@dataclass(frozen=True)
class NoticeOutcome:
    """One notification: whom, what it named, the answer, the decision and the truth."""

    provider: str
    reference: str
    follows: str | None
    campaigns: tuple[str, ...]
    respond_by: datetime
    answer: str  # the provider's true answer (on_notification)
    response: str | None  # what it filed: blocked, not_carrier, or nothing
    upstreams: tuple[str, ...]
    status: str
    expected: str
    #: The tracebacks after the respond-by that showed it still carrying, with why.
    reasons: dict[str, str] = field(default_factory=dict)
    #: The true campaigns of those tracebacks' calls (truth.json).
    counted_campaigns: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrderOutcome:
    """The Initial and Final Determination Orders on one notification."""

    provider: str
    initial: str
    initial_respond_by: datetime
    responded: bool
    final: str
    effective_at: datetime
    downstream: tuple[str, ...]
    true_downstream: tuple[str, ...]


@dataclass
class MandatoryStory:
    provider: str
    answer: str = ""  # the provider's true answer to the notification
    campaigns: tuple[str, ...] = ()  # the campaigns the notification names
    true_campaigns: dict[str, str] = field(default_factory=dict)  # id → name, in truth
    similar: tuple[str, ...] = ()  # the variant(s), in truth
    notices: list[NoticeOutcome] = field(default_factory=list)
    post_respond_by_tracebacks: tuple[str, ...] = ()
    orders: list[OrderOutcome] = field(default_factory=list)
    blocklist_version: int | None = None
    blocklist_at: datetime | None = None
    blocklist_signature: str = ""
    #: The list's provider entries once the final order holds: (provider, reason_code,
    #: obligation), sorted.
    blocklist_entries: tuple[tuple[str, str, str], ...] = ()
    skipped: str = ""

    @property
    def right(self) -> bool:
        """Every decision matches what the provider did, every final order names the true
        downstream providers, and the list carries each final order."""
        listed = {(key, code) for key, code, _ in self.blocklist_entries}
        return (
            all(n.status == n.expected for n in self.notices)
            and all(o.downstream == o.true_downstream for o in self.orders)
            and all((o.provider, blocklist.FINAL_ORDER) in listed for o in self.orders)
        )


def run_mandatory(
    engine: Engine,
    story: Story,
    params: SimulationParams,
    truth: dict[str, Any],
    settings: Settings,
    progress: Callable[[str], None],
) -> MandatoryStory:
    assert params.notifications_at is not None and params.respond_by is not None
    notice = truth["notification"]
    result = MandatoryStory(
        notice["provider"],
        truth["providers"][notice["provider"]]["on_notification"],
        similar=tuple(notice["similar"]),
        true_campaigns={
            c["id"]: c["name"]
            for c in truth["campaigns"]
            if c["id"] in (notice["campaign"], *notice["similar"])
        },
    )
    campaigns = named_campaigns(story, truth)
    if not campaigns:
        result.skipped = (
            f"no campaign the tracebacks found names {result.provider} as its gateway or "
            "originating provider"
        )
        return result
    result.campaigns = tuple(campaigns)
    progress("issuing a Notification of Suspected Illegal Traffic")
    at = params.notifications_at
    first = notify_first(engine, result.provider, campaigns, truth, at, settings)
    answer_notifications(engine, first, truth, at, settings)
    progress("tracing calls made after the notification's respond-by")
    grace_hours = settings.compliance_grace_hours
    decided_at, traced = trace_after(
        engine, story, params.seed, campaigns, params.respond_by, grace_hours
    )
    result.post_respond_by_tracebacks = tuple(traced)
    decide_due_letters(engine, SimulatedClock(decided_at), settings, automatic=True)
    with transaction(engine) as session:
        result.notices = notice_outcomes(session, first, truth, story)
    progress("issuing the determination orders")
    run_orders(engine, result, first, truth, story, decided_at, settings)
    return result


def notify_first(
    engine: Engine,
    subject: str,
    campaigns: Sequence[str],
    truth: dict[str, Any],
    at: datetime,
    settings: Settings,
) -> int:
    """The first notification: to the provider immediately downstream of the subject on the
    traffic's true paths when its truth is to name its upstream — so the notice moves
    upstream to the subject, as 64.1200(n) has it — else to the subject itself."""
    paths = family_paths(truth)
    downstream = [
        key
        for key in sorted(true_downstream(paths, subject))
        if truth["providers"][key]["on_notification"] == "names_upstream"
        and true_upstreams(paths, key) == {subject}
    ]
    clock = SimulatedClock(at)
    for key in [*downstream[:1], subject]:
        try:
            with transaction(engine) as session:
                return mandatory.issue_notification(
                    session, key, campaigns, [], REGULATOR, clock, settings
                ).id
        except InvalidRequest:
            continue  # no traceback of the named traffic passed through it
    raise InvalidRequest(f"no traceback of {', '.join(campaigns)} names {subject}")


def true_campaign_of(members: Sequence[str], truth: dict[str, Any]) -> str | None:
    """The true campaign (a variant counts as its base) most of a group's calls belong to."""
    family = family_of(truth["campaigns"])
    votes = Counter(truth["honeypot"][ref]["campaign"] for ref in members)
    true_id = votes.most_common(1)[0][0] if votes else None
    return None if true_id is None else family[true_id]


def named_campaigns(story: Story, truth: dict[str, Any]) -> list[str]:
    """The found campaigns of the notification's campaign (by truth) whose tracebacks name
    its provider as their gateway or originating provider (as the letters' are chosen)."""
    notice = truth["notification"]
    foreign = truth["providers"]
    warned = warned_providers(story, lambda key: foreign[key]["foreign"])
    _role, found = warned.get(notice["provider"], ("", set()))
    groups = dict(story.campaigns)
    return sorted(
        c for c in found if true_campaign_of(groups[c].members, truth) == notice["campaign"]
    )


def answer_notifications(
    engine: Engine, first: int, truth: dict[str, Any], notified_at: datetime, settings: Settings
) -> None:
    """Each notified provider answers as its truth says; a provider that names its upstream
    (the one before it on the named traffic's true paths) passes the notice on within the
    hour, and that upstream answers in turn."""
    paths = family_paths(truth)
    pending = [(first, notified_at)]
    while pending:
        notification_id, at = pending.pop(0)
        with transaction(engine) as session:
            referred_at = at + REFER_AFTER
            caused = answer_one(session, notification_id, truth, paths, at, settings)
            pending += [(i, referred_at) for i in caused]


def answer_one(
    session: Session,
    notification_id: int,
    truth: dict[str, Any],
    paths: list[list[str]],
    notified_at: datetime,
    settings: Settings,
) -> list[int]:
    """One provider's answer; returns the notifications it caused (to its upstreams)."""
    key = _key_of(session, notification_id)
    answer = truth["providers"][key]["on_notification"]
    actor = f"provider:{key}"
    if answer in REPORTS:
        clock = SimulatedClock(notified_at + ANSWER_AFTER)
        report = REPORTS[answer]
        mandatory.respond_to_notification(
            session, notification_id, mandatory.BLOCKED, report, [], actor, clock, settings
        )
        return []
    upstreams = sorted(true_upstreams(paths, key)) if answer == "names_upstream" else []
    if not upstreams:
        return []  # it ignores the notification (or cannot name anyone)
    text = (
        "We are not the originating or gateway provider of this traffic; it came from "
        f"{', '.join(upstreams)}."
    )
    clock = SimulatedClock(notified_at + REFER_AFTER)
    mandatory.respond_to_notification(
        session, notification_id, mandatory.NOT_CARRIER, text, upstreams, actor, clock, settings
    )
    action = _action(session, notification_id)
    return [a.id for a in mandatory.chain_of(session, action)[1:] if a.follows_id == action.id]


def family_paths(truth: dict[str, Any]) -> list[list[str]]:
    """True paths of the honeypot calls of the notification's campaign and its variants."""
    notice = truth["notification"]
    family = {notice["campaign"], *notice["similar"]}
    return [h["path"] for h in truth["honeypot"].values() if h["campaign"] in family]


def trace_after(
    engine: Engine,
    story: Story,
    seed: int,
    campaigns: Sequence[str],
    respond_by: datetime,
    compliance_grace_hours: float,
) -> tuple[datetime, list[str]]:
    """Trace a few calls of the named campaigns made after the respond-by; returns when the
    worker may decide (past the respond-by + grace, every traceback done) and the tracebacks."""
    grace = timedelta(hours=compliance_grace_hours)
    traced: list[str] = []
    with transaction(engine) as session:
        tracer = Tracer(session, story, seed + 2)
        groups = dict(story.campaigns)
        for campaign_id in campaigns:
            for ref in tracer.refs_after(groups[campaign_id], respond_by)[:POST_DEADLINE_SAMPLES]:
                traced.append(tracer.trace(campaign_id, ref).traceback.id)
    finished = [respond_by + grace] + ([tracer.finished_at] if tracer.finished_at else [])
    return max(finished) + timedelta(minutes=1), traced


def notice_outcomes(
    session: Session, first: int, truth: dict[str, Any], story: Story
) -> list[NoticeOutcome]:
    action = _action(session, first)
    refs = {run.traceback.id: ref for _c, ref, run in story.runs}
    outcomes = []
    for step in mandatory.chain_of(session, action):
        if step.kind != models.EnforcementKind.NOTIFICATION:
            continue
        key = _key_of(session, step.id)
        answer = truth["providers"][key]["on_notification"]
        reports = service.mitigation_reports(session, step.id)
        reasons = dict(step.evidence.get("reasons", {}))
        previous = (
            session.get(models.EnforcementAction, step.follows_id) if step.follows_id else None
        )
        assert step.respond_by is not None
        outcomes.append(
            NoticeOutcome(
                provider=key,
                reference=service.reference_of(step),
                follows=service.reference_of(previous) if previous else None,
                campaigns=tuple(step.named_campaigns),
                respond_by=step.respond_by,
                answer=answer,
                response=reports[0].kind if reports else None,
                upstreams=tuple(reports[0].upstreams) if reports else (),
                status=step.status,
                expected=EXPECTED_DECISION[answer],
                reasons=reasons,
                counted_campaigns=tuple(
                    sorted({truth["honeypot"][refs[t]]["campaign"] for t in reasons if t in refs})
                ),
            )
        )
    return outcomes


def run_orders(
    engine: Engine,
    result: MandatoryStory,
    first: int,
    truth: dict[str, Any],
    story: Story,
    now: datetime,
    settings: Settings,
) -> None:
    """An Initial Determination Order on each notification decided noncompliant or
    no_response; the provider answers it as its truth says; once its window has passed, the
    Final Determination Order; once that takes effect, the block list."""
    with transaction(engine) as session:
        initials = [
            mandatory.issue_initial_order(session, i, REGULATOR, SimulatedClock(now), settings)
            for i in _decided_against(session, first)
        ]
        ids = [i.id for i in initials]
    if not ids:
        return
    answered = _answer_orders(engine, ids, truth, now + ANSWER_AFTER)
    with transaction(engine) as session:
        initials = [_action(session, i) for i in ids]
        after = max(i.respond_by for i in initials if i.respond_by) + timedelta(minutes=1)
        for initial in initials:
            final = mandatory.issue_final_order(
                session, initial.id, REGULATOR, SimulatedClock(after), settings
            )
            result.orders.append(_order_outcome(session, initial, final, answered, truth, story))
        _publish(session, result, max(o.effective_at for o in result.orders), settings)


def _decided_against(session: Session, first: int) -> list[int]:
    """The notifications of the chain decided noncompliant or no_response."""
    return [
        step.id
        for step in mandatory.chain_of(session, _action(session, first))
        if step.kind == models.EnforcementKind.NOTIFICATION
        and step.status in ("noncompliant", "no_response")
    ]


def _order_outcome(
    session: Session,
    initial: models.EnforcementAction,
    final: models.EnforcementAction,
    answered: set[int],
    truth: dict[str, Any],
    story: Story,
) -> OrderOutcome:
    key = _key_of(session, final.id)
    assert initial.respond_by is not None and final.effective_at is not None
    return OrderOutcome(
        provider=key,
        initial=service.reference_of(initial),
        initial_respond_by=initial.respond_by,
        responded=initial.id in answered,
        final=service.reference_of(final),
        effective_at=final.effective_at,
        downstream=tuple(final.downstream),
        true_downstream=tuple(sorted(true_downstream(_paths_of(final, truth, story), key))),
    )


def _publish(session: Session, result: MandatoryStory, at: datetime, settings: Settings) -> None:
    """The block list once the final orders have taken effect."""
    published = service.publish_blocklist(session, SimulatedClock(at), settings)
    body = json.loads(published.body)
    result.blocklist_version = published.version
    result.blocklist_at = at
    result.blocklist_signature = published.signature
    result.blocklist_entries = tuple(
        sorted(
            (e["provider"], e["reason_code"], e["obligation"])
            for e in body["entries"]
            if e["kind"] == "provider"
        )
    )


def _answer_orders(
    engine: Engine, initials: Sequence[int], truth: dict[str, Any], at: datetime
) -> set[int]:
    """A provider that said it blocked answers its initial order; one that ignored the
    notification ignores the order too. Returns the orders answered."""
    answered = set()
    with transaction(engine) as session:
        for order_id in initials:
            key = _key_of(session, order_id)
            if truth["providers"][key]["on_notification"] in REPORTS:
                mandatory.respond_to_order(
                    session, order_id, ORDER_RESPONSE, f"provider:{key}", SimulatedClock(at)
                )
                answered.add(order_id)
    return answered


def _paths_of(
    order: models.EnforcementAction, truth: dict[str, Any], story: Story
) -> list[list[str]]:
    """True paths of the calls of the tracebacks an order's evidence cites."""
    refs = {run.traceback.id: ref for _c, ref, run in story.runs}
    cited = [r["traceback_id"] for r in order.evidence.get("rows", [])]
    cited += [r["traceback_id"] for r in order.evidence.get("after_deadline", [])]
    return [truth["honeypot"][refs[t]]["path"] for t in dict.fromkeys(cited) if t in refs]


def _action(session: Session, action_id: int) -> models.EnforcementAction:
    action = session.get(models.EnforcementAction, action_id)
    assert action is not None
    return action


def _key_of(session: Session, action_id: int) -> str:
    action = _action(session, action_id)
    provider = session.get(models.Provider, action.provider_id)
    assert provider is not None
    return provider.key
