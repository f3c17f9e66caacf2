"""A provider's trunk map: which upstream provider or own customer each ingress stands for.

A switch names where a call came in — a source address, a trunk, a trunk group, an account
code — never the company behind it: that mapping is the provider's own knowledge, kept in a
TOML file (docs/formats.md, "Trunk maps")::

    provider = "TERM"                 # whose records these are
    time_zone = "America/New_York"    # the zone of the local times the switch writes

    [[trunk]]
    source = "192.0.2.0/24"           # or "192.0.2.10:5060", "[2001:db8::1]:5060"
    upstream = "1234"                 # an OCN, RMD number, FRN or provider key

    [[trunk]]
    accountcode = "acme"
    customer = "Acme Dialer LLC"

Each entry has one match key and one answer; the first entry that matches a leg wins. The file
is checked where it enters: a bad entry is reported as ``file:line: reason`` and nothing is
used (:class:`~robotrace.rows.BadRowsError`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from robotrace.cdr.tomlfile import TomlLines, load_toml, parse_toml
from robotrace.providers.identity import IdentifierError, clean, readings_of
from robotrace.rows import BadRowsError, RowError

#: What an entry may match on, in the order an ingress label names them.
MATCH_KEYS = ("source", "trunk", "tgrp", "accountcode")
_ANSWER_KEYS = ("upstream", "customer")
_UPSTREAM_KINDS = ("ocn", "rmd", "frn", "name")
_TOP_KEYS = ("provider", "time_zone", "trunk")
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Upstream:
    """An upstream provider as the trunk map names it: by any of its identifiers."""

    ocn: str = ""
    rmd: str = ""
    frn: str = ""
    name: str = ""
    #: A bare identifier (``upstream = "1234"``): a key, OCN, RMD number or FRN.
    identifier: str = ""

    @property
    def label(self) -> str:
        """What a leg's ``from_provider`` holds: the first identifier given."""
        return self.identifier or self.ocn or self.rmd or self.frn or self.name

    def new_provider(self) -> dict[str, str]:
        """The portal's ``new_provider`` body naming this upstream (docs/api.md)."""
        body = {"name": self.name or f"provider {self.label}"}
        fields = {"ocn": "ocn", "rmd": "rmd_number", "frn": "frn"}
        for kind, body_key in fields.items():
            if getattr(self, kind):
                body[body_key] = getattr(self, kind)
        # A bare identifier is read as the agent reads one: its first reading only.
        guessed = [(k, v) for k, v in readings_of(self.identifier) if k in fields]
        if guessed and not any(k in body for k in fields.values()):
            body[fields[guessed[0][0]]] = guessed[0][1]
        return body


@dataclass(frozen=True)
class Entry:
    """One ``[[trunk]]``: what it matches, and the upstream or customer it stands for."""

    line: int
    kind: str  # one of MATCH_KEYS
    value: str  # as written (trimmed)
    upstream: Upstream | None = None
    customer: str = ""
    network: IpNetwork | None = None  # kind "source"
    port: int | None = None  # kind "source", when the entry names one


@dataclass(frozen=True)
class Ingress:
    """Where a leg came in, as its switch recorded it; ``""`` where it recorded nothing."""

    source: str = ""
    trunk: str = ""
    tgrp: str = ""
    accountcode: str = ""

    @property
    def label(self) -> str:
        """``source=192.0.2.7:5060 trunk=carrier-a``: what an unmapped leg keeps."""
        parts = [f"{k}={getattr(self, k)}" for k in MATCH_KEYS if getattr(self, k)]
        return " ".join(parts) or NO_INGRESS


#: The label of a leg whose switch recorded no ingress at all.
NO_INGRESS = "(no ingress recorded)"


