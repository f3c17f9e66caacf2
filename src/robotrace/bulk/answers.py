"""A provider's answers to a batch request, and what they do: each answered call moves on at
once (:mod:`robotrace.bulk.rules`) and the waiting calls go out in new batches
(:mod:`robotrace.bulk.dispatch`) — answers drive the tracing, not a clock. A batch whose
answer window passes (:func:`expire_due_batches`, run by the worker) ends its unanswered
calls ``no_records``.

Every call takes one answer: a body naming a call answered before is refused whole
(:class:`AnsweredAlready`), as is any answer to a batch no longer open (:class:`BatchClosed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from robotrace.bulk.dispatch import dispatch, lock_submission
from robotrace.bulk.rules import HopAnswer, Position, next_step, path_of, path_text
from robotrace.clock import Clock
from robotrace.store import models
from robotrace.store.db import chunks


class BatchClosed(Exception):
    """The batch takes no more answers (its window passed)."""


class AnsweredAlready(Exception):
    """Some of the calls were answered before; nothing of this body was recorded."""


class UnknownPosition(ValueError):
    """A position the batch does not have."""


@dataclass(frozen=True)
class CallAnswer:
    """The answer to the call at ``position`` of a batch (checked where it entered)."""

    position: int
    answer: str  # robotrace.bulk.rules.ANSWERS
    upstream: str | None = None
    customer: str | None = None
    delta_ms: int | None = None
    calling_matched: bool | None = None


@dataclass(frozen=True)
class Recorded:
    batch_id: int
    answered: int  # calls of the batch answered, this body included
    calls: int
    status: str
    bulk_id: int
    finished: bool  # the submission is done (now or before)


def record_answers(
    session: Session, batch_id: int, answers: Sequence[CallAnswer], clock: Clock
) -> Recorded:
    """Record ``answers`` to batch ``batch_id`` and move their calls on."""
    batch = session.get(models.BatchRequest, batch_id)
    assert batch is not None, "reached through robotrace.web.access"
    bulk = lock_submission(session, batch.bulk_id)
    assert bulk is not None
    batch = session.get(models.BatchRequest, batch_id)
    assert batch is not None
    if batch.status != "open":
        raise BatchClosed(f"batch request {batch_id} is {batch.status}: it takes no answers")
    rows = _batch_rows(session, batch_id)
    _check(rows, answers)
    now = clock.now()
    _store_answers(session, rows, answers, now)
    _move_on(session, bulk, [(rows[a.position][1], a) for a in answers], now)
    answered = sum(1 for _, _, done in rows.values() if done) + len(answers)
    if answered == batch.calls:
        batch.status, batch.answered_at = "answered", now
    dispatch(session, bulk, clock)
    return Recorded(batch_id, answered, batch.calls, batch.status, bulk.id, bulk.status == "done")


def _batch_rows(session: Session, batch_id: int) -> dict[int, tuple[int, int, bool]]:
    """position → (batch call id, bulk call id, answered) of every call of the batch."""
    found = session.execute(
        select(
            models.BatchCall.position,
            models.BatchCall.id,
            models.BatchCall.bulk_call_id,
            models.BatchCall.answer.is_not(None),
        ).where(models.BatchCall.batch_id == batch_id)
    ).all()
    return {position: (row_id, call, bool(done)) for position, row_id, call, done in found}


def _check(rows: dict[int, tuple[int, int, bool]], answers: Sequence[CallAnswer]) -> None:
    unknown = [a.position for a in answers if a.position not in rows]
    if unknown:
        raise UnknownPosition(
            f"the batch has {len(rows)} calls; no call at position(s) {_listed(unknown)}"
        )
    twice = [a.position for a in answers if rows[a.position][2]]
    if twice:
        raise AnsweredAlready(f"call(s) at position(s) {_listed(twice)} answered already")


def _listed(positions: Sequence[int]) -> str:
    shown = ", ".join(str(p) for p in sorted(positions)[:10])
    return shown + (f" and {len(positions) - 10} more" if len(positions) > 10 else "")


def _store_answers(
    session: Session,
    rows: dict[int, tuple[int, int, bool]],
    answers: Sequence[CallAnswer],
    now: datetime,
) -> None:
    table = models.BatchCall.__table__
    session.execute(
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            answer=bindparam("a_answer"),
            upstream=bindparam("a_upstream"),
            customer=bindparam("a_customer"),
            delta_ms=bindparam("a_delta"),
            calling_matched=bindparam("a_matched"),
            answered_at=now,
        ),
        [
            {
                "row_id": rows[a.position][0],
                "a_answer": a.answer,
                "a_upstream": a.upstream if a.answer == "upstream" else None,
                "a_customer": a.customer if a.answer == "origin" else None,
                "a_delta": a.delta_ms,
                "a_matched": a.calling_matched,
            }
            for a in answers
        ],
    )


def _move_on(
    session: Session,
    bulk: models.BulkTraceback,
    answered: Sequence[tuple[int, CallAnswer | None]],
    now: datetime,
) -> None:
    """Apply the rules to each ``(bulk call id, answer or None)``: the call ends, or waits
    for its upstream's batch."""
    if not answered:
        return
    table = models.BulkCall.__table__
    ids = [call_id for call_id, _ in answered]
    positions = {}
    for chunk in chunks(ids, 5000):
        positions.update(
            {
                row.id: Position(row.hop, row.provider, path_of(row.path))
                for row in session.execute(
                    select(table.c.id, table.c.hop, table.c.provider, table.c.path).where(
                        table.c.id.in_(chunk)
                    )
                )
            }
        )
    updates = []
    for call_id, answer in answered:
        said = None if answer is None else HopAnswer(answer.answer, answer.upstream)
        step = next_step(positions[call_id], said, bulk.max_hops)
        updates.append(
            {
                "c_id": call_id,
                "c_state": "ended" if step.end else "waiting",
                "c_end": step.end,
                "c_ended": now if step.end else None,
                "c_provider": step.at.provider,
                "c_hop": step.at.hop,
                "c_path": path_text(step.at.path),
            }
        )
    session.execute(
        update(table)
        .where(table.c.id == bindparam("c_id"))
        .values(
            state=bindparam("c_state"),
            end=bindparam("c_end"),
            ended_at=bindparam("c_ended"),
            provider=bindparam("c_provider"),
            hop=bindparam("c_hop"),
            path=bindparam("c_path"),
        ),
        updates,
    )


