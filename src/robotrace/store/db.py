"""Engines, sessions, transactions and migrations.

``make_engine(url)`` opens the store at ``url`` (commands and the portal pass the
``database_url`` setting: a SQLite file in the working directory by default). SQLite
connections get WAL, foreign keys and a busy timeout, and
real transactions (``BEGIN`` issued by SQLAlchemy rather than guessed by the driver), so
that an import or a migration either happens entirely or not at all.

Every engine pings a pooled connection before handing it out (``pool_pre_ping``), so a
database that went away and came back costs no failed request: connections of the old
server are dropped and replaced. :func:`is_unavailable` tells such an outage from a bug.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Result, create_engine, event, make_url, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from robotrace.clock import format_utc

MIGRATIONS = Path(__file__).parent / "migrations"
# Every SQLite transaction takes the one write lock, and SQLite's busy handler is not fair
# (it sleeps and retries): under load some requests waited past 5 s and failed with 503
# "database is locked" (docs/benchmarks.md, Load). Waiting longer is better than failing.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: How long a PostgreSQL connection attempt may take before it fails (a host that drops
#: packets would otherwise hold a request for minutes); a ``connect_timeout`` in the URL wins.
POSTGRES_CONNECT_TIMEOUT_SECONDS = 10
#: SQLite's OperationalErrors that are mistakes in a statement or schema, not an outage.
_SQLITE_MISTAKES = ("no such ", "syntax error", "has no column", "already exists")


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return format_utc(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dumps(value: object) -> str:
    """JSON for JSON columns; datetimes are written as ISO-8601 UTC text."""
    return json.dumps(value, default=_json_default)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` (a SQLAlchemy URL)."""
    kwargs.setdefault("pool_pre_ping", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args.setdefault("connect_timeout", POSTGRES_CONNECT_TIMEOUT_SECONDS)
    engine = create_engine(url, json_serializer=_dumps, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


class NoStore(LookupError):
    """The store a command reads is not there; the message says which and how to name one."""


def existing_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for a store that must exist already (commands that read it, the worker).
    SQLite would make an empty file for a path that is not there, and the command would then
    complain about its schema: a missing file is :class:`NoStore` instead, nothing made."""
    parsed = make_url(url)
    database = parsed.database or ""
    in_a_file = database not in ("", ":memory:") and not database.startswith("file:")
    if parsed.get_backend_name() == "sqlite" and in_a_file and not Path(database).exists():
        raise NoStore(
            f"there is no database at {Path(database).resolve()} ({url}): name the store "
            "with --database-url or the database_url setting (ROBOTRACE_DATABASE_URL); "
            "robotrace db upgrade makes a new one"
        )
    return make_engine(url, **kwargs)


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database cannot be used right now — refused or dropped
    connections, a server shutting down, no pooled connection in time, SQLite's "database is
    locked" or a file it cannot open — a state to wait out and retry, not a bug."""
    if isinstance(error, sa_exc.TimeoutError):  # the pool had no connection to give
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, sa_exc.OperationalError):
        return False
    message = str(error.orig).lower()
    return not any(mistake in message for mistake in _SQLITE_MISTAKES)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (see the pysqlite "serializable
        # isolation / savepoints / transactional DDL" notes in the SQLAlchemy docs).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front, where busy_timeout can wait for it. A
        # deferred transaction that reads first and then writes cannot wait: SQLite fails it
        # at once with "database is locked" when another writer got in between.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(target: Engine | sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed at the end of the block, or rolled back on error."""
    factory = session_factory(target) if isinstance(target, Engine) else target
    with factory() as session, session.begin():
        yield session


#: PostgreSQL advisory locks, one per kind of work that must not run twice at once (any 64-bit
#: numbers; ``lock_for_transaction`` takes one until the transaction ends).
LOCKS = {
    "campaign-grouping": 0x726F626F74726163,  # "robotrac"
    "opening-tracebacks": 0x726F626F74726164,
    "trace-forward": 0x726F626F74726165,
}


#: Values per ``IN (…)`` list or per bulk statement: SQLite allows 32,766 bound values a
#: statement; stay far below.
CHUNK = 500
_T = TypeVar("_T")


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    """``items`` in slices of ``size``, for queries that bind each of them."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rows_matched(result: Result[Any]) -> int:
    """How many rows the UPDATE or DELETE that gave ``result`` (from ``Session.execute``)
    matched."""
    # At run time the result is a CursorResult, which has rowcount; SQLAlchemy 2.0 types
    # Session.execute as returning the plain Result, whatever the statement.
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


def lock_for_transaction(session: Session, name: str) -> None:
    """Let one transaction at a time do the work ``name`` (a key of :data:`LOCKS`) — one that
    reads, then writes what it read: two at once would each act on a state the other is
    changing. SQLite already has one writer at a time (``BEGIN IMMEDIATE``)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCKS[name]})


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of the migrations shipped inside this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(target: Engine | str, revision: str = "head") -> None:
    """Migrate the database (an engine, or a URL) to ``revision``."""
    _run_alembic(target, lambda config: command.upgrade(config, revision))


def downgrade(target: Engine | str, revision: str = "base") -> None:
    """Migrate the database back to ``revision`` (``base``: no tables at all)."""
    _run_alembic(target, lambda config: command.downgrade(config, revision))


def _run_alembic(target: Engine | str, step: Any) -> None:
    engine = target if isinstance(target, Engine) else make_engine(target)
    try:
        with engine.connect() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            step(config)
    finally:
        if engine is not target:
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision among the shipped migrations."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
