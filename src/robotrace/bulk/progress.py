"""How far a federated bulk traceback has got, and what one of its batch requests asks: the
reads the API shows (``/api/v1/bulk-tracebacks``, ``/api/v1/batch-requests``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.clock import from_epoch_ms
from robotrace.store import models
from robotrace.store.values import CallUnderTrace


def call_ends(session: Session, bulk_id: int) -> dict[str | None, int]:
    """How many of the submission's calls ended, by how their path ended."""
    calls = models.BulkCall
    query = (
        select(calls.end, func.count())
        .where(calls.bulk_id == bulk_id, calls.state == "ended")
        .group_by(calls.end)
    )
    return dict(session.execute(query).tuples().all())


def batch_statuses(session: Session, bulk_id: int) -> dict[str, int]:
    """How many of the submission's batch requests are in each status."""
    batches = models.BatchRequest
    query = (
        select(batches.status, func.count())
        .where(batches.bulk_id == bulk_id)
        .group_by(batches.status)
    )
    return dict(session.execute(query).tuples().all())


@dataclass(frozen=True, kw_only=True)
class AskedCall(CallUnderTrace):
    """One call of a batch request: the call (:class:`CallUnderTrace`, positional), its place
    in the batch, and whether the provider answered it."""

    position: int = field(
        metadata={"description": "the call's place in the batch, from 1: answer by it"}
    )
    answered: bool


def asked_calls(session: Session, batch_id: int) -> list[AskedCall]:
    """The calls of batch request ``batch_id``, in their order in the batch."""
    answer, call = models.BatchCall, models.BulkCall
    query = (
        select(answer.position, call.called_number, call.calling_number, call.t_ms, answer.answer)
        .join(call, call.id == answer.bulk_call_id)
        .where(answer.batch_id == batch_id)
        .order_by(answer.position)
    )
    return [
        AskedCall(
            calling, called, from_epoch_ms(t_ms), position=position, answered=given is not None
        )
        for position, called, calling, t_ms, given in session.execute(query)
    ]
