"""The decision engine's data: a call attempt in, a decision with its reason out.

Every part of the blocking service (HTTP, SIP, batch screening) builds a :class:`CallAttempt`,
asks :func:`robotrace.blocking.decide.decide` against a :class:`LoadedBlocklist`, and answers
from the :class:`Decision`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property

from robotrace.blocking.plus603 import NO_REDRESS, Redress


class Verdict(StrEnum):
    ALLOW = "allow"
    BLOCK = "block"


class Reason(StrEnum):
    """Why: one code per rule (docs/blocking.md)."""

    ALLOWED = "allowed"
    PROVIDER_BLOCKED = "provider_blocked"  # an active block authorization on the upstream
    NO_DIRECT_TRAFFIC = "no_direct_traffic"  # upstream absent from / removed from the RMD
    NUMBER_BLOCKED = "number_blocked"  # calling number named in an authorization
    DO_NOT_ORIGINATE = "do_not_originate"  # calling number on the DNO list
    INVALID_NUMBER = "invalid_number"  # calling number cannot be assigned (NANP rules)
    SHAKEN_FAILED = "shaken_failed"  # the Identity header did not verify (policy: block)
    UNKNOWN_UPSTREAM = "unknown_upstream"  # the trunk maps to no provider (never blocks alone)
    EMERGENCY = "emergency_destination"  # 911, 933, N11, 988, sos: never blocked
    CRITICAL_CALLER = "critical_caller"  # from a PSAP or another listed critical number


@dataclass(frozen=True)
class CallAttempt:
    """One call offered to the downstream provider."""

    upstream: str  # key or OCN of the provider handing the call over (after the trunk table)
    calling: str
    called: str
    identity: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: Reason
    authorization_id: int | None = None
    #: Where a wrongly blocked caller asks for redress (the 603+ url, tel and email).
    redress: Redress = NO_REDRESS
    detail: str = ""
    flags: tuple[str, ...] = ()  # e.g. "shaken_failed" under a flag-only policy
    #: The FCC's order removing the upstream from the RMD, when that is why (no authorization).
    rmd_order: str | None = None
    #: The list entry's reason code (authorization, final_order, rmd_removed), its
    #: obligation (permissive: K4, the provider may block; mandatory: it must) and a final
    #: order's id; None for the operator's own rules.
    reason_code: str | None = None
    obligation: str | None = None
    order_id: int | None = None
    #: What the 603+ ``id`` names: the authorization's or order's reference (BA-000012,
    #: FDO-000007), the RMD removal order, or the operator's rule.
    reference: str | None = None

    @property
    def contact(self) -> str:
        """The redress ways as one line of text (the HTTP answer's ``contact``)."""
        return " ".join(v for v in (self.redress.url, self.redress.tel, self.redress.email) if v)


@dataclass(frozen=True)
class BlockEntry:
    """One block-list entry as published (enforcement.blocklist's JSON)."""

    kind: str  # "provider" or "number"
    scope: str
    provider: str  # robotrace's key of the provider
    name: str
    number: str | None
    authorization_id: int | None  # None for an RMD removal
    effective_at: datetime
    reason: str
    contact: str  # the blocked provider's contact e-mail, as the list publishes it
    ocns: tuple[str, ...] = ()
    reason_code: str = "authorization"  # or "final_order", "rmd_removed"
    rmd_order: str | None = None
    order_id: int | None = None  # a final order's id
    obligation: str = "permissive"  # or "mandatory"
    downstream: tuple[str, ...] = ()  # a final order's providers that must block
    reference: str | None = None  # BA-000012, FDO-000007: the 603+ id
    redress: Redress = NO_REDRESS  # the list's redress for this entry (may name no way)

    @property
    def names(self) -> tuple[str, ...]:
        """What a trunk table may call the provider: its key and each OCN."""
        return (self.provider, *(o for o in self.ocns if o != self.provider))


@dataclass(frozen=True)
class LoadedBlocklist:
    """A verified block-list version, indexed for O(1) decisions."""

    version: int
    etag: str
    providers: dict[str, BlockEntry] = field(default_factory=dict)  # key and OCNs → entry
    #: (the provider's key or one of its OCNs, the number's match key) → entry: a number is
    #: blocked only in the traffic of the provider its authorization names.
    numbers: dict[tuple[str, str], BlockEntry] = field(default_factory=dict)
    #: When the portal made this version (signed with it): how old the list is.
    generated_at: datetime | None = None
    #: SHA-256 of the exact body: one version number never names two bodies.
    digest: str = ""

    @cached_property
    def named(self) -> frozenset[str]:
        """Every provider name (key or OCN) an entry of either kind names: what a trunk
        group may resolve to (a provider with only number entries counts too)."""
        return frozenset(self.providers) | {name for name, _ in self.numbers}
