"""A filed report becomes evidence: a complaint in the analytics store, and its call in its
campaign.

The complaint is the report as the FTC publishes a complaint — its eight public columns
(:func:`public_row`), read with the FTC format's own rules under source ``report``, keyed
by the report's reference so that feeding it twice adds it once. Nothing else of the report
reaches the store, so statistics and exports cannot show more. The evidence call joins the
campaign whose calls say the same (:func:`robotrace.campaigns.service.assign_calls`, the
grouping's own matching); its number then joins the report's complaint to that campaign
(:mod:`robotrace.campaigns.complaints`).

Both happen right after the report is filed, each in its own transaction; a report whose
feeding failed keeps ``fed_at`` empty for ``robotrace reports feed``, and a call left
without a campaign is grouped by the next ``robotrace campaigns update``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from robotrace.campaigns.service import assign_calls
from robotrace.clock import Clock, as_utc
from robotrace.evidence import ftc
from robotrace.evidence.analytics import add_complaints
from robotrace.evidence.columns import FTC_COMPLAINT_COLUMNS
from robotrace.evidence.complaints import check_table
from robotrace.numbers import digits_key
from robotrace.reports.filing import SOURCE
from robotrace.store import models
from robotrace.store.db import transaction

log = logging.getLogger(__name__)

#: The FTC's rules, keyed by the reference instead of the row's values: two reports may
#: well have the same eight public values, and each counts.
RULES = replace(
    ftc.RULES,
    source=SOURCE,
    values={**ftc.RULES.values, "complaint_id": "reference"},
    key=("reference",),
)
#: Reports fed to the store in one file at most.
FEED_BATCH = 10_000


def public_row(report: models.ConsumerReport) -> dict[str, str]:
    """The report as the FTC publishes a complaint: its eight public columns, no more."""
    return {
        "Company_Phone_Number": digits_key(report.calling_number),
        "Created_Date": ftc_time(report.received_at),
        "Violation_Date": ftc_time(report.call_time),
        "Consumer_City": "",
        "Consumer_State": report.state,
        "Consumer_Area_Code": area_code(report.called_number),
        "Subject": report.subject,
        "Recorded_Message_Or_Robocall": "Y" if report.recorded_message else "N",
    }


def ftc_time(when: datetime) -> str:
    return f"{as_utc(when):%Y-%m-%d %H:%M:%S}"


def area_code(e164: str) -> str:
    """The area code of a NANP number (``+1NPA…``); empty for any other."""
    return e164[2:5] if e164.startswith("+1") and len(e164) == 12 else ""


def complaint_table(reports: Sequence[models.ConsumerReport]) -> pa.Table:
    """The reports' public rows as text columns named as the FTC rules read them, with the
    reference that keys them."""
    rows = [public_row(report) for report in reports]
    columns = {name.lower(): [row[name] for row in rows] for name in FTC_COMPLAINT_COLUMNS}
    columns["reference"] = [report.reference for report in reports]
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


def feed_complaints(
    session: Session, analytics_dir: str | Path, clock: Clock, limit: int = FEED_BATCH
) -> tuple[int, int]:
    """Store the complaints of up to ``limit`` reports not fed yet and mark them fed: how
    many reports that was, and how many of their complaints were new to the store. The
    caller commits (a crash before that feeds them again, adding nothing twice)."""
    query = (
        select(models.ConsumerReport)
        .where(models.ConsumerReport.fed_at.is_(None))
        .order_by(models.ConsumerReport.id)
        .limit(limit)
    )
    reports = list(session.scalars(query))
    if not reports:
        return 0, 0
    checked, bad = check_table(complaint_table(reports), RULES)
    if bad:  # the checks on the way in make this a bug, never a consumer's mistake
        row, why = bad[0]
        raise ValueError(f"report {reports[row].reference} is not a valid complaint: {why}")
    now = clock.now()
    [added] = add_complaints([checked], analytics_dir, now)
    for report in reports:
        report.fed_at = now
    return len(reports), added


def join_campaign(session: Session, call_id: int, clock: Clock) -> str | None:
    """Put the report's call into the existing campaign that says the same, if one does;
    that campaign's id (the caller commits)."""
    assign_calls(session, clock, [call_id], create=False)
    return session.scalar(select(models.Call.campaign_id).where(models.Call.id == call_id))


def into_evidence(
    sessions: sessionmaker[Session], call_id: int, analytics_dir: str | Path, clock: Clock
) -> None:
    """After filing: feed the waiting complaints, then join the call's campaign — each in a
    transaction of its own, so one failing leaves the other done; failures are logged and
    caught up later (see the module's docstring)."""
    try:
        with transaction(sessions) as session:
            feed_complaints(session, analytics_dir, clock)
    except Exception:
        log.exception("report complaints not fed; robotrace reports feed will retry")
    try:
        with transaction(sessions) as session:
            join_campaign(session, call_id, clock)
    except Exception:
        log.exception("report call %s not grouped; robotrace campaigns update will", call_id)