@dataclass(frozen=True)
class TrunkMap:
    """A provider's trunk map; ``entries`` in file order."""

    entries: tuple[Entry, ...] = ()
    provider: str = ""
    time_zone: str = "UTC"
    path: str = ""
    upstreams: Mapping[str, Upstream] = field(default_factory=dict)

    def route(self, ingress: Ingress) -> tuple[Entry | None, str]:
        """The first entry that matches ``ingress``, and a problem with the ingress itself
        (an unreadable source address) — ``""`` when there is none."""
        address, port, problem = (
            parse_source(ingress.source) if ingress.source else (None, None, "")
        )
        for entry in self.entries:
            if matches(entry, ingress, address, port):
                return entry, problem
        return None, problem


def matches(entry: Entry, ingress: Ingress, address: IpAddress | None, port: int | None) -> bool:
    if entry.kind != "source":
        return bool(entry.value) and getattr(ingress, entry.kind) == entry.value
    if address is None or entry.network is None or address.version != entry.network.version:
        return False
    return address in entry.network and (entry.port is None or entry.port == port)


# --- source addresses -----------------------------------------------------------------------

_BRACKETED = re.compile(r"\[([^\]]+)\](?::([0-9]+))?")


def parse_source(text: str) -> tuple[IpAddress | None, int | None, str]:
    """``192.0.2.7``, ``192.0.2.7:5060``, ``2001:db8::1``, ``[2001:db8::1]:5060`` →
    address, port (or None), and ``""``; an unreadable one → None, None and the reason."""
    host, port_text = _split_port(text.strip())
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None, None, f"source {text[:60]!r} is not an IP address (optionally :port)"
    if port_text is None:
        return address, None, ""
    port = int(port_text) if port_text.isdigit() else -1
    if not 0 < port < 65536:
        return None, None, f"source {text[:60]!r} has no valid port (1-65535)"
    return address, port, ""


def _split_port(text: str) -> tuple[str, str | None]:
    bracketed = _BRACKETED.fullmatch(text)
    if bracketed:
        return bracketed.group(1), bracketed.group(2)
    if text.count(":") == 1:  # IPv4 with a port; bare IPv6 has several colons
        host, port = text.split(":")
        return host, port
    return text, None


def _source_entry(text: str) -> tuple[IpNetwork, int | None]:
    """An entry's ``source``: a network (CIDR, or an address = a /32 or /128), and a port."""
    host, port_text = _split_port(text.strip())
    network = ipaddress.ip_network(host, strict=True)  # ValueError: says what is wrong
    port = None
    if port_text is not None:
        port = int(port_text) if port_text.isdigit() else -1
        if not 0 < port < 65536:
            raise ValueError(f"port {port_text!r} is not 1-65535")
    return network, port


# --- reading the file -----------------------------------------------------------------------


def load_trunk_map(path: str | Path) -> TrunkMap:
    """Read and check a trunk map; raises :class:`BadRowsError` naming every problem."""
    data, lines = load_toml(path)
    return trunk_map_of(data, lines, str(path))


def parse_trunk_map(text: str, shown: str = "<trunk map>") -> TrunkMap:
    """A trunk map from its TOML ``text`` (``shown`` names it in messages)."""
    data, lines = parse_toml(text, shown)
    return trunk_map_of(data, lines, shown)


def trunk_map_of(data: dict[str, Any], lines: TomlLines, shown: str) -> TrunkMap:
    errors: list[RowError] = []
    top = _top_level(data, lines, shown, errors)
    raw_entries = data.get("trunk", [])
    if not isinstance(raw_entries, list) or not all(isinstance(e, dict) for e in raw_entries):
        errors.append(RowError(shown, lines.key("trunk"), "trunk must be [[trunk]] tables"))
        raw_entries = []
    headers = lines.headers("trunk")
    entries = []
    for n, raw in enumerate(raw_entries):
        line = headers[n] if len(headers) == len(raw_entries) else lines.key("trunk")
        entry = _entry(raw, line, lines, shown, errors)
        if entry is not None:
            entries.append(entry)
    errors += _duplicates(entries, shown)
    if errors:
        raise BadRowsError(sorted(errors, key=lambda e: e.line))
    upstreams = {e.upstream.label: e.upstream for e in entries if e.upstream is not None}
    return TrunkMap(tuple(entries), top["provider"], top["time_zone"], shown, upstreams)