def expire_due_batches(session: Session, clock: Clock) -> tuple[int, list[int]]:
    """End the unanswered calls of every open batch past its answer window ``no_records``
    and move their submissions on; returns how many batches expired, and the submissions
    that are done now."""
    now = clock.now()
    Batch = models.BatchRequest
    due = session.scalars(
        select(Batch.bulk_id).where(Batch.status == "open", Batch.due_at <= now).distinct()
    ).all()
    finished, count = [], 0
    for bulk_id in sorted(due):
        bulk = lock_submission(session, bulk_id)
        if bulk is None:
            continue
        expired = session.scalars(
            select(Batch.id).where(
                Batch.bulk_id == bulk_id, Batch.status == "open", Batch.due_at <= now
            )
        ).all()
        if not expired:
            continue
        session.execute(update(Batch).where(Batch.id.in_(expired)).values(status="expired"))
        count += len(expired)
        silent = session.scalars(
            select(models.BatchCall.bulk_call_id).where(
                models.BatchCall.batch_id.in_(expired), models.BatchCall.answer.is_(None)
            )
        ).all()
        _move_on(session, bulk, [(call_id, None) for call_id in silent], now)
        dispatch(session, bulk, clock)
        if bulk.status == "done":
            finished.append(bulk_id)
    return count, finished
