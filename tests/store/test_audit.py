from __future__ import annotations

from datetime import UTC, datetime, timedelta

from robotrace.store.audit import append_audit, list_audit
from robotrace.traceback.model import AuditEvent

T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)


def event(traceback_id: str, minutes: int, action: str = "hop_requested", **details) -> AuditEvent:
    return AuditEvent(
        at=T0 + timedelta(minutes=minutes),
        actor="coordinator@itg.example",
        action=action,
        traceback_id=traceback_id,
        provider="1234",
        details=details,
    )


def test_audit_events_come_back_exactly_in_the_order_they_happened(session):
    events = [event("TB-1", 5, position=1), event("TB-1", 0, "opened", reason="honeypot")]
    assert append_audit(session, events) == 2
    session.commit()
    assert list_audit(session) == [events[1], events[0]]
    assert all(e.at.tzinfo is UTC for e in list_audit(session))


def test_the_audit_log_can_be_read_for_one_traceback(session):
    append_audit(session, [event("TB-1", 0), event("TB-2", 1), event("TB-1", 2)])
    assert [e.at.minute for e in list_audit(session, "TB-1")] == [0, 2]


def test_audit_history_needs_no_traceback_row(session):
    """The log names tracebacks without a foreign key, so it outlives them."""
    append_audit(session, [event("TB-deleted", 0)])
    session.commit()
    assert list_audit(session, "TB-deleted") == [event("TB-deleted", 0)]


def test_datetimes_in_details_are_kept_as_utc_text(session):
    append_audit(session, [event("TB-1", 0, due_at=T0 + timedelta(days=1))])
    assert list_audit(session)[0].details == {"due_at": "2020-05-02T12:00:00Z"}
