"""Batch requests, for provider users: the calls of a federated bulk traceback the portal
asks your provider to look up in its own records (``/api/v1/batch-requests``), and the
answers, one per call (docs/api.md, docs/paths.md "Federated bulk tracing").

A provider sees only its own batches, and of each call only its position in the batch, its
numbers and its time — never the submission, the campaign, the call's id or its path so
far; another provider's batch id answers 404 exactly like a made-up one.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from robotrace.bulk.answers import (
    AnsweredAlready,
    BatchClosed,
    CallAnswer,
    UnknownPosition,
    record_answers,
)
from robotrace.bulk.dispatch import MAX_BATCH_CALLS
from robotrace.bulk.progress import AskedCall, asked_calls
from robotrace.bulk.rules import LONGEST_WINDOW_S, PATH_SEPARATOR, time_text
from robotrace.clock import Clock, epoch_ms
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.traceback.model import read_values
from robotrace.web import access
from robotrace.web.api.errors import responses
from robotrace.web.api.schemas import RowId, fields_of
from robotrace.web.bulk_results import publish_results
from robotrace.web.deps import REQUEST_DB, get_clock, require_roles, writer
from robotrace.web.principal import Principal

router = APIRouter(prefix="/batch-requests", tags=["batch requests (providers)"])
PROVIDER = UserRole.PROVIDER
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: No clock difference beyond this is a leg the band join could have matched.
LONGEST_DELTA_MS = LONGEST_WINDOW_S * 1000


class BatchRequestOut(BaseModel):
    """A batch request as its provider sees it."""

    id: int
    provider: str = Field(description="your provider, as the records that named it say")
    status: Literal["open", "answered", "expired"]
    calls: int
    tolerance_ms: int = Field(
        description="the clock skew tolerated: a leg matches when its time is within this "
        "of the call's (docs/paths.md, how a path is found)"
    )
    created_at: datetime
    due_at: datetime = Field(description="answer by then, or the calls unanswered end")


#: A batch call's fields in the order the published document has them.
BATCH_CALL_ORDER = ("position", "called_number", "calling_number", "call_time", "answered")

if TYPE_CHECKING:  # the checker sees a plain model; the fields are the asked call's
    AskedCallFields = BaseModel
else:
    AskedCallFields = fields_of(AskedCall, order=BATCH_CALL_ORDER)


# A call of a batch request (robotrace.bulk.progress.AskedCall), its calling number described
# for an agent and its time as exact text. No docstring: the published schema has none.
class BatchCallOut(AskedCallFields):
    calling_number: str = Field(description="as received: untrusted, it only breaks ties")
    call_time: str = Field(description="UTC, to the millisecond (2024-03-01T14:05:09.250Z)")


class BatchRequestDetail(BatchRequestOut):
    answered: int = Field(description="calls of the batch answered so far")
    items: list[BatchCallOut]


class BatchCallAnswerIn(BaseModel):
    """The answer for one call: ``upstream`` (the provider the call came from, as your
    records name it), ``origin`` (your customer placed it: ``customer``), ``not_found`` (no
    leg within the tolerance), or ``unmapped`` (the leg came in on a trunk your trunk map
    does not map). ``delta_ms``: the matched leg's time minus the call's (found legs only)."""

    position: int = Field(ge=1, le=MAX_BATCH_CALLS)
    answer: Literal["upstream", "origin", "not_found", "unmapped"]
    upstream: str | None = Field(None, min_length=1, max_length=32)
    customer: str | None = Field(None, max_length=200)
    delta_ms: int | None = Field(None, ge=-LONGEST_DELTA_MS, le=LONGEST_DELTA_MS)
    calling_matched: bool = Field(False, description="the leg's calling number is the call's")

    @model_validator(mode="after")
    def _fits_the_answer(self) -> BatchCallAnswerIn:
        found = self.answer != "not_found"
        if (self.upstream is not None) != (self.answer == "upstream"):
            raise ValueError("upstream is given with answer upstream, and only then")
        if self.upstream is not None and (
            self.upstream != self.upstream.strip()
            or PATH_SEPARATOR in self.upstream
            or _CONTROL.search(self.upstream)
        ):
            raise ValueError("upstream must not hold |, control characters or outer spaces")
        if (self.customer is not None) != (self.answer == "origin"):
            raise ValueError("customer is given with answer origin, and only then")
        if self.customer is not None and _CONTROL.search(self.customer):
            raise ValueError("customer must not hold control characters")
        if (self.delta_ms is not None) != found:
            raise ValueError("delta_ms is given for a leg found, and only then")
        if self.calling_matched and not found:
            raise ValueError("calling_matched is for a leg found")
        return self


class BatchAnswersIn(BaseModel):
    answers: list[BatchCallAnswerIn] = Field(min_length=1, max_length=MAX_BATCH_CALLS)

    @model_validator(mode="after")
    def _each_call_once(self) -> BatchAnswersIn:
        positions = [a.position for a in self.answers]
        if len(set(positions)) != len(positions):
            raise ValueError("a position is answered twice in this body")
        return self


class BatchAnswersOut(BaseModel):
    id: int
    status: Literal["open", "answered", "expired"]
    calls: int
    answered: int


def _out(row: models.BatchRequest) -> BatchRequestOut:
    return BatchRequestOut(
        id=row.id,
        provider=row.provider_key,
        status=row.status,
        calls=row.calls,
        tolerance_ms=row.tolerance_ms,
        created_at=row.created_at,
        due_at=row.due_at,
    )


@router.get("", response_model=list[BatchRequestOut], responses=responses(403))
def list_batch_requests(
    status: Literal["open", "answered", "expired", "all"] = Query("open"),
    principal: Principal = Depends(require_roles(PROVIDER)),
    db: Session = REQUEST_DB,
) -> list[BatchRequestOut]:
    """Your provider's batch requests, oldest first: ``open`` (default), ``answered``,
    ``expired`` (the window passed) or ``all``."""
    return [_out(row) for row in access.batch_requests(db, principal, status)]


@router.get("/{batch_id}", response_model=BatchRequestDetail, responses=responses(403, 404))
def get_batch_request(
    batch_id: RowId,
    principal: Principal = Depends(require_roles(PROVIDER)),
    db: Session = REQUEST_DB,
) -> BatchRequestDetail:
    """One of your provider's batch requests with its calls: position, numbers, time, and
    whether it is answered."""
    row = access.batch_request(db, principal, batch_id)
    calls = asked_calls(db, row.id)
    items = [
        BatchCallOut.model_validate(
            read_values(AskedCall, call) | {"call_time": time_text(epoch_ms(call.call_time))}
        )
        for call in calls
    ]
    answered = sum(1 for call in calls if call.answered)
    return BatchRequestDetail(**_out(row).model_dump(), answered=answered, items=items)


@router.post(
    "/{batch_id}/answer",
    response_model=BatchAnswersOut,
    responses=responses(403, 404, 409, 422),
)
def answer_batch_request(
    request: Request,
    tasks: BackgroundTasks,
    batch_id: RowId,
    body: BatchAnswersIn,
    principal: Principal = Depends(writer(PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> BatchAnswersOut:
    """Answer calls of one of your batch requests — all at once, or in parts. Each call
    takes one answer: a body naming a call answered before is refused whole (409), as is
    any answer once the batch's window has passed. A ``delta_ms`` beyond the batch's
    tolerance is 422. The portal moves each answered call on at once."""
    row = access.batch_request(db, principal, batch_id)
    wide = [a.position for a in body.answers if abs(a.delta_ms or 0) > row.tolerance_ms]
    if wide:
        raise HTTPException(
            422, f"delta_ms beyond the tolerance ({row.tolerance_ms} ms) at position(s) {wide[:10]}"
        )
    answers = [CallAnswer(**a.model_dump()) for a in body.answers]
    try:
        recorded = record_answers(db, row.id, answers, clock)
    except (AnsweredAlready, BatchClosed) as exc:
        raise HTTPException(409, str(exc)) from None
    except UnknownPosition as exc:
        raise HTTPException(422, str(exc)) from None
    if recorded.finished:  # the last answer of the submission: its results, once committed
        tasks.add_task(publish_results, request.app.state, recorded.bulk_id)
    return BatchAnswersOut(
        id=row.id,
        status=recorded.status,
        calls=recorded.calls,
        answered=recorded.answered,
    )
