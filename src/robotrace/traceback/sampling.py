"""Tracing a campaign: which of its calls to trace, and opening a traceback for each.

A campaign is traced from a few sample calls spread over its life — the first, the middle
and the last by default — because its routes change: an early and a late call may reach the
same phones through different providers. A call that has a traceback already is never
sampled again, and neither is one whose terminating provider is unknown (it cannot be
traced). Each traceback is opened by :func:`robotrace.traceback.service.open_traceback_for_call`,
the one way the portal, the API and the demo open a traceback for a stored call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.store import models
from robotrace.store.db import lock_for_transaction
from robotrace.traceback import service
from robotrace.traceback.model import Traceback
from robotrace.traceback.workflow import Policy

T = TypeVar("T")

DEFAULT_SAMPLES = 3
MAX_SAMPLES = 20


def spread(items: Sequence[T], count: int) -> list[T]:
    """``count`` of ``items`` spread evenly from the first to the last, in their order:
    first, middle and last for 3; the last (the most recent) for 1; all when there are no
    more than ``count``."""
    if count <= 0:
        return []
    if count >= len(items):
        return list(items)
    if count == 1:
        return [items[-1]]
    step = (len(items) - 1) / (count - 1)  # > 1, so the rounded positions are distinct
    return [items[round(i * step)] for i in range(count)]


def _traceable(campaign_id: str) -> tuple[ColumnElement[bool], ...]:
    traced = exists().where(models.Traceback.call_id == models.Call.id)
    return (
        models.Call.campaign_id == campaign_id,
        models.Call.terminating_provider_id.is_not(None),
        ~traced,
    )


def traceable_calls(session: Session, campaign_id: str) -> list[int]:
    """Ids of the campaign's calls that can be traced and are not yet, oldest first."""
    query = (
        select(models.Call.id)
        .where(*_traceable(campaign_id))
        .order_by(models.Call.call_time, models.Call.id)
    )
    return list(session.scalars(query))


def traceable_count(session: Session, campaign_id: str) -> int:
    """How many of the campaign's calls can still be sampled."""
    query = select(func.count()).select_from(models.Call).where(*_traceable(campaign_id))
    return session.scalar(query) or 0


def lock_campaign(session: Session, campaign_id: str) -> None:
    """Serialise openings for one campaign (a PostgreSQL row lock; SQLite has one writer),
    so two at once cannot both pick the same untraced call."""
    session.execute(
        select(models.Campaign.id).where(models.Campaign.id == campaign_id).with_for_update()
    )


def open_tracebacks_for_samples(
    session: Session,
    campaign_id: str,
    samples: int,
    actor: str,
    clock: Clock,
    policy: Policy,
) -> list[Traceback]:
    """Open a traceback for each of ``samples`` untraced calls of the campaign, spread over
    time (:func:`spread`); fewer when fewer are left, none when none is. The caller owns the
    transaction."""
    lock_campaign(session, campaign_id)
    lock_for_transaction(session, "opening-tracebacks")  # none of its calls is opened elsewhere
    chosen = spread(traceable_calls(session, campaign_id), samples)
    return [
        service.open_traceback_for_call(session, call_id, actor, clock, policy)
        for call_id in chosen
    ]
