"""Engines, sessions, transactions and migrations.

``make_engine()`` reads the ``database_url`` setting (a SQLite file in the working
directory by default). SQLite connections get WAL, foreign keys and a busy timeout, and
real transactions (``BEGIN`` issued by SQLAlchemy rather than guessed by the driver), so
that an import or a migration either happens entirely or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from robotrace import settings
from robotrace.clock import format_utc

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return format_utc(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dumps(value: object) -> str:
    """JSON for JSON columns; datetimes are written as ISO-8601 UTC text."""
    return json.dumps(value, default=_json_default)


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url``, or for the ``database_url`` setting when ``url`` is None."""
    url = url or settings.get("database_url")
    engine = create_engine(url, json_serializer=_dumps, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


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


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of the migrations shipped inside this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(target: Engine | str | None = None, revision: str = "head") -> None:
    """Migrate the database (an engine, a URL, or the setting) to ``revision``."""
    _run_alembic(target, lambda config: command.upgrade(config, revision))


def downgrade(target: Engine | str | None = None, revision: str = "base") -> None:
    """Migrate the database back to ``revision`` (``base``: no tables at all)."""
    _run_alembic(target, lambda config: command.downgrade(config, revision))


def _run_alembic(target: Engine | str | None, step: Any) -> None:
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
