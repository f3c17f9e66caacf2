"""Incremental campaigns in the store: new evidence joins the campaigns it belongs to.

:func:`update_campaigns` takes the calls that have no campaign yet, groups them together with
a bounded sample of every existing campaign's transcripts (its typical transcript and its
first and last :data:`ANCHOR_CALLS` calls: the *anchors*), and then, for each campaign the
grouping finds:

- holding anchors of an existing campaign: its new calls join that campaign (the one with
  the most anchors there, then the bigger one). Existing campaigns are never merged or
  renamed: their ids, names and typical transcripts stay; their counts, first and last seen,
  call-back numbers and tags grow;
- holding no anchors: it becomes a new campaign with the grouping's stable id (``-2`` …
  added when the store already has that id).

Finally every campaign's traceback priority is recomputed (it decays with time). Calls
without words stay without a campaign. The caller commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from robotrace.campaigns.grouping import FoundCampaign, Grouping, group_texts
from robotrace.campaigns.priority import traceback_priority
from robotrace.campaigns.tags import TAG_RULES, TAG_WEIGHTS
from robotrace.clock import Clock
from robotrace.store import models
from robotrace.store.db import lock_for_transaction
from robotrace.store.models import not_withdrawn

#: Calls read from each end of an existing campaign (earliest and latest) as anchors.
ANCHOR_CALLS = 10
MAX_CALLBACK_NUMBERS = 10
_IDS_PER_UPDATE = 500


@dataclass(frozen=True)
class NewCall:
    id: int
    transcript: str
    caller: str | None


@dataclass
class UpdateSummary:
    #: Calls given a campaign in this run.
    grouped: int = 0
    #: Of those, calls that joined campaigns that already existed.
    joined: int = 0
    #: Campaigns created in this run, with their calls.
    new_campaigns: list[str] = field(default_factory=list)
    new_campaign_calls: int = 0
    #: Existing campaigns that received calls.
    grown: list[str] = field(default_factory=list)
    #: Calls without words, left without a campaign.
    skipped: int = 0
    #: Campaigns whose priority was recomputed (all of them).
    ranked: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "grouped": self.grouped,
            "joined": self.joined,
            "new_campaigns": len(self.new_campaigns),
            "new_campaign_calls": self.new_campaign_calls,
            "grown_campaigns": len(self.grown),
            "skipped": self.skipped,
            "ranked": self.ranked,
            "new_campaign_ids": self.new_campaigns,
            "grown_campaign_ids": self.grown,
        }


def update_campaigns(session: Session, clock: Clock) -> UpdateSummary:
    """Group the calls without a campaign into old and new campaigns; re-rank all."""
    summary = assign_calls(session, clock)
    summary.ranked = rerank(session, clock.now())
    return summary


def assign_calls(
    session: Session,
    clock: Clock,
    call_ids: Sequence[int] | None = None,
    create: bool = True,
) -> UpdateSummary:
    """Group the calls without a campaign — only those of ``call_ids`` when given — together
    with every campaign's anchors, as :func:`update_campaigns` does, without re-ranking.

    With ``create`` false, calls that belong to no existing campaign stay without one (the
    next :func:`update_campaigns` groups them): a consumer's report joins its campaign at
    once, but a public form does not make campaigns.
    """
    now = clock.now()
    summary = UpdateSummary()
    lock_grouping(session)
    calls = unassigned_calls(session, call_ids)
    if calls:
        anchors = anchor_texts(session)
        grouping = group_texts(
            [text for _campaign, text in anchors] + [call.transcript for call in calls],
            [None] * len(anchors) + [call.caller for call in calls],
        )
        anchor_campaigns = [campaign for campaign, _text in anchors]
        _apply(session, grouping, anchor_campaigns, calls, now, summary, create)
    return summary


def lock_grouping(session: Session) -> None:
    """Let one grouping run at a time, until the transaction ends. Each run reads the calls
    without a campaign and every campaign's anchors and counts, then writes: two at once
    would count past each other's calls and each make a campaign of the same new script."""
    lock_for_transaction(session, "campaign-grouping")


