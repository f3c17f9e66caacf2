"""Tracebacks in the store: the domain :class:`Traceback` ↔ ``tracebacks`` and ``hops`` rows.

Providers are named by OCN in the domain and by foreign key in the store. Every OCN a
traceback names (terminating provider, each hop's provider and upstream) must already be
in ``providers``; :class:`UnknownProviders` says which are not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from robotrace.clock import as_utc
from robotrace.notify.agents import announce
from robotrace.providers.store import provider_ids, provider_keys
from robotrace.providers.zones import provider_zone
from robotrace.store import models
from robotrace.traceback.findings import FINDING_KINDS, Finding, refusal_findings, signer_on_path
from robotrace.traceback.model import (
    CallUnderTrace,
    GivenAnswer,
    Hop,
    HopAnswer,
    ProviderInfo,
    SignerLead,
    Status,
    Traceback,
)


class UnknownProviders(LookupError):
    """A traceback names providers that are not in the store; ``keys`` lists them."""

    def __init__(self, traceback_id: str, keys: list[str]) -> None:
        self.keys = keys
        super().__init__(f"traceback {traceback_id} names unknown provider(s): {', '.join(keys)}")


class TracebackNotFound(LookupError):
    pass


def save_traceback(session: Session, tb: Traceback, call_id: int | None = None) -> None:
    """Insert ``tb`` or bring its stored rows up to date, hops included.

    ``call_id`` links the traceback to its evidence call; when None, an existing link stays.
    """
    ids = _ids_of_named_providers(session, tb)
    row = session.get(models.Traceback, tb.id, options=[selectinload(models.Traceback.hops)])
    if row is None:
        row = models.Traceback(id=tb.id)
        session.add(row)
    signer_asked = row.signer_requested_at is not None
    _fill_traceback(row, tb, ids)
    if call_id is not None:
        row.call_id = call_id
    requested = _sync_hops(row, tb.hops, ids)
    session.flush()
    _announce_requests(session, row, requested, signer_asked)


def _announce_requests(
    session: Session, row: models.Traceback, requested: list[tuple[str, models.Hop]], asked: bool
) -> None:
    """Tell the providers' agents of the requests this save made (on commit): each newly
    requested hop, and the direct request to the signer when it was made just now."""
    for key, hop_row in requested:
        announce(session, key, "hop", hop_row.id)
    if row.signer_key and not asked and row.signer_requested_at and row.signer_answer is None:
        first = next((h for h in row.hops if h.position == 0), None)  # the request's id
        if first is not None:
            announce(session, row.signer_key, "signer", first.id)


def _named_ocns(tb: Traceback) -> set[str]:
    named = {tb.terminating_provider}
    for hop in tb.hops:
        named.add(hop.provider)
        if hop.upstream is not None:
            named.add(hop.upstream)
    return named


def _ids_of_named_providers(session: Session, tb: Traceback) -> dict[str, int]:
    named = _named_ocns(tb)
    ids = provider_ids(session, named)
    missing = sorted(named - ids.keys())
    if missing:
        raise UnknownProviders(tb.id, missing)
    return ids


def _fill_traceback(row: models.Traceback, tb: Traceback, ids: dict[str, int]) -> None:
    row.calling_number = tb.call.calling_number
    row.called_number = tb.call.called_number
    row.call_time = tb.call.call_time
    row.terminating_provider_id = ids[tb.terminating_provider]
    row.campaign_id = tb.campaign
    row.status = tb.status
    row.outcome = tb.outcome
    row.opened_at = tb.opened_at
    row.closed_at = tb.closed_at
    _fill_signer(row, tb)


def _fill_signer(row: models.Traceback, tb: Traceback) -> None:
    signer = tb.signer or SignerLead("", "")
    row.signer_key = signer.provider or None
    row.signer_attest = signer.attest or None
    row.signer_origid = signer.origid
    row.signer_requested_at = signer.requested_at
    row.signer_due_at = signer.due_at
    _set_columns(row, signer.signer_columns())
    row.signer_on_path = signer_on_path(tb)


def _sync_hops(
    row: models.Traceback, hops: tuple[Hop, ...], ids: dict[str, int]
) -> list[tuple[str, models.Hop]]:
    """Bring the hop rows up to date; returns the hops newly requested of a provider (a new
    row, or a reused one now asking another provider), unanswered, with their provider."""
    # Rows are reused by position, so a rewritten chain never trips (traceback_id, position).
    by_position = {hop_row.position: hop_row for hop_row in row.hops}
    kept: list[models.Hop] = []
    requested: list[tuple[str, models.Hop]] = []
    for hop in hops:
        hop_row = by_position.pop(hop.position, None) or models.Hop(position=hop.position)
        asked_before = hop_row.provider_id
        _fill_hop(hop_row, hop, ids)
        if hop.answer is None and asked_before != hop_row.provider_id:
            requested.append((hop.provider, hop_row))
        kept.append(hop_row)
    row.hops = kept
    return requested


def _fill_hop(row: models.Hop, hop: Hop, ids: dict[str, int]) -> None:
    row.provider_id = ids[hop.provider]
    row.requested_at = hop.requested_at
    row.due_at = hop.due_at
    _set_columns(row, hop.row_columns(ids[hop.upstream] if hop.upstream is not None else None))


def _set_columns(row: models.Base, columns: dict[str, Any]) -> None:
    for name, value in columns.items():
        setattr(row, name, value)


def lock_traceback_row(session: Session, traceback_id: str) -> None:
    """Lock the traceback's row until the transaction ends (``SELECT … FOR UPDATE`` on
    PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers already)."""
    session.execute(
        select(models.Traceback.id).where(models.Traceback.id == traceback_id).with_for_update()
    )


def lock_traceback(session: Session, traceback_id: str) -> None:
    """Serialise writers of one traceback (:func:`lock_traceback_row`) and forget what this
    session read before, so the workflow sees the latest committed state."""
    session.expire_all()
    lock_traceback_row(session, traceback_id)


def load_traceback(session: Session, traceback_id: str, for_update: bool = False) -> Traceback:
    """The traceback ``traceback_id``; :class:`TracebackNotFound` when there is none.

    ``for_update``: first lock its row until the transaction ends (``SELECT … FOR UPDATE``
    on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers already), then read it
    afresh — so two concurrent changes of one traceback (two answers to the same hop) take
    turns, and the second sees what the first did."""
    if for_update:
        lock_traceback_row(session, traceback_id)
    row = session.get(
        models.Traceback,
        traceback_id,
        options=[selectinload(models.Traceback.hops)],
        populate_existing=for_update,
    )
    if row is None:
        raise TracebackNotFound(f"no traceback {traceback_id}")
    return _tracebacks_of(session, [row])[0]


def load_tracebacks(session: Session, traceback_ids: Iterable[str]) -> list[Traceback]:
    """The tracebacks among ``traceback_ids`` that exist, in the order they were opened
    (three queries however many: tracebacks, hops, providers)."""
    query = (
        select(models.Traceback)
        .options(selectinload(models.Traceback.hops))
        .where(models.Traceback.id.in_(list(traceback_ids)))
        .order_by(models.Traceback.opened_at, models.Traceback.id)
    )
    return _tracebacks_of(session, list(session.scalars(query)))


def list_tracebacks(session: Session, status: Status | str | None = None) -> list[Traceback]:
    """Tracebacks in the order they were opened, only those with ``status`` if given."""
    query = select(models.Traceback).options(selectinload(models.Traceback.hops))
    if status is not None:
        query = query.where(models.Traceback.status == Status(status))
    query = query.order_by(models.Traceback.opened_at, models.Traceback.id)
    return _tracebacks_of(session, list(session.scalars(query)))


def _tracebacks_of(session: Session, rows: list[models.Traceback]) -> list[Traceback]:
    keys = provider_keys(session, _provider_ids_of(rows))
    return [_traceback_of(row, keys) for row in rows]


def _provider_ids_of(rows: Iterable[models.Traceback]) -> set[int]:
    ids: set[int] = set()
    for row in rows:
        ids.add(row.terminating_provider_id)
        for hop in row.hops:
            ids.add(hop.provider_id)
            if hop.upstream_provider_id is not None:
                ids.add(hop.upstream_provider_id)
    return ids


def _traceback_of(row: models.Traceback, keys: dict[int, str]) -> Traceback:
    return Traceback(
        id=row.id,
        call=CallUnderTrace(row.calling_number, row.called_number, row.call_time),
        terminating_provider=keys[row.terminating_provider_id],
        opened_at=row.opened_at,
        hops=tuple(_hop_of(hop, keys) for hop in row.hops),
        status=Status(row.status),
        outcome=row.outcome,
        closed_at=row.closed_at,
        campaign=row.campaign_id,
        signer=_signer_of(row),
    )


def _signer_of(row: models.Traceback) -> SignerLead | None:
    if row.signer_key is None or row.signer_attest is None:
        return None
    return SignerLead(
        provider=row.signer_key,
        attest=row.signer_attest,
        origid=row.signer_origid,
        requested_at=row.signer_requested_at,
        due_at=row.signer_due_at,
        **GivenAnswer.signer_fields(row),
    )


def _hop_of(row: models.Hop, keys: dict[int, str]) -> Hop:
    upstream = row.upstream_provider_id
    return Hop(
        position=row.position,
        provider=keys[row.provider_id],
        requested_at=row.requested_at,
        due_at=row.due_at,
        **HopAnswer.row_fields(row, keys[upstream] if upstream is not None else None),
    )


def findings_for(
    session: Session,
    key: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    window_on: Literal["call_time", "opened_at"] = "call_time",
) -> list[Finding]:
    """The refusals and silences (:func:`robotrace.traceback.findings.refusal_findings`) of
    provider ``key`` (None: of every provider) in the tracebacks whose ``window_on`` time is
    in ``[since, until)`` (either bound may be open): the call's time, as evidence, letters
    and scorecards choose tracebacks, or the traceback's opening, as the period report does.

    In the order a letter lists them: by call time, then traceback and hop. Two queries
    choose and load only the tracebacks with a finding, and one more names their providers.
    """
    hop, tb = models.Hop, models.Traceback
    chosen = select(hop.traceback_id).where(or_(hop.answer.in_(FINDING_KINDS), hop.late.is_(True)))
    if key is not None:
        chosen = chosen.join(models.Provider, models.Provider.id == hop.provider_id).where(
            models.Provider.key == key
        )
    moments = {"call_time": tb.call_time, "opened_at": tb.opened_at}
    if window_on not in moments:
        raise ValueError(f"window_on is call_time or opened_at, not {window_on!r}")
    moment = moments[window_on]
    query = select(tb).options(selectinload(tb.hops)).where(tb.id.in_(chosen))
    if since is not None:
        query = query.where(moment >= as_utc(since))
    if until is not None:
        query = query.where(moment < as_utc(until))
    query = query.order_by(tb.call_time, tb.id)
    found = [
        finding
        for traceback in _tracebacks_of(session, list(session.scalars(query)))
        for finding in refusal_findings(traceback)
    ]
    return [f for f in found if key is None or f.provider == key]


def provider_directory(session: Session, business_zone: str = "") -> dict[str, ProviderInfo]:
    """What the traceback workflow needs to know of every provider, by key; its zone is the
    one :func:`robotrace.providers.store.zone_of` gives with ``business_zone`` (the setting)
    for a provider whose zone is neither set nor told by its address. Without one such a
    provider's zone is "": the business calendar's default zone, which the workflow's policy
    reads due times in (:class:`~robotrace.traceback.model.ProviderInfo`)."""
    rows = session.execute(
        select(
            models.Provider.key,
            models.Provider.business_name,
            models.Provider.country,
            models.Provider.foreign,
            models.Provider.contact_email,
            models.Provider.time_zone,
            models.Provider.business_address,
        )
    )
    return {
        key: ProviderInfo(
            key=key, name=name, country=country, foreign=foreign, contact_email=email,
            time_zone=provider_zone(zone, address, foreign, business_zone).zone,
        )
        for key, name, country, foreign, email, zone, address in rows
    }  # fmt: skip
