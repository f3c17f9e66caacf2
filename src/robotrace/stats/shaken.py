"""STIR/SHAKEN accountability from the store: the verified calls and the traced signatures
of a period, the number-block table and the Do-Not-Originate list, per signer
(:mod:`robotrace.shaken.accountability`), and its CSV export (docs/statistics.md#stirshaken-
accountability).

Queries: the period's verified A/B calls, its tracebacks with a signer (three, as
:func:`robotrace.traceback.store.load_tracebacks` loads them) and their calls, the OCNs of
registered providers, the provider directory, and the number blocks of the calls' NPA-NXX
codes (one per 500 codes) with the area codes the blocks cover.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.blocking.decide import load_numbers
from robotrace.clock import as_utc, format_utc
from robotrace.csvcells import safe_row
from robotrace.numbering.store import nanp_digits
from robotrace.shaken.accountability import (
    REASONS,
    THIRD_PARTY_RULE,
    SignedCall,
    SignerRecord,
    TracedSignature,
    accountability,
)
from robotrace.store import models
from robotrace.store.db import chunks
from robotrace.traceback.findings import originating_provider_of, roles_of, signer_on_path
from robotrace.traceback.model import Answer, Outcome, ProviderInfo, Role, Traceback
from robotrace.traceback.store import load_tracebacks, provider_directory

#: The export's columns, one row per call that counts against a signer.
CSV_COLUMNS = (
    "spc",
    "provider",
    "call_id",
    "traceback_id",
    "call_time_utc",
    "caller_id",
    "attest",
    "origid",
    "originating_provider",
    "reasons",
    "why",
)


class DnoUnreadable(ValueError):
    """The Do-Not-Originate list named by a setting or option cannot be read."""


@dataclass(frozen=True)
class ShakenAccountability:
    """The per-signer records of calls made in ``[start, end)`` and what was checked."""

    start: datetime | None
    end: datetime | None
    signers: list[SignerRecord]
    dno_numbers: int  # 0: no list, so no DNO check
    blocks_held: bool  # False: the number-block table is empty, so no unassigned check

    def signer(self, spc: str) -> SignerRecord | None:
        return next((s for s in self.signers if s.spc == spc), None)

    def as_dict(self, with_evidence: bool = True) -> dict[str, Any]:
        return {
            "from": format_utc(self.start) if self.start else None,
            "to": format_utc(self.end) if self.end else None,
            "third_party_rule_effective": THIRD_PARTY_RULE.date().isoformat(),
            "checked": {"dno": self.dno_numbers > 0, "unassigned": self.blocks_held},
            "dno_numbers": self.dno_numbers,
            "reasons": list(REASONS),
            "signers": [s.as_dict(with_evidence) for s in self.signers],
        }


def dno_from(path: str | Path) -> frozenset[str]:
    """The Do-Not-Originate list at ``path`` (the ``blocker_dno_file`` setting, or a file
    given; empty: none) as match keys."""
    if not path:
        return frozenset()
    try:
        return load_numbers(Path(path).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError) as exc:
        raise DnoUnreadable(f"cannot read the Do-Not-Originate list {path}: {exc}") from None


def shaken_accountability(
    session: Session,
    start: datetime | None = None,
    end: datetime | None = None,
    dno: frozenset[str] = frozenset(),
) -> ShakenAccountability:
    """Per signer, the calls made in ``[start, end)`` that count against it."""
    calls = _signed_calls(session, start, end)
    traced = _traced_signatures(session, start, end)
    numbers = [c.calling_number for c in calls]
    assigned, held = _assigned_lookup(session, numbers)
    records = accountability(calls, traced, dno, assigned, _providers_by_spc(session))
    return ShakenAccountability(start, end, records, len(dno), held)


def _in_period(query: Any, column: Any, start: datetime | None, end: datetime | None) -> Any:
    if start is not None:
        query = query.where(column >= as_utc(start))
    if end is not None:
        query = query.where(column < as_utc(end))
    return query


def _signed_calls(
    session: Session, start: datetime | None, end: datetime | None
) -> list[SignedCall]:
    c = models.Call
    query = select(
        c.id, c.call_time, c.calling_number, c.shaken_attest, c.shaken_spc, c.shaken_origid
    ).where(c.shaken_valid.is_(True), c.shaken_spc.is_not(None), c.shaken_attest.in_(["A", "B"]))
    query = _in_period(query, c.call_time, start, end).order_by(c.call_time, c.id)
    return [SignedCall(*row) for row in session.execute(query)]


def _traced_signatures(
    session: Session, start: datetime | None, end: datetime | None
) -> list[TracedSignature]:
    t, c = models.Traceback, models.Call
    query = select(t.id, c.id, c.shaken_spc, c.shaken_origid).outerjoin(c, c.id == t.call_id)
    query = _in_period(query.where(t.signer_key.is_not(None)), t.call_time, start, end)
    calls = {
        tb_id: (call_id, spc, origid) for tb_id, call_id, spc, origid in session.execute(query)
    }
    if not calls:
        return []
    directory = provider_directory(session)
    ocns = _ocn_of_keys(session)
    found = []
    for tb in _load_chunked(session, list(calls)):
        if tb.signer is None:
            continue
        call_id, spc, origid = calls[tb.id]
        spc = spc or ocns.get(tb.signer.provider) or tb.signer.provider
        found.append(_traced(tb, directory, call_id, spc, origid or tb.signer.origid))
    return found


def _load_chunked(session: Session, ids: list[str]) -> Iterator[Traceback]:
    for chunk in chunks(ids):
        yield from load_tracebacks(session, list(chunk))


def _traced(
    tb: Traceback,
    directory: dict[str, ProviderInfo],
    call_id: int | None,
    spc: str,
    origid: str | None,
) -> TracedSignature:
    assert tb.signer is not None
    said_upstream = tb.signer.answer is Answer.UPSTREAM
    return TracedSignature(
        traceback_id=tb.id,
        call_time=tb.call.call_time,
        calling_number=tb.call.calling_number,
        attest=tb.signer.attest,
        spc=spc,
        signer=tb.signer.provider,
        originating=_originating(tb, directory),
        signer_on_path=signer_on_path(tb),
        signer_named_upstream=(tb.signer.upstream or "upstream") if said_upstream else None,
        call_id=call_id,
        origid=origid,
    )


def _originating(tb: Traceback, directory: dict[str, ProviderInfo]) -> str | None:
    """Who the traceback shows originated the call: its origin, or for a foreign origin the
    foreign provider the chain reached."""
    if tb.outcome is Outcome.FOREIGN_ORIGIN:
        foreign = [r.provider for r in roles_of(tb, directory) if Role.FOREIGN in r.roles]
        return foreign[-1] if foreign else None
    return originating_provider_of(tb)


def _ocn_rows(session: Session) -> list[tuple[str, str, str]]:
    query = (
        select(models.ProviderIdentifier.value, models.Provider.key, models.Provider.business_name)
        .join(models.Provider)
        .where(models.ProviderIdentifier.kind == "ocn")
        .order_by(models.ProviderIdentifier.id)
    )
    return [(ocn, key, name) for ocn, key, name in session.execute(query)]


def _providers_by_spc(session: Session) -> dict[str, tuple[str, str]]:
    return {ocn: (key, name) for ocn, key, name in _ocn_rows(session)}


def _ocn_of_keys(session: Session) -> dict[str, str]:
    found: dict[str, str] = {}
    for ocn, key, _ in _ocn_rows(session):
        found.setdefault(key, ocn)  # the first OCN a provider is known by
    return found


def _assigned_lookup(session: Session, numbers: Iterable[str]) -> tuple[Any, bool]:
    """``assigned(number)`` over the number-block table for these numbers, and whether the
    table holds any block. Block-level: a number in an assigned block may still be unused."""
    npas = set(session.scalars(select(func.substr(models.NumberBlock.prefix, 1, 3)).distinct()))
    digits = {d for d in (nanp_digits(n) for n in numbers) if d and d[:3] in npas}
    wanted = sorted({d[:6] for d in digits} | {d[:7] for d in digits})
    held: set[str] = set()
    for chunk in chunks(wanted):
        held |= set(
            session.scalars(
                select(models.NumberBlock.prefix).where(models.NumberBlock.prefix.in_(chunk))
            )
        )

    def assigned(number: str) -> bool | None:
        d = nanp_digits(number)
        if d is None or d[:3] not in npas:
            return None
        return d[:6] in held or d[:7] in held

    return assigned, bool(npas)


def write_evidence_csv(found: ShakenAccountability, out: TextIO, spc: str | None = None) -> int:
    """The calls that count against each signer (only ``spc``'s if given) as CSV, cells
    defused for spreadsheets; how many rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for signer in found.signers:
        if spc is not None and signer.spc != spc:
            continue
        for e in signer.evidence:
            row = e.as_dict()
            writer.writerow(
                safe_row(
                    [
                        signer.spc,
                        signer.provider or "",
                        e.call_id,
                        e.traceback_id,
                        row["call_time"],
                        e.calling_number,
                        e.attest,
                        e.origid,
                        e.originating,
                        " ".join(e.reasons),
                        row["why"],
                    ]
                )
            )
            count += 1
    return count


def export_name(spc: str | None, start: date | None, end: date | None) -> str:
    """The export's file name: ``robotrace-shaken-<SPC or all>[-<from>][-<to>].csv``."""
    parts = ["robotrace-shaken", spc or "all"]
    parts += [day.isoformat() for day in (start, end) if day]
    return "-".join(parts) + ".csv"
