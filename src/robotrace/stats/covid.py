"""The numbers of COVID-19 campaigns, from the SQL store, for the complaint statistics."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.campaigns.complaints import campaign_numbers
from robotrace.store import models

#: The campaign tag that makes a campaign's complaints COVID-19 related.
COVID_TAG = "covid-19"


def covid_campaign_keys(session: Session, tag: str = COVID_TAG) -> frozenset[str]:
    """Number keys (call-back numbers and caller IDs, 10+ digits) of the campaigns tagged
    ``tag`` (any case)."""
    wanted = tag.strip().lower()
    rows = session.execute(select(models.Campaign.id, models.Campaign.tags))
    ids = [campaign_id for campaign_id, tags in rows if wanted in {t.lower() for t in tags or ()}]
    if not ids:
        return frozenset()
    return frozenset(campaign_numbers(session, ids).column("key").to_pylist())
