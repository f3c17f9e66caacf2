"""The one telephone-number normaliser: anything a provider or consumer writes → E.164.

Built on ``phonenumbers``. Invalid or empty input raises :class:`InvalidNumber` with the
reason; nothing is guessed. Calling numbers are untrusted (spoofed, sometimes not numbers at
all), so :func:`match_key` gives a stable key for numbers that do not normalise.
"""

from __future__ import annotations

import re

import phonenumbers

_URI_SCHEME = re.compile(r"^(tel|sips?):", re.IGNORECASE)
_VISUAL_SEPARATORS = re.compile(r"[\s\-.()]")


class InvalidNumber(ValueError):
    """The input is not a valid telephone number; the message says why."""


def _strip_uri(raw: str) -> str:
    """Reduce a tel:/sip: URI to its number part (RFC 3966, RFC 3261 user part)."""
    text = raw.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if not _URI_SCHEME.match(text):
        return text
    text = _URI_SCHEME.sub("", text)
    text = text.split("@", 1)[0]
    return text.split(";", 1)[0]


def normalize(raw: str | None, region: str = "US") -> str:
    """Return ``raw`` in E.164 (``+12025550143``).

    ``region`` is the country hint (ISO 3166 alpha-2) for numbers written without ``+``.
    """
    if raw is None or not str(raw).strip():
        raise InvalidNumber("empty number")
    number_part = _strip_uri(str(raw))
    if not number_part:
        raise InvalidNumber(f"no number in {raw!r}")
    try:
        parsed = phonenumbers.parse(number_part, region.upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumber(f"{raw!r}: {exc}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(f"{raw!r} is not a valid number for its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_normalize(raw: str | None, region: str = "US") -> str | None:
    """:func:`normalize`, or ``None`` where the input is not a valid number."""
    try:
        return normalize(raw, region)
    except InvalidNumber:
        return None


def match_key(raw: str | None, region: str = "US") -> str:
    """A key for comparing untrusted numbers: E.164 when valid, else the bare digits.

    Two spellings of the same valid number give the same key; an invalid spoofed caller ID
    (``"0000"``, ``"anonymous"``) still gives a deterministic key instead of an error.
    """
    valid = try_normalize(raw, region)
    if valid is not None:
        return valid
    text = _VISUAL_SEPARATORS.sub("", _strip_uri(raw or ""))
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits or text.lower()
