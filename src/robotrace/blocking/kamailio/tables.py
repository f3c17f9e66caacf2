"""The verified block list, the policy and the trunk table as Kamailio's lookup tables.

Kamailio decides with string lookups only, so everything is computed here, in the rules'
own order (:mod:`robotrace.blocking.decide`):

``rtallow``
    Never blocked: ``to:<digits>`` for every emergency short code
    (:data:`robotrace.blocking.emergency.SHORT_CODES`) and ``from:<digits key>`` for every
    critical caller (``blocker_critical_callers_file``).
``rtblock``
    ``p:<name>`` for each provider entry, under every name a trunk may carry (its key and
    each OCN), and ``n:<name>:<digits key>`` for each number entry in the traffic of its
    provider; the value is the whole 603+ Reason header value
    (:func:`robotrace.blocking.plus603.reason_value`). Only entries in force at the export's
    time: :attr:`Tables.next_change` says when one that is not yet comes into force.
``rtwhy``
    The same keys → the counter a blocked call increments: ``reason|authorization|order``
    (:func:`count_key`), which :mod:`robotrace.blocking.kamailio.counts` reads back.
``rtgroups`` and ``rtaddress``
    The trunk table (:mod:`robotrace.blocking.trunks`): ``rtaddress`` is a ``permissions``
    address table whose tag names each source network's upstream (``*`` in front: a network
    trusted to stamp ``tgrp``); ``rtgroups`` maps ``g:<tgrp>|<trunk-context>`` to an upstream
    and, with ``blocker_tgrp_is_ocn``, lists ``o:<name>`` for each name a tgrp may be taken as.

Numbers compare by :func:`robotrace.numbers.digits_key`, the text rule the config repeats
(``robotrace screen`` uses it too), not by ``match_key``, which needs a phone-number library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from robotrace.blocking.decide import SCOPE_REASONS, Policy
from robotrace.blocking.emergency import SHORT_CODES
from robotrace.blocking.model import BlockEntry, LoadedBlocklist, Reason
from robotrace.blocking.plus603 import reason_value
from robotrace.blocking.trunks import TrunkTable
from robotrace.clock import as_utc
from robotrace.numbers import digits_key

#: What a trunk group may hold to be a key of its own: RFC 4904's token characters.
_TGRP = re.compile(r"[A-Za-z0-9._!~*'()%+-]{1,64}")


class UnsupportedTrunkTable(ValueError):
    """A trunk table Kamailio's tables cannot express; the message says which row."""


@dataclass(frozen=True)
class Address:
    """One ``rtaddress`` row: a source network and what its tag says."""

    network: str  # an IP address or network, e.g. 192.0.2.0/24
    prefixlen: int
    tag: str  # the upstream's name; "*" in front: the network may stamp tgrp


@dataclass(frozen=True)
class Tables:
    block: dict[str, str] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    allow: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    addresses: tuple[Address, ...] = ()
    #: The earliest ``effective_at`` still to come: the tables are stale from then on.
    next_change: datetime | None = None


def count_key(reason: str, authorization_id: int | None, order_id: int | None) -> str:
    """The counter of the calls blocked for one reason under one authorization and order."""
    return f"{reason}|{authorization_id or ''}|{order_id or ''}"


def parse_count_key(key: str) -> tuple[str, int | None, int | None]:
    """(reason, authorization id, order id) back from :func:`count_key`'s text."""
    parts = key.split("|")
    if len(parts) != 3 or not parts[0] or not all(p.isdigit() for p in parts[1:] if p):
        raise ValueError(f"not a robotrace count key: {key!r:.80}")
    reason, authorization, order = parts
    return reason, int(authorization) if authorization else None, int(order) if order else None


def block_rows(
    blocklist: LoadedBlocklist, policy: Policy, at: datetime
) -> tuple[dict[str, str], dict[str, str], datetime | None]:
    """(``rtblock``, ``rtwhy``, the next entry to come into force) at time ``at``."""
    block: dict[str, str] = {}
    why: dict[str, str] = {}
    pending: list[datetime] = []

    def add(key: str, reason: Reason, entry: BlockEntry) -> None:
        if as_utc(entry.effective_at) > at:
            pending.append(as_utc(entry.effective_at))
            return
        redress = entry.redress.or_else(policy.redress)
        block[key] = reason_value(redress, entry.reference or entry.rmd_order, policy.location)
        why[key] = count_key(reason.value, entry.authorization_id, entry.order_id)

    for name, entry in blocklist.providers.items():
        add(f"p:{name}", SCOPE_REASONS.get(entry.scope, Reason.PROVIDER_BLOCKED), entry)
    for (name, _), entry in blocklist.numbers.items():
        add(f"n:{name}:{digits_key(entry.number)}", Reason.NUMBER_BLOCKED, entry)
    return block, why, min(pending, default=None)


def allow_rows(policy: Policy) -> dict[str, str]:
    """``rtallow``: the emergency short codes and the critical callers."""
    rows = {f"to:{code}": "1" for code in sorted(SHORT_CODES)}
    rows |= {f"from:{digits_key(number)}": "1" for number in sorted(policy.critical_callers)}
    return rows


def trunk_rows(
    trunks: TrunkTable, known_names: frozenset[str]
) -> tuple[dict[str, str], tuple[Address, ...]]:
    """(``rtgroups``, ``rtaddress``) for ``trunks``; :class:`UnsupportedTrunkTable` for a
    network that may carry named trunk groups of its own (a row with both source and tgrp)."""
    groups: dict[str, str] = {}
    for (tgrp, context), ocn in trunks.groups.items():
        if not _TGRP.fullmatch(tgrp) or "|" in context:
            raise UnsupportedTrunkTable(f"trunk group {tgrp!r:.40} cannot be a Kamailio key")
        groups[f"g:{tgrp}|{context}"] = ocn
    if trunks.tgrp_is_ocn:
        groups |= {f"o:{name}": "1" for name in sorted(trunks.ocns | known_names)}
    addresses = []
    for trunk in trunks.trunks:  # most specific network first, as the table keeps them
        if trunk.groups:
            raise UnsupportedTrunkTable(
                f"{trunk.network}: a source row with its own tgrp rows is not supported in "
                "Kamailio; stamp one tgrp per carrier at the SBC and name it in a row "
                "without a source"
            )
        tag = ("*" if trunk.trust_tgrp else "") + trunk.ocn
        addresses.append(Address(str(trunk.network.network_address), trunk.network.prefixlen, tag))
    return groups, tuple(addresses)


def tables_for(
    blocklist: LoadedBlocklist, policy: Policy, trunks: TrunkTable, at: datetime
) -> Tables:
    """Every table, for the list in force at ``at``."""
    block, why, next_change = block_rows(blocklist, policy, as_utc(at))
    groups, addresses = trunk_rows(trunks, blocklist.named)
    return Tables(block, why, allow_rows(policy), groups, addresses, next_change)
