"""The number-block table: importing the NANP reports (robotrace.numbering.blocks) and
finding the carrier a number was assigned to.

An import replaces what the store holds from the same report for the states the file
covers: the national file replaces everything of its kind, one region's file only that
region's states. The same file twice changes nothing. The caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from robotrace import numbers
from robotrace.numbering.blocks import FORMATS, BlockFile, NumberBlock
from robotrace.providers.store import provider_by_identifier
from robotrace.store import models
from robotrace.store.db import chunks


@dataclass(frozen=True)
class BlockImport:
    format: str
    added: int
    updated: int
    removed: int
    unchanged: int
    not_assigned: int

    def as_dict(self) -> dict[str, object]:
        return {
            "format": self.format,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "not_assigned": self.not_assigned,
        }


@dataclass(frozen=True)
class NumberHolder(NumberBlock):
    """The block ``number`` falls in, so the carrier it was assigned to, and the provider
    robotrace knows by that OCN (None: the OCN is no registered provider's)."""

    number: str
    provider_key: str | None
    provider_name: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "block": self.prefix,
            "ocn": self.ocn,
            "company": self.company,
            "rate_center": self.rate_center,
            "state": self.state,
            "effective_on": self.effective_on.isoformat() if self.effective_on else None,
            "source": self.source,
            "provider": self.provider_key,
            "provider_name": self.provider_name,
        }


def import_blocks(session: Session, found: BlockFile, now: datetime) -> BlockImport:
    """Store ``found``'s blocks, in bulk (a national report has hundreds of thousands)."""
    table = models.NumberBlock.__table__
    held = {row.prefix: row for row in session.execute(select(*_held_columns(table)))}
    states = {block.state for block in found.blocks}
    new, changed, unchanged = [], [], 0
    for block in found.blocks:
        row = held.pop(block.prefix, None)
        values = _values(block, now)
        if row is None:
            new.append(values)
        elif _same(row, block):
            unchanged += 1
        else:
            changed.append({"id": row.id, **values})
    gone = [row.id for row in held.values() if row.source == found.format and row.state in states]
    for chunk in chunks(new):
        session.execute(table.insert(), chunk)
    if changed:
        session.execute(update(models.NumberBlock), changed)
    for ids in chunks(gone):
        session.execute(table.delete().where(table.c.id.in_(ids)))
    return BlockImport(
        found.format, len(new), len(changed), len(gone), unchanged, found.not_assigned
    )


def _held_columns(table: Any) -> list[Any]:
    return [table.c[name] for name in ("id", "prefix", *_COMPARED)]


_COMPARED = ("ocn", "company", "rate_center", "state", "effective_on", "source")


def _values(block: NumberBlock, now: datetime) -> dict[str, object]:
    return {
        "prefix": block.prefix,
        **{name: getattr(block, name) for name in _COMPARED},
        "imported_at": now,
    }


def _same(row: Any, block: NumberBlock) -> bool:
    return all(getattr(row, name) == getattr(block, name) for name in _COMPARED)


def nanp_digits(number: str) -> str | None:
    """The ten digits of a North American number (any spelling), or None."""
    e164 = numbers.try_normalize(number)
    if e164 is None or not e164.startswith("+1") or len(e164) != 12:
        return None
    return e164[2:]


def holder_of(session: Session, number: str) -> NumberHolder | None:
    """Who ``number``'s thousands block was assigned to, else its central office code's
    holder; None for a number that is no North American one or whose block is unknown.

    A ported number is served by another carrier than its block's holder: the public reports
    cannot tell, so the carrier asked may answer that the number is not its customer's."""
    digits = nanp_digits(number)
    if digits is None:
        return None
    rows = session.scalars(
        select(models.NumberBlock).where(models.NumberBlock.prefix.in_([digits[:7], digits[:6]]))
    ).all()
    if not rows:
        return None
    row = max(rows, key=lambda r: len(r.prefix))
    provider = provider_by_identifier(session, "ocn", row.ocn)
    return NumberHolder(
        number=f"+1{digits}",
        prefix=row.prefix,
        ocn=row.ocn,
        company=row.company,
        rate_center=row.rate_center,
        state=row.state,
        effective_on=row.effective_on,
        source=row.source,
        provider_key=provider.key if provider else None,
        provider_name=provider.business_name if provider else None,
    )


def block_count(session: Session) -> dict[str, int]:
    """Rows held per report."""
    counts = dict.fromkeys(FORMATS, 0)
    query = select(models.NumberBlock.source, func.count()).group_by(models.NumberBlock.source)
    for source, count in session.execute(query):
        counts[source] = count
    return counts
