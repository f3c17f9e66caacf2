"""What the portal and the API show of campaigns: the ranked, filtered list, and one
campaign's detail — sample transcripts, numbers, calls per day and tracebacks.

Campaigns are for readers of all (admins, coordinators, regulators): the web routes check
the role, and reach one campaign through ``robotrace.web.access.campaign_row``. A
campaign's tracebacks are those opened for it (``tracebacks.campaign_id``) or, where that is
empty, for one of its calls.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, cast, func, or_, select
from sqlalchemy.orm import Session, defer

from robotrace.campaigns.complaints import complaint_counts
from robotrace.store import models
from robotrace.store.models import not_withdrawn
from robotrace.traceback.findings import customer_of, gateway_provider_of, originating_provider_of
from robotrace.traceback.sampling import traceable_count
from robotrace.traceback.store import load_tracebacks, provider_directory

PAGE_SIZE = 50
#: The tag of the one-click filter (tags match case-insensitively).
COVID_TAG = "covid-19"
SAMPLE_SPANS = 5  # sample transcripts: at most one from each fifth of the calls in time
CANDIDATES_PER_SPAN = 5  # calls read from each fifth to find a text not shown yet
TOP_CALLER_IDS = 10


# --- The list ------------------------------------------------------------------------


#: The list's ``status`` choices: the queue (the default), those marked not illegal, all.
SHOWN = {"open": "In the queue", "not_illegal": "Marked not illegal", "all": "All"}


@dataclass(frozen=True)
class CampaignFilter:
    """``tag``: campaigns with that tag (any case); ``text``: whose name contains it;
    ``status``: ``open`` (the queue: not marked not illegal), ``not_illegal`` or ``all``."""

    tag: str = ""
    text: str = ""
    status: str = "open"

    def conditions(self) -> list[ColumnElement[bool]]:
        found = []
        if self.status in ("open", "not_illegal"):
            found.append(models.Campaign.status == self.status)
        if self.tag.strip():
            found.append(has_tag(self.tag))
        if self.text.strip():
            found.append(models.Campaign.name.icontains(self.text.strip(), autoescape=True))
        return found


def has_tag(tag: str) -> ColumnElement[bool]:
    """Campaigns whose ``tags`` hold ``tag``, case-insensitively: the JSON list's text holds
    the tag's JSON string, quotes included, so ``covid`` does not match ``covid-19``."""
    encoded = json.dumps(tag.strip().lower())
    return func.lower(cast(models.Campaign.tags, Text)).contains(encoded, autoescape=True)


@dataclass(frozen=True)
class CampaignLine:
    """A campaign as the list shows it, with its tracebacks counted."""

    id: str
    name: str
    tags: tuple[str, ...]
    calls: int
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    priority: float
    open_tracebacks: int
    closed_tracebacks: int
    complaints: int = 0  # in the analytics store, joined by number (campaigns/complaints.py)
    status: str = "open"  # or not_illegal (robotrace.campaigns.review)


def _ranked(wanted: CampaignFilter) -> Select[tuple[models.Campaign]]:
    campaign = models.Campaign
    return (
        select(campaign)
        .options(defer(campaign.representative))
        .where(*wanted.conditions())
        .order_by(campaign.priority.desc(), campaign.call_count.desc(), campaign.id)
    )


