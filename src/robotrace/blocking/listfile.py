"""A published block list, checked and loaded: signature first, then the JSON.

The signature (``X-Robotrace-Signature: ed25519=<base64>``) is checked on the exact bytes
before they are parsed; anything wrong raises :class:`BlocklistRejected`, and the caller keeps
the list it had.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from robotrace.blocking.model import BlockEntry, LoadedBlocklist
from robotrace.blocking.plus603 import Redress
from robotrace.clock import parse_utc
from robotrace.numbers import match_key
from robotrace.providers.identity import clean_key, clean_ocn
from robotrace.redress import InvalidRedress

SIGNATURE_HEADER = "X-Robotrace-Signature"
_FIELDS = ("kind", "scope", "provider", "name", "authorization_id", "effective_at", "reason")
#: When two entries name one provider, the wider block wins.
_SCOPE_RANK = {"provider": 0, "no_direct_traffic": 1}


class BlocklistRejected(ValueError):
    """The body or its signature is not acceptable; the message says why."""


def public_key_from_pem(pem: bytes) -> Ed25519PublicKey:
    try:
        key = load_pem_public_key(pem)
    except ValueError as exc:
        raise BlocklistRejected(f"not a PEM public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise BlocklistRejected("the public key is not an Ed25519 key")
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    return public_key_from_pem(Path(path).read_bytes())


def verify(body: bytes, signature: str | None, key: Ed25519PublicKey) -> None:
    """Raise :class:`BlocklistRejected` unless ``signature`` signs exactly ``body``."""
    if not signature or not signature.strip().startswith("ed25519="):
        raise BlocklistRejected("no ed25519 signature")
    encoded = signature.strip().removeprefix("ed25519=")
    try:
        key.verify(base64.b64decode(encoded, validate=True), body)
    except (InvalidSignature, binascii.Error, ValueError):
        raise BlocklistRejected("the signature does not match the body") from None


def _entry(raw: Any) -> BlockEntry:
    if not isinstance(raw, dict) or any(f not in raw for f in _FIELDS):
        raise BlocklistRejected(f"malformed entry: {raw!r:.200}")
    try:
        authorization = raw["authorization_id"]
        return BlockEntry(
            kind=str(raw["kind"]),
            scope=str(raw["scope"]),
            provider=clean_key(_text(raw["provider"], "provider")),
            name=str(raw["name"]),
            number=None if raw.get("number") is None else str(raw["number"]),
            authorization_id=None if authorization is None else int(authorization),
            effective_at=parse_utc(str(raw["effective_at"])),
            reason=str(raw["reason"]),
            contact=str(raw.get("contact") or ""),
            ocns=tuple(clean_ocn(str(o)) for o in _list(raw.get("ocns"))),
            reason_code=_choice(raw.get("reason_code") or "authorization", _REASON_CODES),
            rmd_order=None if raw.get("rmd_order") is None else str(raw["rmd_order"]),
            order_id=None if raw.get("order_id") is None else int(raw["order_id"]),
            obligation=_choice(raw.get("obligation") or "permissive", _OBLIGATIONS),
            downstream=tuple(clean_key(str(k)) for k in _list(raw.get("downstream"))),
            reference=None if raw.get("reference") is None else str(raw["reference"]),
            redress=_redress(raw.get("redress")),
        )
    except (TypeError, ValueError) as exc:
        raise BlocklistRejected(f"malformed entry: {exc}") from None


def _text(value: Any, name: str) -> str:
    """A field that must be a string (``null`` is not the provider ``NONE``)."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, not {value!r:.40}")
    return value


def _redress(raw: Any) -> Redress:
    """An entry's redress ways, each checked as a 603+ value (a list whose redress could
    break the Reason header is rejected whole, like any other malformed entry)."""
    if raw is None:
        return Redress()
    if not isinstance(raw, dict):
        raise ValueError(f"redress must be an object, not {raw!r:.60}")
    try:
        return Redress.checked(**{k: str(raw.get(k) or "") for k in ("url", "tel", "email")})
    except InvalidRedress as exc:
        raise ValueError(str(exc)) from None


_REASON_CODES = frozenset({"authorization", "final_order", "rmd_removed"})
_OBLIGATIONS = frozenset({"permissive", "mandatory"})


def _choice(value: Any, allowed: frozenset[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{value!r:.40} is not one of {', '.join(sorted(allowed))}")
    return value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"ocns must be a list, not {value!r:.60}")
    return value


def _document(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BlocklistRejected(f"not JSON: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise BlocklistRejected("no entries list")
    if not isinstance(document.get("version"), int):
        raise BlocklistRejected("no integer version")
    return document


def _generated_at(document: dict[str, Any]) -> datetime | None:
    """The signed ``generated_at``; None when the body has none (a hand-saved list)."""
    raw = document.get("generated_at")
    if raw is None:
        return None
    try:
        return parse_utc(str(raw))
    except ValueError as exc:
        raise BlocklistRejected(f"bad generated_at: {exc}") from None


def _rank(entry: BlockEntry) -> tuple[int, Any, int]:
    return (_SCOPE_RANK.get(entry.scope, 2), entry.effective_at, entry.authorization_id or 0)


def parse(body: bytes, etag: str = "") -> LoadedBlocklist:
    """The JSON body of ``/api/v1/blocklist`` indexed by provider (its key and each of its
    OCNs, so a trunk table may name it by either) and by (provider name, number match key):
    a number entry blocks the number only in its provider's traffic."""
    document = _document(body)
    digest = hashlib.sha256(body).hexdigest()
    loaded = LoadedBlocklist(
        document["version"],
        etag or f'"{digest}"',
        generated_at=_generated_at(document),
        digest=digest,
    )
    for entry in sorted(map(_entry, document["entries"]), key=_rank, reverse=True):
        # Reverse order: the best-ranked entry for a key is written last and stays.
        if entry.kind == "number":
            if not entry.number:
                raise BlocklistRejected(f"number entry without a number: {entry.reference}")
            for name in entry.names:
                loaded.numbers[(name, match_key(entry.number))] = entry
        elif entry.kind == "provider":
            for name in entry.names:
                loaded.providers[name] = entry
    return loaded


def load_verified(
    body: bytes, signature: str | None, key: Ed25519PublicKey, etag: str = ""
) -> LoadedBlocklist:
    verify(body, signature, key)
    return parse(body, etag)
