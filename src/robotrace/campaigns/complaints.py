"""Complaints joined to campaigns by number.

A consumer complaint names the number that called (the FTC's ``Company_Phone_Number``, the
FCC's caller ID or advertiser number), never what the caller said. A complaint counts for a
campaign when its number (or the FCC's advertiser number), compared by
:func:`robotrace.numbers.digits_key`, is a call-back
number the campaign's calls read out or a caller ID its calls showed. Caller IDs are mostly
spoofed and may be reused by several campaigns: such a complaint counts for each of them.
Fragments (``202``, ``202555``) and empty numbers match nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.cdr.duck import connect
from robotrace.evidence.analytics import complaints_relation
from robotrace.numbers import digits_key
from robotrace.store import models

#: Keys shorter than this are fragments, not numbers.
MIN_KEY_DIGITS = 10


def campaign_numbers(session: Session, campaign_ids: Sequence[str]) -> pa.Table:
    """``(key, campaign_id)`` for every call-back number and caller ID of the campaigns."""
    pairs: set[tuple[str, str]] = set()
    callbacks = select(models.Campaign.id, models.Campaign.callback_numbers).where(
        models.Campaign.id.in_(campaign_ids)
    )
    for campaign_id, numbers in session.execute(callbacks):
        pairs.update((digits_key(n), campaign_id) for n in numbers or ())
    callers = (
        select(models.Call.calling_number, models.Call.campaign_id)
        .where(models.Call.campaign_id.in_(campaign_ids))
        .distinct()
    )
    for number, campaign_id in session.execute(callers):
        pairs.add((digits_key(number), campaign_id))
    kept = sorted((k, c) for k, c in pairs if len(k) >= MIN_KEY_DIGITS)
    return pa.table({"key": [k for k, _ in kept], "campaign_id": [c for _, c in kept]})


def complaint_counts(
    session: Session, campaign_ids: Sequence[str], analytics_dir: str | Path
) -> dict[str, int]:
    """Complaints in the analytics store per campaign (campaigns with none are left out)."""
    if not campaign_ids:
        return {}
    numbers = campaign_numbers(session, campaign_ids)
    if numbers.num_rows == 0:
        return {}
    connection = connect()
    connection.register("campaign_numbers", numbers)
    complaints = complaints_relation(analytics_dir)
    matches = " UNION ALL ".join(
        f"SELECT n.campaign_id, c.row_key FROM {complaints} AS c "
        f"JOIN campaign_numbers n ON c.{column} = n.key"
        for column in ("company_key", "advertiser_key")
    )
    rows = connection.sql(
        f"SELECT campaign_id, count(DISTINCT row_key) FROM ({matches}) GROUP BY campaign_id"
    ).fetchall()
    return {str(campaign_id): int(count) for campaign_id, count in rows}
