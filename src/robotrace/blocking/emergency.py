"""Calls the blocker never blocks: emergency destinations and critical callers.

47 CFR 64.1200(k)(5): a provider may not block a voice call under its blocking rules if the
call is an emergency call placed to 911; 64.1200(k)(6): it must make all reasonable efforts
to ensure that calls from public safety answering points (PSAPs) and government emergency
numbers are not blocked. What the text left to us, decided here (docs/blocking.md):

- *Emergency destinations* are 911 and also 933 (the 911 address test line), the other N11
  codes (211 community services, 311 non-emergency government, 511 traffic, 611 repair, 711
  relay for deaf and hard-of-hearing callers, 811 call-before-you-dig), 988 (the Suicide and
  Crisis Lifeline) and the SIP emergency service URNs (``urn:service:sos`` and its
  sub-services, RFC 5031). They pass whatever list entry matches the caller: a robocaller
  gains nothing from calling 911, and a wrongly blocked emergency call costs a life.
- *Critical callers* are numbers the operator lists (PSAPs, government emergency numbers,
  a hospital's call-back lines): a call from one passes every rule.
"""

from __future__ import annotations

import re

#: Dialled short codes that are never blocked, as the called number's digits.
SHORT_CODES = frozenset({"911", "933", "988", "211", "311", "511", "611", "711", "811"})
_DIGITS = re.compile(r"[^0-9]")
#: RFC 5031 emergency service URNs: urn:service:sos and urn:service:sos.<sub-service>.
_SOS = re.compile(r"^urn:service:sos(\.[a-z0-9.-]+)?$", re.IGNORECASE)


def is_emergency_destination(called: str) -> bool:
    """True for a call to 911, 933, 988, another N11 code or an emergency service URN,
    however it is written (``911``, ``+1911``, ``1-911``, ``tel:911``, ``sos``)."""
    text = called.strip()
    if _SOS.match(text) or text.lower() in ("sos", "urn:service:sos"):
        return True
    digits = _DIGITS.sub("", text.removeprefix("tel:"))
    if digits.startswith("1") and len(digits) == 4:
        digits = digits[1:]  # +1 911: the country code in front of a short code
    return digits in SHORT_CODES


def emergency_destination_sql(column: str) -> str:
    """A DuckDB SQL expression that is true where :func:`is_emergency_destination` is, for
    the VARCHAR ``column`` (inserted verbatim)."""
    text = f"lower(trim(coalesce({column}, '')))"
    digits = f"regexp_replace(regexp_replace({text}, '[^0-9]', '', 'g'), '^1([0-9]{{3}})$', '\\1')"
    codes = ", ".join(f"'{code}'" for code in sorted(SHORT_CODES))
    sos = f"(regexp_matches({text}, '{_SOS.pattern}') OR {text} = 'sos')"
    return f"({sos} OR {digits} IN ({codes}))"
