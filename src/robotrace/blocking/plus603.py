"""SIP 603+ (ATIS-1000099): how a blocked call is answered, to the letter.

A 603+ differs from a plain 603 in two ways (ATIS-1000099, adopted by the FCC for
analytics-based blocking in FCC 25-15, 47 CFR 64.1200(k)(9)):

1. the status line's reason phrase is ``Network Blocked`` (not RFC 3261's ``Decline``);
2. it carries a Reason header (RFC 3326) whose ``text`` is a list of attribute-value pairs:
   ``v=analytics1`` first, then at least one redress method — ``url`` (an HTTPS URL), ``tel``
   (a global E.164 number), ``email`` — and optionally ``id`` (letters, digits, ``_`` and
   ``-``, at most 64), the blocker's identifier for the redress request; and a
   ``location`` parameter (RFC 8606) saying where in the path the call was blocked.

Example: ``SIP;cause=603;text="v=analytics1;url=https://redress.example/;id=BA-000012";location=RLN``

Every value is checked where it enters (settings, the signed list) with :meth:`Redress.checked`
and :func:`check_location`, so nothing a list or a setting holds can break the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

PHRASE = "Network Blocked"
VERSION = "analytics1"
#: RFC 8606's ISUP cause locations: user, private network serving the local user, public
#: network serving the local user, transit network, public network serving the remote user,
#: private network serving the remote user.
LOCATIONS = frozenset({"U", "LPN", "LN", "TN", "RLN", "RPN"})
#: A terminating provider's network (the remote user's, seen from the caller): robotrace's
#: blocker stands there unless the operator says it is a transit network (``TN``).
DEFAULT_LOCATION = "RLN"

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?")
#: What may not appear in a value: it would end the pair, the text or the header.
_BREAKS = re.compile(r'[";\\\s,<>]')


class InvalidRedress(ValueError):
    """A redress value that cannot go into a 603+ Reason header; the message says which."""


@dataclass(frozen=True)
class Redress:
    """Where a caller whose call was blocked asks for redress: one or more of three ways."""

    url: str = ""
    tel: str = ""
    email: str = ""

    def __bool__(self) -> bool:
        return bool(self.url or self.tel or self.email)

    @classmethod
    def checked(cls, url: str = "", tel: str = "", email: str = "") -> Redress:
        """A redress whose every value fits ATIS-1000099; :class:`InvalidRedress` otherwise."""
        return cls(check_url(url.strip()), check_tel(tel.strip()), check_email(email.strip()))

    def or_else(self, fallback: Redress) -> Redress:
        """This redress when it names any way; otherwise ``fallback``."""
        return self if self else fallback


#: No redress named (frozen, so one instance serves as every default).
NO_REDRESS = Redress()


def check_url(url: str) -> str:
    """``url`` when empty or an HTTPS URL with a host and nothing that breaks the header."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme != "https" or not _HOST.fullmatch(parts.netloc or ""):
        raise InvalidRedress(f"redress url must be an https:// URL with a host, not {url!r:.80}")
    if _BREAKS.search(url) or not url.isascii():
        raise InvalidRedress(
            f"redress url has a character a Reason header cannot carry: {url!r:.80}"
        )
    return url


def check_url_template(template: str) -> str:
    """A redress URL in which ``{reference}`` stands for an entry's reference."""
    check_url(template.replace("{reference}", "BA-000001"))
    return template


def check_tel(tel: str) -> str:
    """``tel`` when empty or a global E.164 number (``+`` and 7 to 15 digits)."""
    if tel and not _E164.fullmatch(tel):
        raise InvalidRedress(
            f"redress tel must be a global E.164 number like +12025550100, not {tel!r:.40}"
        )
    return tel


def check_email(email: str) -> str:
    """``email`` when empty or a plain ``local@domain`` address."""
    if email and not _EMAIL.fullmatch(email):
        raise InvalidRedress(
            f"redress email must be a plain address like desk@example.com, not {email!r:.80}"
        )
    return email


def check_location(location: str) -> str:
    if location not in LOCATIONS:
        allowed = ", ".join(sorted(LOCATIONS))
        raise InvalidRedress(f"603+ location must be one of {allowed}, not {location!r:.20}")
    return location


def redress_id(reference: str | None) -> str | None:
    """``reference`` as an ``id`` value (letters, digits, ``_``, ``-``; at most 64), other
    characters replaced by ``-``; None when nothing is left."""
    if not reference:
        return None
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", reference).strip("-")[:64]
    return cleaned if _ID.fullmatch(cleaned) else None


@lru_cache(maxsize=4096)  # one per list entry and rule: the same few values, call after call
def reason_value(redress: Redress, reference: str | None, location: str = DEFAULT_LOCATION) -> str:
    """The Reason header value of a 603+ (the values already checked where they entered)."""
    pairs = [f"v={VERSION}"]
    pairs += [f"{name}={value}" for name, value in _ways(redress)]
    if ident := redress_id(reference):
        pairs.append(f"id={ident}")
    return f'SIP;cause=603;text="{";".join(pairs)}";location={location}'


def _ways(redress: Redress) -> list[tuple[str, str]]:
    return [
        (n, v)
        for n, v in (("url", redress.url), ("tel", redress.tel), ("email", redress.email))
        if v
    ]
