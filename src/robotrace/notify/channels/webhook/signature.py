"""Webhook signatures: HMAC-SHA256 over ``"{timestamp}.{body}"`` with the webhook's secret.

Headers of every POST::

    X-Robotrace-Timestamp: 1588334400
    X-Robotrace-Signature: sha256=c5a9f37fe8d681ee7d4e53de24222bce6aa366ca30638e38082a6249d78f78fb

(that is the secret ``whsec_example`` signing the body ``{}``).

:func:`verify_signature` is the receiver's check, written to be copied: it rejects a
timestamp more than :data:`TOLERANCE_SECONDS` from the receiver's clock (a replay of an old
delivery) and a signature that does not match the body (tampering), comparing in constant
time. It needs only the standard library.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Robotrace-Signature`` value for ``body`` sent at ``timestamp`` (unix seconds)."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str, timestamp: str, body: bytes, signature: str, now: float | datetime
) -> bool:
    """True when ``body`` was signed with ``secret`` at ``timestamp``, within 300 s of ``now``.

    ``timestamp`` and ``signature`` are the header values as received; ``body`` the raw
    request body (bytes, before any JSON parsing); ``now`` the receiver's unix time.
    """
    if isinstance(now, datetime):
        now = now.timestamp()
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - sent_at) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, sent_at, body)
    return hmac.compare_digest(expected.encode(), signature.encode())
