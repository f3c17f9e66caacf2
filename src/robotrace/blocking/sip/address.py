"""The parts of SIP addresses the server reads: URIs, user parts, tags, Via sent-by.

RFC 3261 §19.1 (SIP URIs), §20.10 (name-addr), §20.42 (Via); RFC 3966 (tel URIs);
RFC 4904 (``tgrp`` / ``trunk-context``, written as user parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote


@dataclass(frozen=True)
class UserPart:
    """The user of a URI (a telephone number, usually) and its parameters."""

    user: str
    params: dict[str, str]


@dataclass(frozen=True)
class SentBy:
    """The top Via's transport, sent-by host and port, and its parameters."""

    transport: str
    host: str
    port: int | None
    params: dict[str, str]


def split_values(value: str) -> list[str]:
    """Split a comma-separated header value, keeping commas inside quotes and <...>."""
    if "," not in value:  # one value: most headers, most of the time
        single = value.strip()
        return [single] if single else []
    values: list[str]
    current: list[str]
    values, current, quoted, bracketed = [], [], False, False
    for char in value:
        if char == '"':
            quoted = not quoted
        elif char in "<>" and not quoted:
            bracketed = char == "<"
        elif char == "," and not quoted and not bracketed:
            values.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    values.append("".join(current).strip())
    return [item for item in values if item]


def params_of(text: str) -> dict[str, str]:
    """``;a=1;b`` → {"a": "1", "b": ""}; names lower-cased."""
    params: dict[str, str] = {}
    if not text:
        return params
    for item in text.split(";"):
        name, _, value = item.partition("=")
        if name := name.strip():
            params[name.lower()] = value.strip()
    return params


def uri_of(address: str) -> str:
    """The URI of a name-addr (``"Bob" <sip:bob@host>;tag=1``) or an addr-spec."""
    start = address.find("<")
    if start >= 0:
        end = address.find(">", start)
        return address[start + 1 : end if end >= 0 else len(address)].strip()
    return address.split(";", 1)[0].strip()


def address_params(address: str) -> dict[str, str]:
    """The header parameters after the URI (``tag`` among them)."""
    end = address.rfind(">")
    rest = address[end + 1 :] if end >= 0 else address.partition(";")[2]
    return params_of(rest)


@lru_cache(maxsize=1024)  # read three times per INVITE; the same trunks' URIs recur
def user_part(uri: str) -> UserPart:
    """The user of a sip:/sips:/tel: URI with its user and URI parameters merged (shared
    between callers: read ``params``, never change it)."""
    scheme, _, rest = uri.partition(":")
    scheme = scheme.strip().lower()
    if scheme == "tel":
        number, _, params = rest.partition(";")
        return UserPart(unquote(number.strip()), params_of(params))
    if scheme not in ("sip", "sips") or "@" not in rest:
        return UserPart("", params_of(rest.partition(";")[2]))
    userinfo, _, hostpart = rest.rpartition("@")
    user, _, user_params = userinfo.partition(";")
    user = user.split(":", 1)[0]  # drop a password
    merged = params_of(hostpart.partition(";")[2].partition("?")[0])
    merged.update(params_of(user_params))
    return UserPart(unquote(user.strip()), merged)


@lru_cache(maxsize=64)  # the top Via is read three times per answer (stamp, tag, address)
def sent_by(via: str) -> SentBy | None:
    """Parse one Via value (``SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1``); shared between
    callers: read ``params``, never change it."""
    protocol, _, rest = via.strip().partition(" ")
    parts = protocol.split("/")
    hostport, _, params = rest.strip().partition(";")
    if len(parts) != 3 or not hostport.strip():
        return None
    host, port = _host_and_port(hostport.strip())
    if port == -1:
        return None
    return SentBy(parts[2].strip().upper(), host, port, params_of(params))


def _host_and_port(hostport: str) -> tuple[str, int | None]:
    """(host, port or None); port -1 when unreadable. IPv6 references keep no brackets."""
    if hostport.startswith("["):
        host, _, after = hostport[1:].partition("]")
        port_text = after[1:] if after.startswith(":") else ""
    else:
        host, _, port_text = hostport.partition(":")
    if not port_text:
        return host, None
    if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
        return host, -1
    return host, int(port_text)
