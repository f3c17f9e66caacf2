"""The trunk table: which provider (OCN) hands a call over, from how it arrives.

A CSV file with the header ``source,tgrp,trunk_context,ocn``; each row maps either a source
address (an IP or a CIDR network, in ``source``) or an RFC 4904 trunk group (``tgrp``, with an
optional ``trunk-context``) to an OCN. Lookup order: ``tgrp`` with its context, ``tgrp`` in any
context, a ``tgrp`` that is itself a known OCN (when ``tgrp_is_ocn``), then the source address.
No match: the upstream is unknown (the decision is flagged ``unknown_upstream``).
"""

from __future__ import annotations

import csv
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrunkTable:
    groups: dict[tuple[str, str], str] = field(default_factory=dict)  # (tgrp, context) → OCN
    networks: tuple[tuple[Network, str], ...] = ()
    tgrp_is_ocn: bool = True

    @property
    def ocns(self) -> frozenset[str]:
        return frozenset(self.groups.values()) | {ocn for _, ocn in self.networks}

    def by_source(self, source: str | None) -> str | None:
        try:
            address = ipaddress.ip_address((source or "").strip())
        except ValueError:
            return None
        return next((ocn for net, ocn in self.networks if address in net), None)

    def resolve(
        self,
        source: str | None = None,
        tgrp: str | None = None,
        context: str | None = None,
        known_ocns: Iterable[str] = (),
    ) -> str | None:
        """The upstream OCN, or ``None`` when the table cannot tell."""
        group, ctx = (tgrp or "").strip(), (context or "").strip().lower()
        if group:
            found = self.groups.get((group, ctx)) or self.groups.get((group, ""))
            if found:
                return found
            if self.tgrp_is_ocn and group.upper() in self.ocns | set(known_ocns):
                return group.upper()
        return self.by_source(source)


def parse_trunks(rows: Iterable[dict[str, str]], tgrp_is_ocn: bool = True) -> TrunkTable:
    groups: dict[tuple[str, str], str] = {}
    networks: list[tuple[Network, str]] = []
    for line, row in enumerate(rows, start=2):
        ocn = (row.get("ocn") or "").strip().upper()
        source, tgrp = (row.get("source") or "").strip(), (row.get("tgrp") or "").strip()
        if not ocn or not (source or tgrp):
            raise ValueError(f"line {line}: needs ocn and a source or a tgrp")
        if tgrp:
            groups[(tgrp, (row.get("trunk_context") or "").strip().lower())] = ocn
        if source:
            networks.append((_network(source, line), ocn))
    # Most specific network first, so a /32 beats the /24 around it.
    networks.sort(key=lambda item: -item[0].prefixlen)
    return TrunkTable(groups, tuple(networks), tgrp_is_ocn)


def _network(source: str, line: int) -> Network:
    try:
        return ipaddress.ip_network(source, strict=False)
    except ValueError:
        raise ValueError(f"line {line}: {source!r} is not an IP address or network") from None


def load_trunks(path: str | Path | None, tgrp_is_ocn: bool = True) -> TrunkTable:
    """The table in ``path``; an empty table when no path is set."""
    if not path:
        return TrunkTable(tgrp_is_ocn=tgrp_is_ocn)
    with open(path, newline="", encoding="utf-8") as file:
        return parse_trunks(csv.DictReader(file), tgrp_is_ocn)
