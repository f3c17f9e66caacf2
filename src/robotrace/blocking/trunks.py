"""The trunk table: which provider (OCN or key) hands a call over, from how it arrives.

A CSV file with the header ``source,tgrp,trunk_context,ocn`` and an optional ``trust_tgrp``
column. **The source address decides**: the most specific network (``source``, an IP or a
CIDR network) that contains the packet's source address is the trunk, and its row's ``ocn``
is the upstream. An RFC 4904 trunk group (``tgrp``, with an optional ``trunk-context``) in
the message is the sender's own word — anyone can write ``;tgrp=`` into a Request-URI — so it
is read only where that trunk allows it:

- a row with both ``source`` and ``tgrp`` says that network may carry that trunk group, and
  what it means (an ingress SBC that stamps tgrp per carrier);
- a source row with ``trust_tgrp`` 1 lets that network carry any trunk group that a row
  without a source names (and, with ``tgrp_is_ocn``, a tgrp that is itself a known OCN).

An address that no network contains has no upstream (the decision is flagged
``unknown_upstream``), whatever tgrp it wrote. A caller that gives no source address at all
(the blocker's own HTTP client, which could name the upstream outright) is taken at its word:
its tgrp is looked up in the rows without a source.
"""

from __future__ import annotations

import csv
import ipaddress
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Groups = Mapping[tuple[str, str], str]  # (tgrp, lower-case trunk-context or "") → OCN
_YES, _NO = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


@dataclass(frozen=True)
class Trunk:
    """One source network: the upstream it names and the trunk groups it may carry."""

    network: Network
    ocn: str = ""  # "": the network is an SBC that names no upstream of its own
    trust_tgrp: bool = False
    groups: Groups = field(default_factory=dict)


@dataclass(frozen=True)
class TrunkTable:
    groups: Groups = field(default_factory=dict)  # rows without a source
    trunks: tuple[Trunk, ...] = ()  # most specific network first
    tgrp_is_ocn: bool = False

    @cached_property  # the table never changes; asked on every call with a trusted tgrp
    def ocns(self) -> frozenset[str]:
        named = {*self.groups.values(), *(t.ocn for t in self.trunks)}
        named |= {ocn for t in self.trunks for ocn in t.groups.values()}
        return frozenset(named - {""})

    def trunk_of(self, source: str | None) -> Trunk | None:
        """The most specific network containing ``source``; None for none or no address."""
        address = _ip_address(source or "")
        if address is None:
            return None
        return next((t for t in self.trunks if address in t.network), None)

    def resolve(
        self,
        source: str | None = None,
        tgrp: str | None = None,
        context: str | None = None,
        known_ocns: Collection[str] = (),
    ) -> str | None:
        """The upstream OCN, or ``None`` when the table cannot tell."""
        group, ctx = (tgrp or "").strip(), (context or "").strip().lower()
        if not (source or "").strip():
            return self._by_group(group, ctx, known_ocns)
        trunk = self.trunk_of(source)
        if trunk is None:
            return None
        if group:
            found = _lookup(trunk.groups, group, ctx)
            if found is None and trunk.trust_tgrp:
                found = self._by_group(group, ctx, known_ocns)
            if found:
                return found
        return trunk.ocn or None

    def _by_group(self, group: str, ctx: str, known_ocns: Collection[str]) -> str | None:
        """What a trunk group means where it is believed: a row without a source, else (with
        ``tgrp_is_ocn``) a tgrp that is itself an OCN the table or the list knows."""
        if not group:
            return None
        found = _lookup(self.groups, group, ctx)
        upper = group.upper()
        if found is None and self.tgrp_is_ocn and (upper in self.ocns or upper in known_ocns):
            return upper
        return found


@lru_cache(maxsize=4096)  # a blocker hears from a few trunks' addresses, over and over
def _ip_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _lookup(groups: Groups, group: str, ctx: str) -> str | None:
    """With its trunk-context first, then in any context."""
    return groups.get((group, ctx)) or groups.get((group, ""))


@dataclass
class _Rows:
    """The table as rows are read: global groups, and per network its row and its groups."""

    groups: dict[tuple[str, str], str] = field(default_factory=dict)
    own: dict[Network, tuple[str, bool]] = field(default_factory=dict)  # network → (ocn, trust)
    scoped: dict[Network, dict[tuple[str, str], str]] = field(default_factory=dict)

    def add(self, line: int, row: Mapping[str, str | None]) -> None:
        ocn = (row.get("ocn") or "").strip().upper()
        source, tgrp = (row.get("source") or "").strip(), (row.get("tgrp") or "").strip()
        trust = _flag(row.get("trust_tgrp"), line)
        if not (source or tgrp):
            raise ValueError(f"line {line}: needs a source or a tgrp")
        if trust and (tgrp or not source):
            raise ValueError(f"line {line}: trust_tgrp belongs on a source row without a tgrp")
        if not ocn and not trust:
            raise ValueError(f"line {line}: needs an ocn (or trust_tgrp 1 on a source row)")
        key = (tgrp, (row.get("trunk_context") or "").strip().lower())
        if not source:
            self.groups[key] = ocn
            return
        network = _network(source, line)
        if tgrp:
            self.scoped.setdefault(network, {})[key] = ocn
        elif network in self.own:
            raise ValueError(f"line {line}: {source} has a row already")
        else:
            self.own[network] = (ocn, trust)

    def table(self, tgrp_is_ocn: bool) -> TrunkTable:
        trunks = [
            Trunk(net, *self.own.get(net, ("", False)), self.scoped.get(net, {}))
            for net in {*self.own, *self.scoped}
        ]
        # Most specific network first, so a /32 beats the /24 around it.
        trunks.sort(key=lambda t: (-t.network.prefixlen, t.network.version, t.network))
        return TrunkTable(self.groups, tuple(trunks), tgrp_is_ocn)


def parse_trunks(rows: Iterable[Mapping[str, str | None]], tgrp_is_ocn: bool = False) -> TrunkTable:
    """The table from CSV rows (line numbers in errors count the header as line 1)."""
    read = _Rows()
    for line, row in enumerate(rows, start=2):
        read.add(line, row)
    return read.table(tgrp_is_ocn)


def _flag(value: str | None, line: int) -> bool:
    text = (value or "").strip().lower()
    if text not in _YES | _NO:
        raise ValueError(f"line {line}: trust_tgrp must be 1 or 0, not {value!r}")
    return text in _YES


def _network(source: str, line: int) -> Network:
    try:
        return ipaddress.ip_network(source, strict=False)
    except ValueError:
        raise ValueError(f"line {line}: {source!r} is not an IP address or network") from None


def load_trunks(path: str | Path | None, tgrp_is_ocn: bool = False) -> TrunkTable:
    """The table in ``path``; an empty table when no path is set."""
    if not path:
        return TrunkTable(tgrp_is_ocn=tgrp_is_ocn)
    with open(path, newline="", encoding="utf-8") as file:
        return parse_trunks(csv.DictReader(file), tgrp_is_ocn)
