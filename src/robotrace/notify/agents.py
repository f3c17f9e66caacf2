"""Telling a provider's connected agents that a request exists (push to agents).

``announce`` is called by whatever creates a request for a provider (a hop request, a
direct request to a call's signer, a batch request), inside the transaction that creates
it. The agents connected to any server worker hear of it once that transaction commits,
and never of a request whose transaction rolled back:

- on PostgreSQL, ``announce`` issues ``NOTIFY robotrace_agents`` in the transaction (the
  server delivers it on commit, to every worker's ``LISTEN`` — :mod:`robotrace.notify.listen`);
- on SQLite (one server process), it remembers the announcement on the session, and the
  session's ``after_commit`` hands it to this process's listeners (:func:`listen_locally`).

An announcement is a hint, ``{provider, kind, id}``: the agent then asks the API what is
open, so a lost hint costs only time (the agent's ``--interval`` catch-up finds it). That
is why ``announce`` never breaks the transaction that calls it: a failure is logged.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: The PostgreSQL channel every server worker listens on.
CHANNEL = "robotrace_agents"
#: The kinds of request an agent answers.
KINDS = ("hop", "signer", "batch")
#: A provider key longer than this is no key of ours (and would bloat the payload).
LONGEST_KEY = 64
_PENDING = "robotrace.agents.pending"  # Session.info key: announcements awaiting commit


@dataclass(frozen=True)
class Announcement:
    """A request of ``kind`` with id ``id`` exists for provider ``provider``. ``schema``
    (PostgreSQL only) tells deployments sharing one database apart."""

    provider: str
    kind: str
    id: int
    schema: str = ""

    @classmethod
    def from_json(cls, payload: str) -> Announcement:
        """The announcement in ``payload``; ValueError when it is not one."""
        try:
            data = json.loads(payload)
            found = cls(str(data["provider"]), str(data["kind"]), int(data["id"]))
            return cls(found.provider, found.kind, found.id, str(data.get("schema") or ""))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"not an announcement: {payload[:200]!r}") from exc


def announce(session: Session, provider_key: str, kind: str, ref_id: int) -> None:
    """Tell ``provider_key``'s connected agents that request ``ref_id`` of ``kind``
    (``hop``, ``signer`` or ``batch``) exists, once ``session``'s transaction commits.

    Never raises: a hint that cannot be sent is logged, and the agents' catch-up finds
    the request anyway."""
    try:
        item = _checked(provider_key, kind, ref_id)
        if session.get_bind().dialect.name == "postgresql":
            _notify(session, item)
        else:
            session.info.setdefault(_PENDING, []).append(item)
    except Exception:  # a hint must never cost the request it announces
        what = (kind, ref_id, provider_key)
        log.warning("could not announce %s %s to %s's agents", *what, exc_info=True)


def _checked(provider_key: str, kind: str, ref_id: int) -> Announcement:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not provider_key or len(provider_key) > LONGEST_KEY:
        raise ValueError(f"not a provider key: {provider_key[:80]!r}")
    return Announcement(provider_key, kind, int(ref_id))


def _notify(session: Session, item: Announcement) -> None:
    """``NOTIFY`` in a savepoint: should it fail, only the savepoint is rolled back and the
    caller's transaction goes on (PostgreSQL aborts a whole transaction on any error)."""
    payload = text(
        "SELECT pg_notify(:channel, json_build_object('provider', CAST(:provider AS text), "
        "'kind', CAST(:kind AS text), 'id', CAST(:id AS bigint), "
        "'schema', current_schema())::text)"
    )
    values = {"channel": CHANNEL, "provider": item.provider, "kind": item.kind, "id": item.id}
    with session.begin_nested():
        session.execute(payload, values)


# --- in this process (SQLite) -----------------------------------------------------------------

Listener = Callable[[Announcement], None]
_listeners: dict[str, list[Listener]] = {}
_lock = threading.Lock()


def database_key(engine: Engine) -> str:
    """Which database an engine writes to, as the local listeners are filed."""
    return engine.url.render_as_string(hide_password=True)


def listen_locally(engine: Engine, listener: Listener) -> Callable[[], None]:
    """Call ``listener`` (from the committing thread) with each announcement committed in
    this process to ``engine``'s database; returns the function that stops it."""
    key = database_key(engine)
    with _lock:
        _listeners.setdefault(key, []).append(listener)

    def stop() -> None:
        with _lock:
            found = _listeners.get(key, [])
            if listener in found:
                found.remove(listener)
            if not found:
                _listeners.pop(key, None)

    return stop


@event.listens_for(Session, "after_commit")
def _deliver_committed(session: Session) -> None:
    pending: list[Announcement] = session.info.pop(_PENDING, [])
    if not pending:
        return
    try:
        bind = session.get_bind()
        with _lock:
            listeners = list(_listeners.get(database_key(bind.engine), ()))
    except Exception:
        log.warning("could not announce %d request(s) to agents", len(pending), exc_info=True)
        return
    for listener in listeners:
        for item in pending:
            try:
                listener(item)
            except Exception:
                log.warning("an agent listener failed on %s", item, exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
