"""The decision engine: one call attempt, the loaded block list and a policy → a decision.

Rules, in order (docs/blocking.md): a call to an emergency destination
(``emergency_destination``) or from a critical caller (``critical_caller``) is allowed before
anything else → the upstream provider's entry (``provider_blocked``, ``no_direct_traffic``)
→ the calling number's entry for that upstream (``number_blocked``: a number entry covers
only the traffic of the provider its authorization names) → the Do-Not-Originate list
(``do_not_originate``) → a number that cannot be assigned (``invalid_number``) → the
optional STIR/SHAKEN hook (``shaken_failed``) → ``allowed``. An entry applies from its
``effective_at`` (inclusive) at the call's time, or now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from robotrace.blocking.emergency import is_emergency_destination
from robotrace.blocking.model import (
    BlockEntry,
    CallAttempt,
    Decision,
    LoadedBlocklist,
    Reason,
    Verdict,
)
from robotrace.blocking.plus603 import DEFAULT_LOCATION, NO_REDRESS, Redress
from robotrace.clock import Clock, SystemClock, as_utc
from robotrace.numbering.nanp import NanpRules, number_problem
from robotrace.numbers import match_key

#: Verifies a call's Identity header: True verified, False failed, None nothing to verify.
ShakenCheck = Callable[[CallAttempt], bool | None]

SCOPE_REASONS = {"provider": Reason.PROVIDER_BLOCKED, "no_direct_traffic": Reason.NO_DIRECT_TRAFFIC}


@dataclass(frozen=True)
class Policy:
    """What the operator decided beyond the published list."""

    do_not_originate: frozenset[str] = frozenset()  # match_key of each number
    nanp: NanpRules = field(default_factory=NanpRules)
    block_invalid: bool = True  # unassignable NANP numbers and garbage
    block_empty: bool = False  # no caller ID at all (anonymous is lawful)
    #: The operator's redress: for its own rules, and for entries whose list names none.
    redress: Redress = NO_REDRESS
    #: Where the blocker stands in the path (RFC 8606), for the 603+ ``location``.
    location: str = DEFAULT_LOCATION
    critical_callers: frozenset[str] = frozenset()  # match_key of PSAP and similar numbers
    shaken: ShakenCheck | None = None
    shaken_blocks: bool = False  # False: a failed verification only flags the decision
    clock: Clock = field(default_factory=SystemClock)


def _applies(entry: BlockEntry | None, at: datetime) -> bool:
    return entry is not None and as_utc(entry.effective_at) <= at


def _from_entry(reason: Reason, entry: BlockEntry, policy: Policy) -> Decision:
    return Decision(
        Verdict.BLOCK,
        reason,
        entry.authorization_id,
        entry.redress.or_else(policy.redress),
        detail=entry.reason,
        rmd_order=entry.rmd_order,
        reason_code=entry.reason_code,
        obligation=entry.obligation,
        order_id=entry.order_id,
        reference=entry.reference or entry.rmd_order,
    )


def _block(reason: Reason, policy: Policy, detail: str) -> Decision:
    return Decision(
        Verdict.BLOCK, reason, redress=policy.redress, detail=detail, reference=reason.value
    )


def protected_decision(call: CallAttempt, key: str, policy: Policy) -> Decision | None:
    """Calls no rule may block: to an emergency destination, or from a critical caller
    (47 CFR 64.1200(k)(5) and (6); :mod:`robotrace.blocking.emergency`). ``key`` is the
    calling number's match key."""
    if is_emergency_destination(call.called):
        return Decision(Verdict.ALLOW, Reason.EMERGENCY)
    if key in policy.critical_callers:
        return Decision(Verdict.ALLOW, Reason.CRITICAL_CALLER)
    return None


def list_decision(
    call: CallAttempt, key: str, blocklist: LoadedBlocklist, at: datetime, policy: Policy
) -> Decision | None:
    """The block list's own rules: the upstream provider, then the calling number in that
    upstream's traffic (a call with no known upstream matches no number entry)."""
    if not call.upstream:
        return None
    entry = blocklist.providers.get(call.upstream)
    if entry is not None and _applies(entry, at):
        reason = SCOPE_REASONS.get(entry.scope, Reason.PROVIDER_BLOCKED)
        return _from_entry(reason, entry, policy)
    entry = blocklist.numbers.get((call.upstream, key))
    if entry is not None and _applies(entry, at):
        return _from_entry(Reason.NUMBER_BLOCKED, entry, policy)
    return None


def number_decision(call: CallAttempt, key: str, policy: Policy) -> Decision | None:
    """The operator's number rules: the DNO list, then numbers that cannot be assigned."""
    if key in policy.do_not_originate:
        return _block(Reason.DO_NOT_ORIGINATE, policy, "calling number on the DNO list")
    kind, problem = number_problem(call.calling, policy.nanp)
    if kind == "empty" and policy.block_empty:
        return _block(Reason.INVALID_NUMBER, policy, "no calling number")
    if problem and policy.block_invalid:
        return _block(Reason.INVALID_NUMBER, policy, problem)
    return None


def shaken_decision(call: CallAttempt, policy: Policy) -> Decision | None:
    if policy.shaken is None or policy.shaken(call) is not False:
        return None
    if policy.shaken_blocks:
        return _block(Reason.SHAKEN_FAILED, policy, "Identity header did not verify")
    return Decision(Verdict.ALLOW, Reason.ALLOWED, flags=(Reason.SHAKEN_FAILED.value,))


def decide(call: CallAttempt, blocklist: LoadedBlocklist | None, policy: Policy) -> Decision:
    """The decision for one call; ``blocklist`` None (none loaded yet) applies only the
    operator's own rules. An empty ``upstream`` is flagged ``unknown_upstream``."""
    at = as_utc(call.at) if call.at else policy.clock.now()
    key = match_key(call.calling)  # parsed once: every number rule compares by it
    decision = (
        protected_decision(call, key, policy)
        or (list_decision(call, key, blocklist, at, policy) if blocklist else None)
        or number_decision(call, key, policy)
        or shaken_decision(call, policy)
        or Decision(Verdict.ALLOW, Reason.ALLOWED)
    )
    if not call.upstream:
        flags = (Reason.UNKNOWN_UPSTREAM.value, *decision.flags)
        decision = replace(decision, flags=flags)
    return decision


def load_numbers(lines: list[str]) -> frozenset[str]:
    """A number file's numbers (one per line; ``#`` comments) as match keys: the
    Do-Not-Originate list, the critical callers."""
    numbers = (line.split("#", 1)[0].strip() for line in lines)
    return frozenset(match_key(n) for n in numbers if n)
