"""Random tokens and their stored hashes, and the secret key for signed links."""

from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets
from datetime import timedelta
from pathlib import Path

from robotrace.clock import Clock

KEY_FILE = "robotrace-secret.key"


def new_token(nbytes: int = 32) -> str:
    return _secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """Tokens are long and random, so a plain SHA-256 is the right stored form."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


#: "Last used" times are kept to the minute: writing them on every request would turn every
#: read into a write (and on SQLite, queue every reader behind the one write lock).
TOUCH_EVERY = timedelta(minutes=1)


def touch(row: object, attribute: str, clock: Clock) -> None:
    """Set ``row.<attribute>`` to now, unless it was set less than a minute ago."""
    now = clock.now()
    last = getattr(row, attribute)
    if last is None or now - last >= TOUCH_EVERY:
        setattr(row, attribute, now)


def signing_key(secret_key: str) -> str:
    """The key links and client addresses are signed with: ``secret_key`` (the setting), or
    when that is empty a key made once and kept in ``robotrace-secret.key``."""
    if secret_key:
        return secret_key
    path = Path(KEY_FILE)
    if not path.exists():
        path.write_text(new_token(48))
        path.chmod(0o600)
    return path.read_text().strip()
