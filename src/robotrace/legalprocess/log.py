"""The legal process log: the subpoenas, civil investigative demands (CIDs) and other
compulsory process an agency issued to a provider, as a regulator records them (the rules,
over the store; the caller owns the transaction).

The traceback consortium counts the subpoenas and CIDs it receives in its annual report
(docs/statistics.md#period-report cites them); here a regulator keeps the agencies' own log
of what they issued to providers, so that the period report counts it by kind and agency.
Each entry names: the day it was issued, the agency, the kind (``subpoena``, ``cid``,
``other``), the provider it is addressed to (looked up in the registry by key, OCN, RMD
number or FRN), the agency's reference, a note, and the tracebacks and campaigns it
concerns. Entries are edited and withdrawn (with why), never deleted; every write is in the
audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.clock import as_utc, format_utc
from robotrace.providers.store import resolve_provider
from robotrace.store import models
from robotrace.store.audit import append_audit
from robotrace.traceback.model import AuditEvent

KINDS = {"subpoena": "subpoena", "cid": "civil investigative demand", "other": "other"}
ISSUED, WITHDRAWN = "issued", "withdrawn"
MAX_TEXT = 200
MAX_NOTE = 2000
MAX_LINKS = 50
#: A traceback or campaign id as the store writes them (letters, digits, ``-``, ``_``, ``.``).
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")


class LegalProcessError(ValueError):
    """An entry the rules refuse; nothing was changed."""


@dataclass(frozen=True)
class Entry:
    """What a regulator types: every field as text, checked by :func:`checked_entry`."""

    issued_on: str
    agency: str
    kind: str
    provider: str
    reference: str = ""
    note: str = ""
    tracebacks: str = ""
    campaigns: str = ""


@dataclass(frozen=True)
class Checked:
    issued_on: date
    agency: str
    kind: str
    provider: models.Provider
    reference: str
    note: str
    traceback_ids: list[str]
    campaign_ids: list[str]


def checked_entry(session: Session, entry: Entry, today: date) -> Checked:
    """``entry`` read and checked against the rules and the store (the provider in the
    registry, each traceback and campaign known); :class:`LegalProcessError` saying what was
    wrong otherwise."""
    provider = resolve_provider(session, entry.provider.strip()[:MAX_TEXT])
    if provider is None:
        shown = entry.provider.strip()[:40] or "(none)"
        raise LegalProcessError(f"no provider in the registry is {shown!r}: key, OCN, RMD or FRN")
    return Checked(
        issued_on=_issued_on(entry.issued_on, today),
        agency=_text("agency", entry.agency, MAX_TEXT, required=True),
        kind=_kind(entry.kind),
        provider=provider,
        reference=_text("reference", entry.reference, MAX_TEXT),
        note=_text("note", entry.note, MAX_NOTE),
        traceback_ids=_known(session, "traceback", models.Traceback, entry.tracebacks),
        campaign_ids=_known(session, "campaign", models.Campaign, entry.campaigns),
    )


def _issued_on(text: str, today: date) -> date:
    try:
        if not _DAY.fullmatch(text.strip()):
            raise ValueError(text)
        day = date.fromisoformat(text.strip())
    except ValueError:
        shown = text[:20]
        raise LegalProcessError(f"issued on must be a day as YYYY-MM-DD, not {shown!r}") from None
    if day > today:
        raise LegalProcessError(f"issued on {day} is after today ({today})")
    if day.year < 1990:
        raise LegalProcessError(f"issued on {day} is before 1990")
    return day


def _kind(text: str) -> str:
    kind = text.strip().lower()
    if kind not in KINDS:
        raise LegalProcessError(f"kind must be one of {', '.join(KINDS)}, not {text[:20]!r}")
    return kind


def _text(what: str, value: str, longest: int, required: bool = False) -> str:
    """``value`` trimmed; a one-line field (``longest`` MAX_TEXT) with its spaces collapsed."""
    text = " ".join(value.split()) if longest == MAX_TEXT else value.strip()
    if required and not text:
        raise LegalProcessError(f"name the {what}")
    if len(text) > longest:
        raise LegalProcessError(f"{what} is longer than {longest} characters")
    if any(not c.isprintable() and c not in "\n\t\r" for c in text):
        raise LegalProcessError(f"{what} holds control characters")
    return text


def _known(session: Session, what: str, model: Any, text: str) -> list[str]:
    """The ids in ``text`` (separated by commas, spaces or lines), each one the store holds."""
    ids = list(dict.fromkeys(part for part in re.split(r"[\s,;]+", text.strip()) if part))
    if len(ids) > MAX_LINKS:
        raise LegalProcessError(f"at most {MAX_LINKS} {what}s, please")
    bad = [i for i in ids if not _ID.fullmatch(i)]
    if bad:
        raise LegalProcessError(f"{bad[0][:40]!r} is not a {what} id")
    found = set(session.scalars(select(model.id).where(model.id.in_(ids)))) if ids else set()
    missing = [i for i in ids if i not in found]
    if missing:
        raise LegalProcessError(f"no {what} {', '.join(missing[:5])}")
    return ids


# --- Writes -----------------------------------------------------------------------------------


def record(session: Session, entry: Entry, actor: str, now: datetime) -> models.LegalProcess:
    """Add ``entry`` to the log."""
    checked = checked_entry(session, entry, as_utc(now).date())
    row = models.LegalProcess(recorded_by=actor, recorded_at=now, updated_at=now)
    _fill(row, checked)
    session.add(row)
    session.flush()
    _audit(session, now, actor, "legal_process.recorded", row, {"entry": row.id, **_shown(row)})
    return row


def edit(
    session: Session, row: models.LegalProcess, entry: Entry, actor: str, now: datetime
) -> models.LegalProcess:
    """Correct an entry that stands; the audit log keeps what each changed field was."""
    if row.status == WITHDRAWN:
        raise LegalProcessError("this entry was withdrawn; record a new one")
    checked = checked_entry(session, entry, as_utc(now).date())
    before = _shown(row)
    _fill(row, checked)
    row.updated_at = now
    session.flush()
    after = _shown(row)
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    _audit(session, now, actor, "legal_process.edited", row, {"entry": row.id, "changed": changed})
    return row


def withdraw(
    session: Session, row: models.LegalProcess, reason: str, actor: str, now: datetime
) -> models.LegalProcess:
    """Withdraw an entry (recorded by mistake, or the agency withdrew the process): it stays
    in the log, marked, and counts nowhere."""
    if row.status == WITHDRAWN:
        raise LegalProcessError("this entry was withdrawn already")
    why = _text("reason", reason, MAX_NOTE, required=True)
    row.status, row.withdrawn_reason, row.updated_at = WITHDRAWN, why, now
    session.flush()
    _audit(session, now, actor, "legal_process.withdrawn", row, {"entry": row.id, "reason": why})
    return row


def _fill(row: models.LegalProcess, checked: Checked) -> None:
    row.issued_on = checked.issued_on
    row.agency = checked.agency
    row.kind = checked.kind
    row.provider_id = checked.provider.id
    row.reference = checked.reference
    row.note = checked.note
    row.traceback_ids = checked.traceback_ids
    row.campaign_ids = checked.campaign_ids


def _shown(row: models.LegalProcess) -> dict[str, Any]:
    return {
        "issued_on": row.issued_on.isoformat(),
        "agency": row.agency,
        "kind": row.kind,
        "provider_id": row.provider_id,
        "reference": row.reference,
        "note": row.note,
        "tracebacks": list(row.traceback_ids),
        "campaigns": list(row.campaign_ids),
    }


def _audit(
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    row: models.LegalProcess,
    details: dict[str, Any],
) -> None:
    provider = session.get(models.Provider, row.provider_id)
    key = provider.key if provider else None
    append_audit(session, [AuditEvent(at, actor, action, "", key, details)])


# --- Reads ------------------------------------------------------------------------------------


def entry_row(session: Session, entry_id: int) -> models.LegalProcess:
    row = session.get(models.LegalProcess, entry_id)
    if row is None:
        raise LookupError(f"no legal process entry {entry_id}")
    return row


def with_provider(
    session: Session, row: models.LegalProcess
) -> tuple[models.LegalProcess, models.Provider]:
    provider = session.get(models.Provider, row.provider_id)
    assert provider is not None  # a foreign key
    return row, provider


def entries(session: Session) -> list[tuple[models.LegalProcess, models.Provider]]:
    """Every entry with its provider: the latest issued first."""
    query = (
        select(models.LegalProcess, models.Provider)
        .join(models.Provider, models.LegalProcess.provider_id == models.Provider.id)
        .order_by(models.LegalProcess.issued_on.desc(), models.LegalProcess.id.desc())
    )
    return [(row, provider) for row, provider in session.execute(query)]


def agencies(session: Session) -> list[str]:
    """The agencies named so far, for the form's suggestions (one spelling each)."""
    return sorted(set(session.scalars(select(models.LegalProcess.agency))), key=str.casefold)


