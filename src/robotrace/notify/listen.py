"""One ``LISTEN robotrace_agents`` connection per server worker (PostgreSQL).

Every worker hears every announcement committed anywhere — by another worker, the worker
process, a CLI command — and hands those of its own schema to ``deliver``. One thread holds
the connection, whatever the number of agents connected: they are served by the worker's
event loop (:mod:`robotrace.web.agent_events`).

A lost connection is reopened with backoff; announcements made meanwhile were never heard,
so after reconnecting the listener calls ``resync``, which tells every connected agent to
catch up from the API.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from robotrace.notify.agents import CHANNEL, Announcement

log = logging.getLogger(__name__)

#: Seconds between checks of the stop flag while no notification comes.
WAKE_SECONDS = 0.5
#: Seconds of silence after which the listener asks the server whether it is still there.
PING_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 10
BACKOFF_CAP_SECONDS = 30.0


class PostgresListener:
    """Listens on :data:`~robotrace.notify.agents.CHANNEL` in a thread of its own."""

    def __init__(
        self,
        engine: Engine,
        deliver: Callable[[Announcement], None],
        resync: Callable[[], None],
    ) -> None:
        self.engine = engine
        self.deliver = deliver
        self.resync = resync
        self.ready = threading.Event()  # set while LISTEN is in force
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="robotrace-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end (within :data:`WAKE_SECONDS`); does not wait for it."""
        self._stopping.set()

    def _run(self) -> None:
        attempt, heard_before = 0, False
        while not self._stopping.is_set():
            try:
                connection, schema = self._connect()
            except Exception as exc:
                wait = random.uniform(0, min(BACKOFF_CAP_SECONDS, 0.5 * 2**attempt))
                log.warning("cannot LISTEN for agent events (%s); retrying in %.1f s", exc, wait)
                attempt += 1
                self._stopping.wait(wait)
                continue
            attempt = 0
            self.ready.set()
            if heard_before:  # what was announced while we were deaf: let agents catch up
                self.resync()
            heard_before = True
            try:
                self._listen(connection, schema)
            except Exception as exc:
                log.warning("lost the LISTEN connection for agent events (%s)", exc)
            finally:
                self.ready.clear()
                _close(connection)

    def _connect(self) -> tuple[Any, str]:
        """A connection of its own (not the pool's), in autocommit, listening; and the
        schema this deployment's tables are in (announcements name theirs)."""
        import psycopg

        cargs, cparams = self.engine.dialect.create_connect_args(self.engine.url)
        cparams.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
        connection = psycopg.connect(*cargs, **cparams, autocommit=True)
        try:
            row = connection.execute("SELECT current_schema()").fetchone()
            if row is None:  # never: the query always returns its one row
                raise LookupError("SELECT current_schema() returned no row")
            schema = row[0] or ""
            connection.execute(f"LISTEN {CHANNEL}")
        except Exception:
            _close(connection)
            raise
        return connection, schema

    def _listen(self, connection: Any, schema: str) -> None:
        quiet = 0.0
        while not self._stopping.is_set():
            heard = False
            for notice in connection.notifies(timeout=WAKE_SECONDS):
                heard = True
                self._hand_over(notice.payload, schema)
            quiet = 0.0 if heard else quiet + WAKE_SECONDS
            if quiet >= PING_SECONDS:  # a server gone without a word is found out here
                connection.execute("SELECT 1")
                quiet = 0.0

    def _hand_over(self, payload: str, schema: str) -> None:
        try:
            item = Announcement.from_json(payload)
        except ValueError as exc:
            log.warning("%s", exc)
            return
        if item.schema and item.schema != schema:
            return  # another deployment sharing the database
        try:
            self.deliver(item)
        except Exception:
            log.warning("could not hand %s to the connected agents", item, exc_info=True)


def _close(connection: Any) -> None:
    with contextlib.suppress(Exception):  # a broken connection may fail to close
        connection.close()
