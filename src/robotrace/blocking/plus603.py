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
and :func:`robotrace.redress.check_location`, so nothing a list or a setting holds can break
the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from robotrace.redress import check_email, check_tel, check_url

VERSION = "analytics1"
#: A terminating provider's network (the remote user's, seen from the caller): robotrace's
#: blocker stands there unless the operator says it is a transit network (``TN``).
DEFAULT_LOCATION = "RLN"

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


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
        """A redress whose every value fits ATIS-1000099; :class:`~robotrace.redress.InvalidRedress`
        otherwise."""
        return cls(check_url(url.strip()), check_tel(tel.strip()), check_email(email.strip()))

    def or_else(self, fallback: Redress) -> Redress:
        """This redress when it names any way; otherwise ``fallback``."""
        return self if self else fallback


#: No redress named (frozen, so one instance serves as every default).
NO_REDRESS = Redress()


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
