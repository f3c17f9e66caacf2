"""Taking a submission in: the calls (a calls file as ``robotrace paths`` reads it, the same
rows sent as JSON, or a campaign's stored calls), checked whole before anything is stored,
then the first batches — one per terminating provider.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from robotrace.bulk.dispatch import dispatch
from robotrace.bulk.rules import PATH_SEPARATOR, path_text
from robotrace.clock import Clock
from robotrace.paths.calls import read_calls
from robotrace.paths.engine import DEFAULT_MAX_HOPS
from robotrace.rows import BadRowsError, RowError
from robotrace.settings import Settings
from robotrace.store import models

#: The most calls one submission may hold.
MAX_CALLS = 1_000_000
#: The longest value each stored column takes (longer ones are bad rows).
_WIDTHS = {
    "call_id": 128,
    "called_number": 64,
    "calling_number": 64,
    "terminating_provider": 32,
    "campaign": 200,
}
_TEXT_COLUMNS = (*_WIDTHS, "call_time")


@dataclass(frozen=True)
class Options:
    """How a submission is traced: the answer window, the band join's tolerance, the hop
    limit — the last two as ``robotrace paths`` takes them."""

    answer_within_s: int
    tolerance_ms: int
    max_hops: int = DEFAULT_MAX_HOPS
    campaign_id: str | None = None

    @classmethod
    def defaults(cls, settings: Settings, **given: Any) -> Options:
        """Options with the ``settings``' defaults where ``given`` says nothing (None)."""
        window = given.get("answer_within_s") or settings.bulk_answer_seconds
        tolerance = given.get("tolerance_s")
        seconds = settings.cdr_skew_seconds if tolerance is None else tolerance
        return cls(
            answer_within_s=round(window),
            tolerance_ms=round(seconds * 1000),
            max_hops=given.get("max_hops") or DEFAULT_MAX_HOPS,
            campaign_id=given.get("campaign_id"),
        )


def calls_of_file(path: Path, shown: str | None = None) -> pa.Table:
    """The calls of a calls file, checked (:func:`robotrace.paths.calls.read_calls`, and the
    widths the portal stores); :class:`BadRowsError` naming ``shown`` otherwise."""
    try:
        calls = read_calls(path)
    except BadRowsError as exc:
        if shown is None:
            raise
        errors = [RowError(shown, e.line, e.reason) for e in exc.errors]
        raise BadRowsError(errors) from None
    _check_widths(calls, shown or str(path))
    return calls


def calls_of_rows(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """The calls sent as JSON objects, checked like a file's rows: a bad one is named
    ``calls[i]`` (from 0)."""
    listed = list(rows)
    columns = {
        name: [None if r.get(name) is None else str(r.get(name)) for r in listed]
        for name in _TEXT_COLUMNS
    }
    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    with tempfile.TemporaryDirectory(prefix="robotrace-bulk-") as folder:
        path = Path(folder) / "calls.parquet"
        pq.write_table(table, path)
        try:
            return calls_of_file(path)
        except BadRowsError as exc:
            errors = [RowError("calls", e.line, e.reason) for e in exc.errors]
            raise BadRowsError(errors, shown=20) from None


def _check_widths(calls: pa.Table, shown: str) -> None:
    errors = []
    for name, width in _WIDTHS.items():
        for row, value in enumerate(calls.column(name).to_pylist(), start=1):
            if value is not None and len(value) > width:
                errors.append(RowError(shown, row, f"{name} is longer than {width} characters"))
    for row, value in enumerate(calls.column("terminating_provider").to_pylist(), start=1):
        if PATH_SEPARATOR in value:
            errors.append(RowError(shown, row, f"terminating_provider holds {PATH_SEPARATOR!r}"))
    if calls.num_rows > MAX_CALLS:
        errors.append(RowError(shown, MAX_CALLS + 1, f"more than {MAX_CALLS:,} calls"))
    if calls.num_rows == 0:
        errors.append(RowError(shown, 1, "no calls"))
    if errors:
        raise BadRowsError(sorted(errors, key=lambda e: e.line))


def campaign_calls(session: Session, campaign_id: str) -> pa.Table:
    """A campaign's stored calls with a terminating provider, as a calls table (call ids
    ``<source>:<reference>``); ValueError when it has none."""
    call, provider = models.Call, models.Provider
    found = session.execute(
        select(
            call.source,
            call.source_ref,
            call.called_number,
            call.calling_number,
            call.call_time,
            provider.key,
        )
        .join(provider, provider.id == call.terminating_provider_id)
        .where(call.campaign_id == campaign_id)
        .order_by(call.call_time, call.id)
    ).all()
    if not found:
        raise ValueError(f"campaign {campaign_id} has no calls with a terminating provider")
    rows = [
        {
            "call_id": f"{source}:{ref}",
            "called_number": called,
            "calling_number": calling,
            "call_time": when.isoformat(),
            "terminating_provider": key,
            "campaign": campaign_id,
        }
        for source, ref, called, calling, when, key in found
    ]
    return calls_of_rows(rows)


def submit(
    session: Session,
    calls: pa.Table,
    options: Options,
    principal: tuple[int | None, str],
    clock: Clock,
) -> models.BulkTraceback:
    """Store a submission of ``calls`` (checked) by ``principal`` (user id, actor) and send
    its first batches."""
    user_id, actor = principal
    bulk = models.BulkTraceback(
        created_by=user_id,
        actor=actor,
        campaign_id=options.campaign_id,
        answer_within_s=options.answer_within_s,
        tolerance_ms=options.tolerance_ms,
        max_hops=options.max_hops,
        status="running",
        calls=calls.num_rows,
        created_at=clock.now(),
    )
    session.add(bulk)
    session.flush()
    # The table, not the ORM class: the ORM's bulk insert starts a new statement wherever
    # the next row's None values differ (a call with a campaign after one without), which
    # on PostgreSQL cost a round trip every two rows (80 s for 10^5 calls, bench_bulk_trace).
    rows = list(_call_rows(bulk.id, calls, options))
    session.execute(insert(models.BulkCall.__table__), rows)
    dispatch(session, bulk, clock)
    return bulk


def _call_rows(bulk_id: int, calls: pa.Table, options: Options) -> Iterable[dict[str, Any]]:
    for row in calls.select(_STORED).to_pylist():
        provider = row["terminating_provider"]
        yield {
            **row,
            "bulk_id": bulk_id,
            "campaign": row["campaign"] or options.campaign_id,
            "calling_number": row["calling_number"] or "",
            "provider": provider,
            "hop": 0,
            "path": path_text((provider,)),
            "state": "waiting",
        }


_STORED = (
    "call_id",
    "campaign",
    "called_number",
    "calling_number",
    "t_ms",
    "terminating_provider",
)