def unassigned_calls(session: Session, call_ids: Sequence[int] | None = None) -> list[NewCall]:
    query = (
        select(models.Call.id, models.Call.transcript, models.Call.calling_e164)
        .where(models.Call.campaign_id.is_(None))
        .order_by(models.Call.id)
    )
    if call_ids is not None:
        query = query.where(models.Call.id.in_(list(call_ids)))
    return [NewCall(id_, text or "", caller) for id_, text, caller in session.execute(query)]


def anchor_texts(session: Session) -> list[tuple[str, str]]:
    """``(campaign id, transcript)``: each campaign's typical transcript and the transcripts
    of its first and last :data:`ANCHOR_CALLS` calls."""
    call = models.Call
    numbered = (
        select(
            call.campaign_id,
            call.transcript,
            func.row_number().over(partition_by=call.campaign_id, order_by=call.id).label("first"),
            func.row_number()
            .over(partition_by=call.campaign_id, order_by=call.id.desc())
            .label("last"),
        )
        .where(call.campaign_id.is_not(None), call.transcript != "")
        .subquery()
    )
    sampled = select(numbered.c.campaign_id, numbered.c.transcript).where(
        or_(numbered.c.first <= ANCHOR_CALLS, numbered.c.last <= ANCHOR_CALLS)
    )
    typical = select(models.Campaign.id, models.Campaign.representative).where(
        models.Campaign.representative != ""
    )
    found = [(cid, text) for cid, text in session.execute(typical)]
    found += [(cid, text) for cid, text in session.execute(sampled)]
    return sorted(found)


def _apply(
    session: Session,
    grouping: Grouping,
    anchor_campaigns: Sequence[str],
    calls: Sequence[NewCall],
    now: datetime,
    summary: UpdateSummary,
    create: bool = True,
) -> None:
    owners = _owners(grouping, anchor_campaigns, session)
    taken = set(session.scalars(select(models.Campaign.id)))
    first_new = len(anchor_campaigns)
    for index, rows in enumerate(grouping.members()):
        call_ids = [calls[row - first_new].id for row in rows if row >= first_new]
        if not call_ids:
            continue
        owner = owners.get(index)
        if owner is None and not create:
            continue
        if owner is None:
            found = grouping.campaigns[index]
            owner = _create(session, found, _free_id(found.id, taken), now)
            summary.new_campaigns.append(owner)
            summary.new_campaign_calls += len(call_ids)
        else:
            _grow(session, owner, grouping.campaigns[index], now)
            summary.grown += [] if owner in summary.grown else [owner]
            summary.joined += len(call_ids)
        _assign(session, owner, call_ids)
        summary.grouped += len(call_ids)
    summary.skipped = int((grouping.row_campaign[first_new:] < 0).sum())
    _refresh_counts(session, [*summary.new_campaigns, *summary.grown])


def _owners(
    grouping: Grouping, anchor_campaigns: Sequence[str], session: Session
) -> dict[int, str]:
    """Found campaign index → the existing campaign its anchors belong to (most anchors,
    then the bigger campaign, then the smaller id)."""
    votes: dict[int, Counter[str]] = {}
    for row, campaign_id in enumerate(anchor_campaigns):
        index = int(grouping.row_campaign[row])
        if index >= 0:
            votes.setdefault(index, Counter())[campaign_id] += 1
    query = select(models.Campaign.id, models.Campaign.call_count)
    sizes = {campaign_id: count for campaign_id, count in session.execute(query)}
    return {
        index: min(tally, key=lambda cid: (-tally[cid], -sizes.get(cid, 0), cid))
        for index, tally in votes.items()
    }


def _free_id(wanted: str, taken: set[str]) -> str:
    candidate, suffix = wanted, 1
    while candidate in taken:
        suffix += 1
        candidate = f"{wanted}-{suffix}"
    taken.add(candidate)
    return candidate


def _create(session: Session, found: FoundCampaign, campaign_id: str, now: datetime) -> str:
    session.add(
        models.Campaign(
            id=campaign_id,
            name=found.name[:200],
            topic=topic_of(found.tags),
            tags=list(found.tags),
            created_at=now,
            representative=found.representative,
            callback_numbers=list(found.callback_numbers),
            updated_at=now,
        )
    )
    session.flush()
    return campaign_id