def as_json(row: models.LegalProcess, provider: models.Provider) -> dict[str, Any]:
    return {
        "id": row.id,
        "issued_on": row.issued_on.isoformat(),
        "agency": row.agency,
        "kind": row.kind,
        "provider": {"key": provider.key, "name": provider.business_name},
        "reference": row.reference,
        "note": row.note,
        "tracebacks": list(row.traceback_ids),
        "campaigns": list(row.campaign_ids),
        "status": row.status,
        "withdrawn_reason": row.withdrawn_reason or None,
        "recorded_by": row.recorded_by,
        "recorded_at": format_utc(row.recorded_at),
        "updated_at": format_utc(row.updated_at),
    }


@dataclass(frozen=True)
class IssuedCounts:
    """Entries standing (not withdrawn) issued in a period: how many, by kind, by agency."""

    total: int
    by_kind: dict[str, int]
    by_agency: list[tuple[str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_kind": dict(self.by_kind),
            "by_agency": [{"agency": a, "count": n} for a, n in self.by_agency],
        }


def issued_in(session: Session, start: date, end: date) -> IssuedCounts:
    """Entries issued on a day in ``[start, end)`` and not withdrawn: by kind (every kind
    listed) and by agency (most first, then by name; spellings differing only in case are
    one agency, shown as first recorded)."""
    table = models.LegalProcess
    rows = session.execute(
        select(table.kind, table.agency)
        .where(table.status == ISSUED, table.issued_on >= start, table.issued_on < end)
        .order_by(table.id)
    ).all()
    by_kind = {kind: sum(r.kind == kind for r in rows) for kind in KINDS}
    names: dict[str, str] = {}
    counts: dict[str, int] = {}
    for r in rows:
        folded = r.agency.casefold()
        names.setdefault(folded, r.agency)
        counts[folded] = counts.get(folded, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], names[item[0]].casefold()))
    return IssuedCounts(len(rows), by_kind, [(names[k], n) for k, n in ranked])
