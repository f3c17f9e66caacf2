"""The rule that follows from the Robocall Mitigation Database: a provider removed from it may
not hand calls directly to any US provider (47 CFR 64.6305; docs/concepts.md, "The RMD
rule"). A regulator enters the FCC's removal order; the signed block list then carries a
``no_direct_traffic`` entry with reason code ``rmd_removed`` from the removal date, without
any block authorization, and loses it when the provider is reinstated.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from robotrace.clock import Clock, as_utc
from robotrace.enforcement.errors import InvalidRequest
from robotrace.enforcement.publish import publish_blocklist
from robotrace.enforcement.records import provider_by_key
from robotrace.providers.rmd_store import reinstate_provider, remove_provider
from robotrace.settings import Settings
from robotrace.store import models

ORDER_REFERENCE_LIMIT = 200


def _reference(text: str, what: str) -> str:
    value = " ".join(text.split())
    if not value:
        raise InvalidRequest(f"{what} is required (e.g. DA 25-694)")
    if len(value) > ORDER_REFERENCE_LIMIT or any(not c.isprintable() or c in "<>" for c in value):
        raise InvalidRequest(
            f"{what} must be printable text of at most {ORDER_REFERENCE_LIMIT} characters"
        )
    return value


def record_removal(
    session: Session,
    provider: str,
    order_reference: str,
    removed_at: datetime | None,
    actor: str,
    clock: Clock,
    settings: Settings,
) -> models.RmdRemoval:
    """Enter the FCC's order removing ``provider`` (any identifier) from the RMD, effective
    ``removed_at`` (default: now), and publish the block list (signed as ``settings`` say)."""
    row = provider_by_key(session, provider)
    try:
        removal = remove_provider(
            session, row, _reference(order_reference, "the removal order"),
            as_utc(removed_at or clock.now()), actor, clock,
        )  # fmt: skip
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    publish_blocklist(session, clock, settings)
    return removal


def record_reinstatement(
    session: Session,
    provider: str,
    reference: str,
    reinstated_at: datetime | None,
    actor: str,
    clock: Clock,
    settings: Settings,
) -> models.RmdRemoval:
    """Enter ``provider``'s reinstatement in the RMD (default: now) and publish the list."""
    row = provider_by_key(session, provider)
    try:
        removal = reinstate_provider(
            session, row, _reference(reference, "the reinstatement's reference"),
            as_utc(reinstated_at or clock.now()), actor, clock,
        )  # fmt: skip
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    publish_blocklist(session, clock, settings)
    return removal