def _grow(session: Session, campaign_id: str, found: FoundCampaign, now: datetime) -> None:
    row = session.get(models.Campaign, campaign_id)
    assert row is not None, "anchors come from existing campaigns"
    row.tags = ordered_tags([*row.tags, *found.tags])
    row.topic = topic_of(row.tags)
    row.callback_numbers = merged_numbers(row.callback_numbers, found.callback_numbers)
    if not row.representative:
        row.representative, row.name = found.representative, found.name[:200]
    row.updated_at = now


def _assign(session: Session, campaign_id: str, call_ids: list[int]) -> None:
    for start in range(0, len(call_ids), _IDS_PER_UPDATE):
        chunk = call_ids[start : start + _IDS_PER_UPDATE]
        session.execute(
            update(models.Call).where(models.Call.id.in_(chunk)).values(campaign_id=campaign_id)
        )


def _refresh_counts(session: Session, campaign_ids: Iterable[str]) -> None:
    """Call count and first and last call time, from the calls themselves."""
    wanted = sorted(set(campaign_ids))
    call = models.Call
    for start in range(0, len(wanted), _IDS_PER_UPDATE):
        query = (
            select(
                call.campaign_id, func.count(), func.min(call.call_time), func.max(call.call_time)
            )
            .where(call.campaign_id.in_(wanted[start : start + _IDS_PER_UPDATE]))
            .group_by(call.campaign_id)
        )
        for campaign_id, count, first, last in session.execute(query):
            row = session.get(models.Campaign, campaign_id)
            assert row is not None
            row.call_count, row.first_seen_at, row.last_seen_at = count, first, last
    session.flush()


def rerank(session: Session, now: datetime) -> int:
    """Recompute every campaign's priority; returns how many campaigns there are."""
    session.flush()
    traced = traceback_counts(session)
    campaign = models.Campaign
    columns = (campaign.id, campaign.call_count, campaign.last_seen_at, campaign.tags)
    rows = session.execute(select(*columns, campaign.priority)).all()
    changed = []
    for campaign_id, calls, last_seen, tags, old in rows:
        value = traceback_priority(calls, last_seen, now, tags, traced.get(campaign_id, 0))
        if value != old:
            changed.append({"id": campaign_id, "priority": value})
    if changed:
        session.execute(update(campaign), changed)  # bulk UPDATE by primary key
    return len(rows)


def traceback_counts(session: Session) -> dict[str, int]:
    """Tracebacks per campaign: opened for it, or (naming none) for one of its calls; one
    withdrawn as opened by mistake does not count (the campaign is not traced by it)."""
    tb, call = models.Traceback, models.Call
    owner = func.coalesce(tb.campaign_id, call.campaign_id)
    query = (
        select(owner, func.count())
        .select_from(tb)
        .outerjoin(call, call.id == tb.call_id)
        .where(owner.is_not(None), not_withdrawn(tb))
        .group_by(owner)
    )
    return {campaign_id: count for campaign_id, count in session.execute(query)}


def ordered_tags(tags: Iterable[str]) -> list[str]:
    """Tags without repeats, in the rule table's order (unknown tags last, sorted)."""
    wanted = set(tags)
    known = [rule.tag for rule in TAG_RULES if rule.tag in wanted]
    return known + sorted(wanted - set(known))


def topic_of(tags: Sequence[str]) -> str:
    """The label of the weightiest tag, as the campaign's topic (``""`` without tags)."""
    if not tags:
        return ""
    weightiest = max(tags, key=lambda tag: TAG_WEIGHTS.get(tag, 0.0))
    return next((rule.label for rule in TAG_RULES if rule.tag == weightiest), weightiest)


def merged_numbers(known: Sequence[str], found: Sequence[str]) -> list[str]:
    """The campaign's call-back numbers first, then new ones, at most ten."""
    merged = list(dict.fromkeys([*known, *found]))
    return merged[:MAX_CALLBACK_NUMBERS]
