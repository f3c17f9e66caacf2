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


#: A caller ID that says the number was withheld, as switches and consumers write it.
ANONYMOUS = "anonymous"
_WITHHELD = frozenset({"", "anonymous", "restricted", "private", "unavailable", "withheld"})


def caller_id(raw: str | None, region: str = "US") -> str:
    """A call's caller ID as a traceback records it: E.164 for a valid number — and for a
    *possible* one that no country assigns (spoofed caller IDs often are, and they are what
    is traced) — ``anonymous`` for a withheld one; anything else is :class:`InvalidNumber`."""
    text = _strip_uri(str(raw or "")).strip()
    if text.lower() in _WITHHELD:
        return ANONYMOUS
    return _possible_e164(text, "calling number", region)


def _possible_e164(text: str, which: str, region: str) -> str:
    valid = try_normalize(text, region)
    if valid is not None:
        return valid
    try:
        parsed = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        raise InvalidNumber(f"{which} {text[:40]!r} is not a telephone number") from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidNumber(f"{which} {text[:40]!r} cannot be a telephone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def traced_numbers(calling: str | None, called: str | None, region: str = "US") -> tuple[str, str]:
    """The calling and called numbers of a call to trace, as stored and shown to every
    provider: the caller ID by :func:`caller_id`; the called number in E.164, a valid or a
    possible number (test and honeypot lines may sit in unassigned blocks)."""
    text = _strip_uri(str(called or "")).strip()
    if not text:
        raise InvalidNumber("called number: empty")
    return caller_id(calling, region), _possible_e164(text, "called number", region)


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


# --- Bulk matching keys -------------------------------------------------------------------
#
# ``match_key`` parses with phonenumbers: right for one number, far too slow for 10^7 CDR
# rows, and not expressible in SQL. ``digits_key`` is the bulk twin: a pure text rule that
# ``digits_key_sql`` states again for DuckDB, so keys computed while importing call records
# equal keys computed in Python for a hop request. tests/test_numbers.py checks they agree.

_KEY_HOST_OR_PARAMS = r"[@;][\s\S]*$"
_KEY_INTERNATIONAL_PREFIX = r"^(?:011|00)"
_KEY_NANP_WITH_COUNTRY_CODE = r"^1([0-9]{10})$"
# Compiled once: digits_key runs per call in STIR/SHAKEN verification (orig/dest checks).
_KEY_HOST_OR_PARAMS_RE = re.compile(_KEY_HOST_OR_PARAMS)
_NOT_DIGIT_RE = re.compile(r"[^0-9]")
_KEY_INTERNATIONAL_PREFIX_RE = re.compile(_KEY_INTERNATIONAL_PREFIX)


def digits_key(raw: str | None) -> str:
    """The comparison key for bulk record matching: digits only, one spelling per number.

    1. Drop everything from the first ``@`` or ``;``: the host and parameters of a
       ``sip:``/``tel:`` URI (a scheme has no digits, so it needs no rule of its own).
    2. Keep the ASCII digits; drop a leading international prefix ``00`` or ``011``.
    3. 11 digits starting with ``1`` (NANP with its country code) → the 10 national digits.

    ``+12025550143``, ``12025550143``, ``2025550143``, ``1-202-555-0143``, ``(202) 555-0143``,
    ``tel:+1-202-555-0143``, ``sip:+12025550143@host;user=phone`` and ``0012025550143`` all
    give ``2025550143``; ``+4930123456`` gives ``4930123456``. Garbage gives its digits
    (``"123"``) or ``""`` (``"anonymous"``); nothing raises. Foreign numbers must carry their
    country code: a national spelling (``030 123456``) keeps its trunk ``0`` and matches
    nothing else.
    """
    text = raw or ""
    head = text.partition("@")[0].partition(";")[0]
    head = head[4:] if head[:4] in ("sip:", "tel:") else head
    bare = head[1:] if head[:1] == "+" else head
    if bare.isascii() and bare.isdigit():  # the common spellings skip the expressions
        digits = bare
    else:
        digits = _NOT_DIGIT_RE.sub("", _KEY_HOST_OR_PARAMS_RE.sub("", text))
    if digits[:1] == "0":  # 00 or 011, the international prefixes
        digits = _KEY_INTERNATIONAL_PREFIX_RE.sub("", digits)
    return digits[1:] if len(digits) == 11 and digits[0] == "1" else digits


def digits_key_sql(column: str) -> str:
    """A DuckDB SQL expression that evaluates to :func:`digits_key` of ``column``.

    ``column`` is inserted verbatim (a column name or any VARCHAR expression); NULL gives
    ``''`` like ``None`` does in Python.
    """
    text = f"coalesce(CAST({column} AS VARCHAR), '')"
    text = f"regexp_replace({text}, '{_KEY_HOST_OR_PARAMS}', '')"
    digits = f"regexp_replace({text}, '[^0-9]', '', 'g')"
    digits = f"regexp_replace({digits}, '{_KEY_INTERNATIONAL_PREFIX}', '')"
    return f"regexp_replace({digits}, '{_KEY_NANP_WITH_COUNTRY_CODE}', '\\1')"


def fast_digits_key_sql(raw: str) -> str:
    """:func:`robotrace.numbers.digits_key_sql` with fast paths for the common spellings
    (``+1NXXNXXXXXX``, ``1NXX…``, bare digits): a full match and a substring instead of four
    regular-expression replacements; anything else takes the exact expression."""
    text = f"coalesce(CAST({raw} AS VARCHAR), '')"
    plain = f"ltrim({text}, '+')"
    no_prefix = (
        f"CASE WHEN starts_with({plain}, '011') THEN substr({plain}, 4) "
        f"WHEN starts_with({plain}, '00') THEN substr({plain}, 3) ELSE {plain} END"
    )
    return (
        f"CASE WHEN regexp_full_match({text}, '\\+?1?[0-9]{{10}}') THEN right({text}, 10) "
        f"WHEN regexp_full_match({text}, '\\+?[0-9]*') THEN "
        f"regexp_replace({no_prefix}, '^1([0-9]{{10}})$', '\\1') "
        f"ELSE {digits_key_sql(raw)} END"
    )


# --- Spellings for people ---------------------------------------------------------------


def spellings(number: str | None) -> tuple[str, ...]:
    """The ways a provider's call records may write ``number`` (as a traceback stores it:
    E.164, or ``anonymous``), so it can search them: for a North American number E.164
    ``+17135551234``, 10-digit ``7135551234``, 1+10 ``17135551234``, ``(713) 555-1234`` and
    ``713-555-1234``; for another country's, E.164, its international and its national
    format. Text that is no number gives itself alone; nothing raises."""
    text = (number or "").strip()
    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return (text,) if text else ()
    if not phonenumbers.is_possible_number(parsed):
        return (text,)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    national = str(parsed.national_number)
    if parsed.country_code == 1 and len(national) == 10:
        area, exchange, line = national[:3], national[3:6], national[6:]
        dashed = f"{area}-{exchange}-{line}"
        return (e164, national, "1" + national, f"({area}) {exchange}-{line}", dashed)
    formats = (
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.NATIONAL,
    )
    found = [e164, *(phonenumbers.format_number(parsed, f) for f in formats)]
    return tuple(dict.fromkeys(found))
