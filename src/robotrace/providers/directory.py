"""The provider directory as the portal and the API read it: providers by RMD status and
search, a page at a time with their counts by status, and each provider's hop requests and
non-cooperation (refused or never answered) — filtered, counted and paged in the database, so
a page costs the same few queries with 8,000 providers as with 8. Readers of all see it all
(the web routes' role check, docs/tenancy.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, false, func, select
from sqlalchemy.orm import Session, selectinload

from robotrace.providers.rmd_store import latest_import, statuses
from robotrace.providers.status import STATUSES, RmdStatus
from robotrace.providers.store import search_providers
from robotrace.store import models
from robotrace.store.values import Answer

NON_COOPERATION = (Answer.REFUSED, Answer.NO_RESPONSE)
PAGE_SIZE = 100
#: A search considers this many matches at most (by key); the page says when there are more.
SEARCH_LIMIT = 500


@dataclass(frozen=True)
class DirectoryRow:
    provider: models.Provider
    hops: int
    non_cooperation: int
    status: RmdStatus | None = None


@dataclass(frozen=True)
class DirectoryPage:
    """One page of the directory: its rows, how many match, the counts by status (of the
    providers the search found, whatever the status filter), and where the page is."""

    rows: list[DirectoryRow]
    total: int
    counts: dict[str, int]
    page: int
    pages: int
    #: The search found more than :data:`SEARCH_LIMIT`; only the first of them are listed.
    capped: bool = False


def status_column(db: Session) -> ColumnElement[str]:
    """Each provider's RMD status as an SQL expression: the rule of
    :func:`robotrace.providers.status.rmd_status` (removed, else listed in the latest
    export, else filed once, else never listed), so the directory filters and counts in the
    database. The tests hold it to :func:`robotrace.providers.rmd_store.statuses`' answers.

    Uncorrelated ``IN`` subqueries, each read once: a correlated ``EXISTS`` on the latest
    import lets SQLite scan every filing of that import once per provider."""
    removal, filing = models.RmdRemoval, models.RmdFiling
    removed = select(removal.provider_id).where(removal.reinstated_at.is_(None))
    latest = latest_import(db)
    provider = models.Provider.id
    listed = (
        provider.in_(select(filing.provider_id).where(filing.last_import_id == latest.id))
        if latest is not None
        else false()
    )
    return case(
        (provider.in_(removed), "removed"),
        (listed, "listed"),
        (provider.in_(select(filing.provider_id)), "not_in_export"),
        else_="unlisted",
    )


def search_filter(db: Session, q: str) -> tuple[list[Any], bool]:
    """The condition on providers that the search ``q`` finds (by name, DBA, key, OCN, RMD
    number or FRN; "" finds all: no condition), and whether it was capped at
    :data:`SEARCH_LIMIT` matches."""
    if not q:
        return [], False
    found = search_providers(db, q, SEARCH_LIMIT + 1)
    return [models.Provider.id.in_([p.id for p in found[:SEARCH_LIMIT]])], len(found) > SEARCH_LIMIT


def with_status(db: Session, conditions: list[Any], status: str | None) -> list[Any]:
    """``conditions`` and RMD ``status`` (None: any status)."""
    return conditions if status is None else [*conditions, status_column(db) == status]


def status_counts(db: Session, conditions: list[Any]) -> dict[str, int]:
    """How many of the providers that meet ``conditions`` have each RMD status (one query)."""
    found = (
        select(status_column(db).label("status"))
        .select_from(models.Provider)
        .where(*conditions)
        .subquery()
    )
    rows = db.execute(select(found.c.status, func.count()).group_by(found.c.status))
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({name: int(n) for name, n in rows})
    return counts


def hop_counts(db: Session, provider_ids: list[int]) -> dict[int, tuple[int, int]]:
    """For each provider: how often it was asked in a traceback, and how often it did not
    help (refused or never answered)."""
    non_cooperative = case((models.Hop.answer.in_(NON_COOPERATION), 1), else_=0)
    rows = db.execute(
        select(models.Hop.provider_id, func.count(models.Hop.id), func.sum(non_cooperative))
        .where(models.Hop.provider_id.in_(provider_ids))
        .group_by(models.Hop.provider_id)
    )
    return {pid: (int(n), int(bad or 0)) for pid, n, bad in rows}


def directory_page(
    db: Session,
    today: date,
    recertification_due: str,
    status: str | None,
    q: str,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> DirectoryPage:
    """One page of the directory (RMD statuses on ``today``, by ``recertification_due``), in a
    handful of queries however large the registry."""
    searched, capped = search_filter(db, q)
    counts = status_counts(db, searched)
    total = counts[status] if status else sum(counts.values())
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    conditions = with_status(db, searched, status)
    query = select(models.Provider).where(*conditions).order_by(models.Provider.key)
    providers = list(db.scalars(query.limit(size).offset((page - 1) * size)))
    ids = [p.id for p in providers]
    found, asked = statuses(db, ids, today, recertification_due), hop_counts(db, ids)
    rows = [DirectoryRow(p, *asked.get(p.id, (0, 0)), found[p.id]) for p in providers]
    return DirectoryPage(rows, total, counts, page, pages, capped)


def directory_row(db: Session, provider: models.Provider) -> DirectoryRow:
    """One provider with its counts (for readers of all: counts span every traceback)."""
    hops, bad = hop_counts(db, [provider.id]).get(provider.id, (0, 0))
    return DirectoryRow(provider, hops, bad)


def registry_rows(
    db: Session, status: str | None, q: str, limit: int | None, offset: int
) -> list[models.Provider]:
    """Providers for the API's list, with their identifiers loaded in one more query."""
    searched, _ = search_filter(db, q)
    query = (
        select(models.Provider)
        .where(*with_status(db, searched, status))
        .order_by(models.Provider.key)
        .options(selectinload(models.Provider.identifiers))
    )
    return list(db.scalars(query.limit(limit).offset(offset)))


def portal_users(db: Session, provider: models.Provider) -> list[models.User]:
    """The provider's portal users, active first (staff only: they are its people)."""
    return list(
        db.scalars(
            select(models.User)
            .where(models.User.provider_id == provider.id)
            .order_by(models.User.active.desc(), models.User.email)
        )
    )
