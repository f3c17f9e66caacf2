"""What a provider is known by, checked where it enters, and robotrace's own key.

Identifiers (docs/concepts.md, "Provider identity"):

- ``rmd``: an RMD number, ``RMD`` and 7 digits (``RMD0004008``);
- ``frn``: an FCC Registration Number, 10 digits (the RMD export drops leading zeros:
  ``1700905`` is ``0001700905``);
- ``ocn``: an Operating Company Number, which is also the STIR/SHAKEN Service Provider Code,
  4 characters of A–Z and 0–9 (SPCs of up to 8 are accepted);
- ``key``: robotrace's own, for URLs, files and the block list: the provider's first OCN
  when it came with one, else its first RMD number, else ``RT-`` and 6 characters. A key
  never changes; the key of a provider merged into another stays a name for the survivor.

Only ASCII letters and digits pass: a look-alike (a Cyrillic ``М`` in ``RМD…``) is refused.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from robotrace.providers.registry import Provider

RMD_NUMBER = re.compile(r"RMD[0-9]{7}")
FRN = re.compile(r"[0-9]{1,10}")
OCN = re.compile(r"[0-9A-Z]{3,8}")
KEY = re.compile(r"[0-9A-Z][0-9A-Z-]{1,31}")
GENERATED_KEY_PREFIX = "RT-"
_KEY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's: no I, L, O, U
KINDS = ("key", "rmd", "frn", "ocn", "name")


class IdentifierError(ValueError):
    """A value is not the identifier it claims to be."""


def _ascii_upper(text: str) -> str:
    return text.strip().upper() if text.isascii() else text.strip()


def clean_rmd_number(text: str) -> str:
    value = _ascii_upper(text)
    if not RMD_NUMBER.fullmatch(value):
        raise IdentifierError(f"{text[:40]!r} is not an RMD number (RMD and 7 digits)")
    return value


def clean_frn(text: str) -> str:
    value = text.strip()
    if not (value.isascii() and FRN.fullmatch(value)):
        raise IdentifierError(f"malformed FRN {text[:40]!r} (up to 10 digits)")
    return value.zfill(10)


def clean_ocn(text: str) -> str:
    value = _ascii_upper(text)
    if not OCN.fullmatch(value):
        raise IdentifierError(f"{text[:40]!r} is not an OCN (3 to 8 letters and digits)")
    return value


def clean_key(text: str) -> str:
    value = _ascii_upper(text)
    if not KEY.fullmatch(value):
        raise IdentifierError(
            f"{text[:40]!r} is not a provider key (2 to 32 letters, digits and hyphens)"
        )
    return value


CLEANERS = {"rmd": clean_rmd_number, "frn": clean_frn, "ocn": clean_ocn, "key": clean_key}


def clean(kind: str, text: str) -> str:
    """``text`` as an identifier of ``kind``; names are kept as given, trimmed."""
    if kind == "name":
        value = " ".join(text.split())
        if not value:
            raise IdentifierError("a name is empty")
        return value
    return CLEANERS[kind](text)


def readings_of(text: str) -> list[tuple[str, str]]:
    """Every ``(kind, value)`` that ``text`` could name, most specific first: a provider key,
    an OCN, an RMD number, an FRN. Empty when it can be none of them."""
    readings = []
    for kind in ("key", "ocn", "rmd", "frn"):
        try:
            readings.append((kind, CLEANERS[kind](text)))
        except IdentifierError:
            continue
    return readings


def default_key(provider: Provider) -> str:
    """The key a new provider gets from its identifiers: first OCN, else first RMD number;
    "" when it has neither (the store then makes one, :func:`new_key`)."""
    if provider.key:
        return provider.key
    if provider.ocns:
        return provider.ocns[0]
    return provider.rmd_numbers[0] if provider.rmd_numbers else ""


def new_key() -> str:
    """A fresh ``RT-XXXXXX`` key for a provider known by name alone; its shape is neither an
    OCN's nor an RMD number's, so it never takes one of theirs."""
    return GENERATED_KEY_PREFIX + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(6))
