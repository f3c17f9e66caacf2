"""Where providers stand on the current published block list, read from the signed list
itself (the one providers download), not from the rows it was built from: what the list
says is what every downstream provider acts on.

Shared by the provider's page (robotrace.web.pages.providers) and "know your upstream"
(robotrace.enforcement.upstreams); moved here from the provider page so the API may use it
too (the parts never import the web layer).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from robotrace.clock import as_utc
from robotrace.enforcement.blocklist import FINAL_ORDER, RMD_REMOVED
from robotrace.enforcement.publish import latest_blocklist

RULE = "47 CFR 64.6305"


@dataclass(frozen=True)
class BlockReason:
    """Why the latest block list names the provider, in words: one authorization, final
    order or RMD removal (its entries for single numbers together)."""

    reason_code: str
    text: str
    authorization_id: int | None
    #: What a blocked caller quotes (BA-…, FDO-…, or the RMD removal order).
    reference: str = ""
    since: datetime | None = None
    order_id: int | None = None
    #: ``permissive`` (others may block) or ``mandatory`` (they must, or may not accept).
    obligation: str = ""
    numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class BlockListStanding:
    """The provider against the current published block list: its version and time (None:
    none published yet) and the reasons it names the provider (empty: it does not)."""

    version: int | None
    published_at: datetime | None
    reasons: list[BlockReason]


def _utc(value: datetime) -> str:
    # As the pages' ``utc`` filter writes a time (robotrace.web.templating.utc).
    return as_utc(value).strftime("%Y-%m-%d %H:%M:%S UTC")


def block_list_standings(db: Session, keys: Iterable[str]) -> dict[str, BlockListStanding]:
    """Where each of ``keys`` stands on the latest signed block list, reading it once."""
    wanted = set(keys)
    latest = latest_blocklist(db)
    if latest is None:
        return {key: BlockListStanding(None, None, []) for key in wanted}
    grouped: dict[str, dict[tuple[str, object], list[dict[str, Any]]]] = {k: {} for k in wanted}
    for entry in json.loads(latest.body).get("entries", []):
        if entry["provider"] in grouped:
            by_reason = grouped[entry["provider"]]
            by_reason.setdefault((entry["reason_code"], entry.get("reference")), []).append(entry)
    published = as_utc(latest.generated_at)
    return {
        key: BlockListStanding(
            latest.version, published, [_block_reason(g) for g in groups.values()]
        )
        for key, groups in grouped.items()
    }


def block_list_standing(db: Session, key: str) -> BlockListStanding:
    """Where ``key`` stands on the latest signed block list (the one providers download)."""
    return block_list_standings(db, [key])[key]


def _block_reason(entries: list[dict[str, Any]]) -> BlockReason:
    entry = entries[0]
    since = as_utc(datetime.fromisoformat(entry["effective_at"]))
    numbers = tuple(e["number"] for e in entries if e.get("number"))
    if entry["reason_code"] == RMD_REMOVED:
        text = (
            f"Removed from the RMD by order {entry['rmd_order']} (effective {_utc(since)}): "
            f"no provider may accept its calls directly, {RULE}."
        )
    elif entry["reason_code"] == FINAL_ORDER:
        text = (
            f"Final Determination Order (effective {_utc(since)}): the providers immediately "
            f"downstream of it must block all its traffic, 47 CFR 64.1200(n). {entry['reason']}"
        )
    else:
        what = f"numbers {', '.join(numbers)}" if numbers else entry["scope"].replace("_", " ")
        text = f"Block authorization ({what}, effective {_utc(since)}): {entry['reason']}"
    return BlockReason(
        entry["reason_code"],
        text.strip(),
        entry.get("authorization_id"),
        entry.get("reference") or "",
        since,
        entry.get("order_id"),
        entry.get("obligation", ""),
        numbers,
    )
