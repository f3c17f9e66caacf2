"""The values of a 603+ redress (ATIS-1000099) checked as text, before they go into a header.

A base module: the settings check the operator's redress values with it when they are read,
and :mod:`robotrace.blocking.plus603` when a signed list names them; neither may let through a
value that breaks the Reason header.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: RFC 8606's ISUP cause locations: user, private network serving the local user, public
#: network serving the local user, transit network, public network serving the remote user,
#: private network serving the remote user.
LOCATIONS = frozenset({"U", "LPN", "LN", "TN", "RLN", "RPN"})

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?")
#: What may not appear in a value: it would end the pair, the text or the header.
_BREAKS = re.compile(r'[";\\\s,<>]')


class InvalidRedress(ValueError):
    """A redress value that cannot go into a 603+ Reason header; the message says which."""


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
    """``location`` when it is one of RFC 8606's :data:`LOCATIONS`."""
    if location not in LOCATIONS:
        allowed = ", ".join(sorted(LOCATIONS))
        raise InvalidRedress(f"603+ location must be one of {allowed}, not {location!r:.20}")
    return location
