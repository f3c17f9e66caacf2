"""A coordinator's review of a campaign: "not illegal" takes it out of the queue.

Content grouping cannot tell a pharmacy's refill reminder or a dental office's appointment
call from a scam that recurs just as regularly. A coordinator who has read the calls marks
such a campaign ``not_illegal`` with a reason; it then leaves the campaigns list's default
view (the queue), no sample call of it is traced, and its tracebacks count for nothing, as
withdrawn ones do (no evidence, no statistic: ``enforcement.records.tracebacks_after``).
The mark can be taken back. Both are written to the audit log, with the reason, so the
history outlives the campaign's current state.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from robotrace.store import models
from robotrace.store.audit import append_audit
from robotrace.traceback.model import AuditEvent

OPEN = "open"
NOT_ILLEGAL = "not_illegal"
STATUSES = (OPEN, NOT_ILLEGAL)
REASON_LIMIT = 500
MARKED, REVERTED = "campaign.not_illegal", "campaign.requeued"


class ReviewRefused(ValueError):
    """The mark cannot be set or taken back; the message says why and what to do."""


class AlreadyThere(ReviewRefused):
    """The campaign is in that state already (a conflict, not a bad input)."""


def checked_reason(text: str, required: bool = True) -> str:
    """The reason as stored: trimmed, at most :data:`REASON_LIMIT` characters, printable."""
    reason = text.strip()
    if required and not reason:
        raise ReviewRefused(
            "Say why the calls are not illegal (e.g. “refill reminders of a pharmacy its "
            "customers asked for”): the reason is kept in the audit log."
        )
    if len(reason) > REASON_LIMIT:
        raise ReviewRefused(
            f"The reason is {len(reason)} characters long: shorten it to {REASON_LIMIT}."
        )
    if any(not (char.isprintable() or char in "\r\n\t") for char in reason):
        raise ReviewRefused("The reason holds control characters: type it as plain text.")
    return reason


def mark_not_illegal(
    session: Session, campaign: models.Campaign, reason: str, actor: str, now: datetime
) -> None:
    """Mark ``campaign`` not illegal, taking it out of the queue; audit-logged."""
    said = checked_reason(reason)
    if campaign.status == NOT_ILLEGAL:
        raise AlreadyThere(
            f"Campaign {campaign.id} is marked not illegal already (by {campaign.status_by})."
        )
    _set(campaign, NOT_ILLEGAL, said, actor, now)
    _audit(session, campaign, MARKED, said, actor, now)


def put_back_in_queue(
    session: Session, campaign: models.Campaign, reason: str, actor: str, now: datetime
) -> None:
    """Take the mark back: the campaign is in the queue again; audit-logged."""
    said = checked_reason(reason, required=False)
    if campaign.status != NOT_ILLEGAL:
        raise AlreadyThere(f"Campaign {campaign.id} is not marked not illegal: it is in the queue.")
    _set(campaign, OPEN, said, actor, now)
    _audit(session, campaign, REVERTED, said, actor, now)


def _set(campaign: models.Campaign, status: str, reason: str, actor: str, now: datetime) -> None:
    campaign.status = status
    campaign.status_reason = reason
    campaign.status_by = actor
    campaign.status_at = now


def _audit(
    session: Session, campaign: models.Campaign, action: str, reason: str, actor: str, at: datetime
) -> None:
    details = {"campaign": campaign.id, "name": campaign.name, "reason": reason}
    append_audit(session, [AuditEvent(at, actor, action, "", None, details)])
