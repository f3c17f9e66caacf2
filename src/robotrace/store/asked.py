"""What a hop request tells its provider beyond the call (issue 23): the campaign's name,
what its calls say, a recording when the evidence has one at a web address, and how many
other requests about the same campaign the provider has had. Never the traceback's id, its
chain or another provider (docs/tenancy.md): the hop request page, the API and the
notices read it from here alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.store import models
from robotrace.store.db import chunks
from robotrace.store.models import not_withdrawn

#: The longest excerpt of what the calls say, in characters (cut at a word, with "…").
EXCERPT_CHARS = 300
_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"']{1,490}")


@dataclass(frozen=True)
class Asked:
    campaign_name: str = ""
    #: What the calls say: the traced call's transcript, else the campaign's typical one.
    excerpt: str = ""
    #: The evidence call's recording, when it is a web address (other references stay with
    #: the coordinators).
    recording: str = ""
    #: Requests to the same provider about other calls of the same campaign.
    other_requests: int = 0

    def as_payload(self) -> dict[str, object]:
        """For a notice: nothing when nothing is known."""
        if not (self.campaign_name or self.excerpt or self.recording):
            return {}
        return {
            "campaign": {"name": self.campaign_name, "excerpt": self.excerpt},
            "recording": self.recording or None,
            "other_requests_of_campaign": self.other_requests,
        }


def excerpt_of(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` on one line, cut at the last whole word within ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + " …"


def web_recording(reference: str | None) -> str:
    """The recording's reference when it is one web address, else ""."""
    text = (reference or "").strip()
    return text if _WEB_ADDRESS.fullmatch(text) else ""


def asked_of(session: Session, hop_ids: Iterable[int]) -> dict[int, Asked]:
    """What each hop's request tells its provider, by hop id (two queries a chunk)."""
    ids = list(hop_ids)
    found: dict[int, Asked] = {}
    for chunk in chunks(ids):
        found.update(_asked_chunk(session, list(chunk)))
    return found


def _asked_chunk(session: Session, hop_ids: list[int]) -> dict[int, Asked]:
    hop, tb = models.Hop, models.Traceback
    rows = session.execute(
        select(
            hop.id,
            hop.provider_id,
            tb.id.label("traceback_id"),
            tb.campaign_id,
            models.Campaign.name,
            models.Campaign.representative,
            models.Call.transcript,
            models.Call.recording,
        )
        .join(tb, hop.traceback_id == tb.id)
        .outerjoin(models.Campaign, models.Campaign.id == tb.campaign_id)
        .outerjoin(models.Call, models.Call.id == tb.call_id)
        .where(hop.id.in_(hop_ids))
    ).all()
    counts = _requests_per_campaign(session, {(r.provider_id, r.campaign_id) for r in rows})
    found = {}
    for r in rows:
        said = r.transcript or r.representative or ""
        others = max(counts.get((r.provider_id, r.campaign_id), 0) - 1, 0)
        found[r.id] = Asked(
            campaign_name=r.name or "",
            excerpt=excerpt_of(said),
            recording=web_recording(r.recording),
            other_requests=others if r.campaign_id else 0,
        )
    return found


def _requests_per_campaign(
    session: Session, pairs: set[tuple[int, str | None]]
) -> dict[tuple[int, str], int]:
    """Hop requests per (provider, campaign), over tracebacks that were not withdrawn."""
    providers = {p for p, c in pairs if c}
    campaigns = {c for _, c in pairs if c}
    if not campaigns:
        return {}
    hop, tb = models.Hop, models.Traceback
    query = (
        select(hop.provider_id, tb.campaign_id, func.count(func.distinct(tb.id)))
        .join(tb, hop.traceback_id == tb.id)
        .where(hop.provider_id.in_(providers), tb.campaign_id.in_(campaigns))
        .where(not_withdrawn(tb))
        .group_by(hop.provider_id, tb.campaign_id)
    )
    return {(p, c): n for p, c, n in session.execute(query)}
