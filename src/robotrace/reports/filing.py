"""Filing a checked report: the abuse rules, a reference, and the rows.

Before anything is written a report must pass the rate limits of its client address
(``report_limit_per_hour``, ``report_limit_per_day``) and must not repeat an earlier report
(same calling and called number, call times within ``report_duplicate_minutes``); each
refusal is a :class:`Refused` whose message tells the person what to do. A filed report is
three rows in the caller's transaction: the call (``consumer_reports``), who sent it
(``report_senders``, apart: personal data) and an evidence call (``calls``, source
``report``) for the campaigns.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.accounts.keys import signing_key
from robotrace.clock import Clock, as_utc
from robotrace.reports.checks import CallReport
from robotrace.settings import Settings
from robotrace.store import models

SOURCE = "report"
#: Crockford's base 32: no I, L, O or U, so a reference read out over the phone is clear.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


class Refused(Exception):
    """A report not filed; the message tells the person what to do."""

    status = 400


class RateLimited(Refused):
    status = 429

    def __init__(self, limit: int, window: str, retry_at: datetime) -> None:
        self.retry_at = retry_at
        super().__init__(
            f"We take at most {limit} reports {window} from one connection, and this one "
            f"has sent that many. Please send this report again after "
            f"{as_utc(retry_at):%Y-%m-%d %H:%M} UTC."
        )


class DuplicateReport(Refused):
    status = 409

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(
            f"This call was reported already, under reference {reference}: there is no need "
            "to report it again. If the same number called you again, give the time of that "
            "other call."
        )


def client_key(address: str, secret_key: str) -> str:
    """A keyed hash of the client's address (keyed by :func:`signing_key` of the
    ``secret_key`` setting): enough to count its reports, and no more."""
    key = signing_key(secret_key)
    digest = hmac.new(key.encode(), f"report:{address}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def new_reference() -> str:
    """``RT-XXXX-XXXX``: 40 random bits, so references neither repeat nor tell a count."""
    letters = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"RT-{letters[:4]}-{letters[4:]}"


def file_report(
    session: Session,
    report: CallReport,
    client: str,
    via: str,
    clock: Clock,
    settings: Settings,
) -> models.ConsumerReport:
    """Check the abuse rules (their limits from ``settings``), then add the report's rows
    (the caller commits)."""
    now = clock.now()
    check_rate(session, client, now, settings.report_limit_per_hour, settings.report_limit_per_day)
    earlier = duplicate_of(session, report, settings.report_duplicate_minutes)
    if earlier is not None:
        raise DuplicateReport(earlier)
    reference = _unused_reference(session)
    call = models.Call(
        source=SOURCE,
        source_ref=reference,
        calling_number=report.calling_number,
        calling_e164=report.calling_number,
        called_number=report.called_number,
        called_e164=report.called_number,
        call_time=report.call_time,
        transcript=report.transcript,
        imported_at=now,
    )
    session.add(call)
    session.flush()
    row = models.ConsumerReport(
        reference=reference,
        received_at=now,
        calling_number=report.calling_number,
        called_number=report.called_number,
        call_time=report.call_time,
        recorded_message=report.recorded_message,
        subject=report.subject,
        transcript=report.transcript,
        state=report.state,
        via=via,
        call_id=call.id,
    )
    session.add(row)
    session.flush()
    session.add(
        models.ReportSender(
            report_id=row.id, name=report.name, email=report.email, client_key=client
        )
    )
    session.flush()
    return row


def check_rate(
    session: Session, client: str, now: datetime, limit_per_hour: int, limit_per_day: int
) -> None:
    """:class:`RateLimited` when the client has used up the hour's or the day's reports
    (``report_limit_per_hour``, ``report_limit_per_day``)."""
    for window, said, limit in ((HOUR, "an hour", limit_per_hour), (DAY, "a day", limit_per_day)):
        times = _recent_reports(session, client, now - window)
        if len(times) >= limit:
            # Free again when the oldest report that counts leaves the window.
            retry_at = times[len(times) - limit] + window if limit > 0 else now + window
            raise RateLimited(limit, said, retry_at)


def _recent_reports(session: Session, client: str, since: datetime) -> list[datetime]:
    """Receipt times of the client's reports since ``since``, oldest first."""
    report, sender = models.ConsumerReport, models.ReportSender
    query = (
        select(report.received_at)
        .join(sender, sender.report_id == report.id)
        .where(sender.client_key == client, report.received_at > since)
        .order_by(report.received_at)
    )
    return list(session.scalars(query))


def duplicate_of(session: Session, report: CallReport, duplicate_minutes: float) -> str | None:
    """The reference of an earlier report of the same call (call times at most
    ``duplicate_minutes`` apart: ``report_duplicate_minutes``), if there is one."""
    window = timedelta(minutes=duplicate_minutes)
    row = models.ConsumerReport
    query = (
        select(row.reference)
        .where(
            row.called_number == report.called_number,
            row.calling_number == report.calling_number,
            row.call_time >= report.call_time - window,
            row.call_time <= report.call_time + window,
        )
        .order_by(row.received_at, row.id)
        .limit(1)
    )
    return session.scalar(query)


def _unused_reference(session: Session) -> str:
    while True:
        reference = new_reference()
        taken = select(func.count()).where(models.ConsumerReport.reference == reference)
        if not session.scalar(taken):
            return reference
