"""The list of tracebacks: search by number (any spelling) and by provider (name or OCN),
filters (status, outcome, campaign, opened dates), pages that keep them — and, for it and
the dashboard, each traceback's campaign, originating and gateway provider.

The query parameters are checked where they enter: one that is not right is a 422 page that
says which and why, never a 500 and never a silently ignored filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi.exceptions import RequestValidationError
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from robotrace.numbers import InvalidNumber, caller_id
from robotrace.providers.store import providers_matching
from robotrace.store import models
from robotrace.traceback.findings import gateway_provider_of, originating_provider_of
from robotrace.traceback.model import Outcome, Status
from robotrace.traceback.store import load_tracebacks, provider_directory

PAGE_SIZE = 50
SEARCH_LENGTH = 100
LAST_PAGE = 10_000


@dataclass(frozen=True)
class ListFilters:
    """What the list is asked for, checked; empty strings and None mean "any"."""

    number: str = ""  # as typed
    number_key: str = ""  # as tracebacks store numbers (robotrace.numbers.caller_id)
    provider: str = ""
    status: str = ""
    outcome: str = ""
    campaign: str = ""
    opened_from: date | None = None
    opened_to: date | None = None
    page: int = 1

    def query_string(self, page: int | None = None) -> str:
        """The filters as a query string (for links that keep them), at ``page``."""
        pairs = {
            "number": self.number,
            "provider": self.provider,
            "status": self.status,
            "outcome": self.outcome,
            "campaign": self.campaign,
            "opened_from": self.opened_from.isoformat() if self.opened_from else "",
            "opened_to": self.opened_to.isoformat() if self.opened_to else "",
        }
        kept = {k: v for k, v in pairs.items() if v}
        if (page or self.page) > 1:
            kept["page"] = str(page or self.page)
        return urlencode(kept)

    @property
    def any(self) -> bool:
        return bool(self.query_string(1))


def _problem(field: str, message: str) -> RequestValidationError:
    return RequestValidationError(
        [{"loc": ("query", field), "msg": message, "type": "value_error"}]
    )


def _text(field: str, value: str) -> str:
    text = value.strip()
    if len(text) > SEARCH_LENGTH:
        raise _problem(field, f"longer than {SEARCH_LENGTH} characters")
    return text


def _choice(field: str, value: str, allowed: list[str]) -> str:
    text = value.strip()
    if text and text not in allowed:
        raise _problem(field, f"{text[:40]!r} is none of {', '.join(allowed)}")
    return text


def _date(field: str, value: str) -> date | None:
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _problem(field, f"{text[:40]!r} is not a date (YYYY-MM-DD)") from None


def _number_key(value: str) -> str:
    if not value:
        return ""
    try:
        return caller_id(value)
    except InvalidNumber as exc:
        raise _problem("number", str(exc)) from None


def _page(value: str) -> int:
    text = value.strip() or "1"
    if not text.isdigit() or not 1 <= int(text) <= LAST_PAGE:
        raise _problem("page", f"a page number from 1 to {LAST_PAGE}, not {text[:20]!r}")
    return int(text)


def list_filters(
    number: str = "",
    provider: str = "",
    status: str = "",
    outcome: str = "",
    campaign: str = "",
    opened_from: str = "",
    opened_to: str = "",
    page: str = "",
) -> ListFilters:
    """The list's query parameters, checked (a FastAPI dependency): RequestValidationError,
    shown as a 422 page, for any that is not right."""
    number = _text("number", number)
    found = ListFilters(
        number=number,
        number_key=_number_key(number),
        provider=_text("provider", provider),
        status=_choice("status", status, [s.value for s in Status]),
        outcome=_choice("outcome", outcome, [o.value for o in Outcome]),
        campaign=_text("campaign", campaign),
        opened_from=_date("opened_from", opened_from),
        opened_to=_date("opened_to", opened_to),
        page=_page(page),
    )
    if found.opened_from and found.opened_to and found.opened_from > found.opened_to:
        raise _problem("opened_to", "the range ends before it starts")
    return found


def _providers_matching(text: str) -> Select[Any]:
    """Ids of the providers the provider directory's search finds for ``text``: key or any
    identifier (OCN, RMD number, FRN, name, DBA) containing it, in any case."""
    return select(models.Provider.id).where(providers_matching(text))


def _where(query: Select[Any], filters: ListFilters) -> Select[Any]:
    tb = models.Traceback
    if filters.number_key:
        query = query.where(
            or_(tb.calling_number == filters.number_key, tb.called_number == filters.number_key)
        )
    if filters.provider:
        ids = _providers_matching(filters.provider)
        asked = exists().where(models.Hop.traceback_id == tb.id, models.Hop.provider_id.in_(ids))
        query = query.where(or_(tb.terminating_provider_id.in_(ids), asked))
    if filters.status:
        query = query.where(tb.status == Status(filters.status))
    if filters.outcome:
        query = query.where(tb.outcome == Outcome(filters.outcome))
    if filters.campaign:
        query = query.where(tb.campaign_id == filters.campaign)
    if filters.opened_from:
        query = query.where(tb.opened_at >= datetime.combine(filters.opened_from, time(), UTC))
    if filters.opened_to:
        end = datetime.combine(filters.opened_to + timedelta(days=1), time(), UTC)
        query = query.where(tb.opened_at < end)
    return query


@dataclass(frozen=True)
class ListedTraceback:
    """One row of the list or the dashboard."""

    row: models.Traceback
    terminating: str
    hops: int
    origin: str | None
    gateway: str | None


def listed_tracebacks(db: Session, filters: ListFilters) -> tuple[list[ListedTraceback], int]:
    """One page of the tracebacks the filters choose, newest first, and how many they choose."""
    terminating = aliased(models.Provider)
    hops = (
        select(func.count(models.Hop.id))
        .where(models.Hop.traceback_id == models.Traceback.id)
        .scalar_subquery()
    )
    query = select(models.Traceback, terminating.key, hops).join(
        terminating, terminating.id == models.Traceback.terminating_provider_id
    )
    query = _where(query, filters)
    total = db.scalar(_where(select(func.count()).select_from(models.Traceback), filters)) or 0
    query = query.order_by(models.Traceback.opened_at.desc(), models.Traceback.id.desc())
    rows = db.execute(query.offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return with_findings(db, [(tb, key, int(n)) for tb, key, n in rows]), int(total)


def with_findings(
    db: Session, rows: list[tuple[models.Traceback, str, int]]
) -> list[ListedTraceback]:
    """The rows with each traceback's originating and gateway provider, so far."""
    loaded = {tb.id: tb for tb in load_tracebacks(db, [row.id for row, _, _ in rows])}
    directory = provider_directory(db) if loaded else {}
    listed = []
    for row, key, hops in rows:
        tb = loaded[row.id]
        origin, gateway = originating_provider_of(tb), gateway_provider_of(tb, directory)
        listed.append(ListedTraceback(row, key, hops, origin, gateway))
    return listed


def campaign_choices(db: Session) -> list[str]:
    """Campaigns that tracebacks name, for the filter."""
    query = select(models.Traceback.campaign_id).where(models.Traceback.campaign_id.is_not(None))
    return sorted({c for c in db.scalars(query.distinct()) if c})