def campaign_lines(
    db: Session,
    wanted: CampaignFilter,
    analytics_dir: Path,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> list[CampaignLine]:
    """A page of the campaigns ``wanted`` selects, highest priority first; their complaints
    counted in the analytics store at ``analytics_dir`` (the app's)."""
    rows = list(db.scalars(_ranked(wanted).limit(limit).offset(offset)))
    counts = traceback_counts(db, [row.id for row in rows])
    complaints = complaints_of(db, [row.id for row in rows], analytics_dir)
    return [line_of(row, counts.get(row.id, (0, 0)), complaints.get(row.id, 0)) for row in rows]


def complaints_of(db: Session, campaign_ids: Sequence[str], analytics_dir: Path) -> dict[str, int]:
    """Complaints per campaign from the analytics store at ``analytics_dir``."""
    return complaint_counts(db, campaign_ids, analytics_dir)


def campaign_total(db: Session, wanted: CampaignFilter) -> int:
    query = select(func.count()).select_from(models.Campaign).where(*wanted.conditions())
    return db.scalar(query) or 0


def line_of(row: models.Campaign, counts: tuple[int, int], complaints: int = 0) -> CampaignLine:
    return CampaignLine(
        id=row.id,
        name=row.name,
        tags=tuple(row.tags or ()),
        calls=row.call_count,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        priority=row.priority,
        open_tracebacks=counts[0],
        closed_tracebacks=counts[1],
        complaints=complaints,
        status=row.status,
    )


def tags_in_use(db: Session) -> list[str]:
    """Every tag some campaign has, lower-cased, sorted (the filter's choices)."""
    found = {str(tag).lower() for tags in db.scalars(select(models.Campaign.tags)) for tag in tags}
    return sorted(found)


# --- Tracebacks of campaigns ---------------------------------------------------------------


def _tracebacks_of_campaigns(campaign_ids: Sequence[str]) -> Select[Any]:
    """Each traceback of the campaigns with the campaign it counts for: its own campaign,
    or its call's when it has none (rows for other campaigns are dropped by the caller)."""
    tb, call = models.Traceback, models.Call
    return (
        select(func.coalesce(tb.campaign_id, call.campaign_id), tb.id, tb.status)
        .outerjoin(call, call.id == tb.call_id)
        .where(or_(tb.campaign_id.in_(campaign_ids), call.campaign_id.in_(campaign_ids)))
    )


def traceback_counts(db: Session, campaign_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
    """``{campaign id: (open, closed)}`` tracebacks, for a page of campaigns in one query;
    withdrawn ones count in neither (they were opened by mistake)."""
    counts: dict[str, list[int]] = {}
    query = _tracebacks_of_campaigns(campaign_ids).where(not_withdrawn())
    for campaign_id, _, status in db.execute(query):
        if campaign_id in campaign_ids:
            pair = counts.setdefault(campaign_id, [0, 0])
            pair[0 if status == "open" else 1] += 1
    return {key: (pair[0], pair[1]) for key, pair in counts.items()}


def traceback_ids_of(db: Session, campaign_id: str) -> list[str]:
    rows = db.execute(_tracebacks_of_campaigns([campaign_id]))
    return [tb_id for owner, tb_id, _ in rows if owner == campaign_id]


@dataclass(frozen=True)
class CampaignTraceback:
    """One traceback of a campaign and what it found so far."""

    id: str
    status: str
    outcome: str | None
    opened_at: datetime
    call_time: datetime
    calling_number: str
    terminating: str
    hops: int
    originating: str | None
    gateway: str | None
    customer: str | None


def campaign_tracebacks(db: Session, campaign_id: str) -> list[CampaignTraceback]:
    """The campaign's tracebacks, oldest first, with their originating and gateway provider."""
    directory = provider_directory(db)
    return [
        CampaignTraceback(
            id=tb.id,
            status=tb.status.value,
            outcome=tb.outcome.value if tb.outcome else None,
            opened_at=tb.opened_at,
            call_time=tb.call.call_time,
            calling_number=tb.call.calling_number,
            terminating=tb.terminating_provider,
            hops=len(tb.hops),
            originating=originating_provider_of(tb),
            gateway=gateway_provider_of(tb, directory),
            customer=customer_of(tb),
        )
        for tb in load_tracebacks(db, traceback_ids_of(db, campaign_id))
    ]


# --- Sample transcripts --------------------------------------------------------------------


@dataclass(frozen=True)
class SampleTranscript:
    call_id: int
    call_time: datetime
    calling_number: str
    text: str


_SPACES = re.compile(r"\s+")


def _same_text_key(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


def distinct_per_span(candidates: Iterable[tuple[int, SampleTranscript]]) -> list[SampleTranscript]:
    """From ``(span, transcript)`` pairs in time order, the first transcript of each span
    whose text (ignoring case and spacing) no earlier pick has."""
    picked: dict[int, SampleTranscript] = {}
    seen: set[str] = set()
    for span, sample in candidates:
        key = _same_text_key(sample.text)
        if span not in picked and key not in seen:
            picked[span] = sample
            seen.add(key)
    return sorted(picked.values(), key=lambda s: (s.call_time, s.call_id))


def sample_transcripts(
    db: Session, campaign_id: str, spans: int = SAMPLE_SPANS
) -> list[SampleTranscript]:
    """Up to ``spans`` different transcripts of the campaign, spread over time: its calls
    in time order are cut into ``spans`` equal parts, and a few calls are read from the
    start of each — never the whole campaign."""
    call = models.Call
    ordered = (
        select(
            call.id,
            call.call_time,
            call.calling_number,
            call.transcript,
            func.ntile(spans).over(order_by=(call.call_time, call.id)).label("span"),
        )
        .where(call.campaign_id == campaign_id, call.transcript != "")
        .subquery()
    )
    in_span = func.row_number().over(
        partition_by=ordered.c.span, order_by=(ordered.c.call_time, ordered.c.id)
    )
    ranked = select(ordered, in_span.label("rank")).subquery()
    rows = db.execute(
        select(ranked)
        .where(ranked.c.rank <= CANDIDATES_PER_SPAN)
        .order_by(ranked.c.call_time, ranked.c.id)
    )
    return distinct_per_span(
        (r.span, SampleTranscript(r.id, r.call_time, r.calling_number, r.transcript)) for r in rows
    )


# --- Numbers and calls over time -----------------------------------------------------


@dataclass(frozen=True)
class CallerCount:
    number: str
    calls: int


def _caller_id() -> ColumnElement[str]:
    return func.coalesce(models.Call.calling_e164, models.Call.calling_number)


def top_caller_ids(db: Session, campaign_id: str, limit: int = TOP_CALLER_IDS) -> list[CallerCount]:
    """The caller IDs the campaign's calls showed most often (withheld ones left out)."""
    number, calls = _caller_id(), func.count().label("calls")
    query = (
        select(number, calls)
        .where(models.Call.campaign_id == campaign_id, models.Call.calling_number != "")
        .group_by(number)
        .order_by(calls.desc(), number)
        .limit(limit)
    )
    return [CallerCount(n, int(c)) for n, c in db.execute(query)]


def distinct_caller_ids(db: Session, campaign_id: str) -> int:
    query = select(func.count(func.distinct(_caller_id()))).where(
        models.Call.campaign_id == campaign_id, models.Call.calling_number != ""
    )
    return db.scalar(query) or 0


@dataclass(frozen=True)
class DayCount:
    day: date
    calls: int


def _utc_day(db: Session) -> ColumnElement[str]:
    """The call's UTC day as ``YYYY-MM-DD`` text, in the database's own dialect."""
    if db.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", models.Call.call_time), "YYYY-MM-DD")
    return func.date(models.Call.call_time)  # SQLite keeps naive UTC text


def with_empty_days(counts: dict[date, int]) -> list[DayCount]:
    """Every day from the first to the last with a count, days without calls as 0."""
    if not counts:
        return []
    first, last = min(counts), max(counts)
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [DayCount(day, counts.get(day, 0)) for day in days]


def calls_per_day(db: Session, campaign_id: str) -> list[DayCount]:
    """The campaign's calls per UTC day, from its first day to its last."""
    day = _utc_day(db)
    query = select(day, func.count()).where(models.Call.campaign_id == campaign_id).group_by(day)
    return with_empty_days({date.fromisoformat(d): int(n) for d, n in db.execute(query)})


# --- One campaign --------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignDetail:
    line: CampaignLine
    topic: str
    status: str
    status_reason: str
    status_by: str
    status_at: datetime | None
    representative: str
    callback_numbers: tuple[str, ...]
    samples: list[SampleTranscript]
    caller_ids: list[CallerCount]
    distinct_caller_ids: int
    days: list[DayCount]
    tracebacks: list[CampaignTraceback]
    traceable_calls: int


def campaign_detail(db: Session, row: models.Campaign, analytics_dir: Path) -> CampaignDetail:
    tracebacks = campaign_tracebacks(db, row.id)
    open_count = sum(1 for tb in tracebacks if tb.status == "open")
    return CampaignDetail(
        line=line_of(
            row,
            (open_count, len(tracebacks) - open_count),
            complaints_of(db, [row.id], analytics_dir).get(row.id, 0),
        ),
        topic=row.topic,
        status=row.status,
        status_reason=row.status_reason,
        status_by=row.status_by,
        status_at=row.status_at,
        representative=row.representative,
        callback_numbers=tuple(row.callback_numbers or ()),
        samples=sample_transcripts(db, row.id),
        caller_ids=top_caller_ids(db, row.id),
        distinct_caller_ids=distinct_caller_ids(db, row.id),
        days=calls_per_day(db, row.id),
        tracebacks=tracebacks,
        traceable_calls=traceable_count(db, row.id),
    )