def _top_level(
    data: dict[str, Any], lines: TomlLines, shown: str, errors: list[RowError]
) -> dict[str, str]:
    for key in data:
        if key not in _TOP_KEYS:
            errors.append(RowError(shown, lines.key(key), f"unknown setting {key!r}"))
    top = {"provider": "", "time_zone": "UTC"}
    provider = data.get("provider", "")
    if provider != "":
        try:
            top["provider"] = clean("key", str(provider))
        except IdentifierError as exc:
            errors.append(RowError(shown, lines.key("provider"), f"provider: {exc}"))
    zone = data.get("time_zone", "UTC")
    try:
        ZoneInfo(str(zone))
        top["time_zone"] = str(zone)
    except (ZoneInfoNotFoundError, ValueError):
        why = f"time_zone {str(zone)[:60]!r} is not an IANA time zone (e.g. America/New_York)"
        errors.append(RowError(shown, lines.key("time_zone"), why))
    return top


def _entry(
    raw: dict[str, Any], line: int, lines: TomlLines, shown: str, errors: list[RowError]
) -> Entry | None:
    problems = [f"unknown key {k!r}" for k in raw if k not in (*MATCH_KEYS, *_ANSWER_KEYS)]
    kinds = [k for k in MATCH_KEYS if k in raw]
    answers = [k for k in _ANSWER_KEYS if k in raw]
    if len(kinds) != 1:
        problems.append(f"needs exactly one of {', '.join(MATCH_KEYS)} (has {len(kinds)})")
    if len(answers) != 1:
        problems.append("needs exactly one of upstream or customer")
    if problems:
        errors.append(RowError(shown, line, "[[trunk]]: " + "; ".join(problems)))
        return None
    kind, answer = kinds[0], answers[0]
    try:
        value, network, port = _match(kind, raw[kind])
    except ValueError as exc:
        errors.append(RowError(shown, lines.key_in_table(line, kind), f"{kind}: {exc}"))
        return None
    try:
        if answer == "customer":
            return Entry(line, kind, value, None, _customer(raw[answer]), network, port)
        return Entry(line, kind, value, _upstream(raw[answer]), "", network, port)
    except ValueError as exc:
        errors.append(RowError(shown, lines.key_in_table(line, answer), f"{answer}: {exc}"))
        return None


def _match(kind: str, value: object) -> tuple[str, IpNetwork | None, int | None]:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    if kind != "source":
        return value.strip(), None, None
    network, port = _source_entry(value)
    return value.strip(), network, port


def _customer(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string (the customer's name)")
    return " ".join(value.split())


def _upstream(value: object) -> Upstream:
    """``upstream = "1234"`` or ``upstream = { ocn = "1234", name = "Carrier A" }``."""
    if isinstance(value, str):
        readings = readings_of(value)
        if not readings:
            raise ValueError(
                f"{value[:40]!r} is not an OCN, RMD number, FRN or provider key "
                '(name a provider by name: upstream = { name = "…" })'
            )
        return Upstream(identifier=readings[0][1])
    if not isinstance(value, dict) or not value:
        raise ValueError("must be an identifier or a table of ocn, rmd, frn, name")
    unknown = [k for k in value if k not in _UPSTREAM_KINDS]
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(map(repr, unknown))}")
    cleaned = {}
    for kind, text in value.items():
        try:
            cleaned[kind] = clean(kind, str(text))
        except IdentifierError as exc:
            raise ValueError(f"{kind}: {exc}") from None
    return Upstream(**cleaned)


def _duplicates(entries: Iterable[Entry], shown: str) -> list[RowError]:
    """An ingress mapped twice is a mistake: the second entry could never match."""
    seen: dict[tuple[str, str], int] = {}
    errors = []
    for entry in entries:
        key = (entry.kind, str(entry.network) + f":{entry.port}" if entry.network else entry.value)
        if key in seen:
            why = f"[[trunk]]: {entry.kind} {entry.value!r} is mapped already at line {seen[key]}"
            errors.append(RowError(shown, entry.line, why))
        else:
            seen[key] = entry.line
    return errors
