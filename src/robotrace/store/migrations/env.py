"""Alembic environment of robotrace, run by :func:`robotrace.store.db.upgrade`.

The caller hands over a connection in ``config.attributes["connection"]``; otherwise one is
made from ``sqlalchemy.url`` or the ``database_url`` setting. On SQLite, batch mode
rebuilds tables for ALTERs, so foreign keys are switched off during a migration (a table
rebuilt under them would take its children's rows with it) and checked before commit.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from robotrace.settings import Settings
from robotrace.store.db import make_engine
from robotrace.store.models import Base


def _set_sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    # PRAGMA foreign_keys is ignored inside a transaction, so it goes to the driver directly.
    if connection.in_transaction():
        raise RuntimeError("migrations on SQLite need a connection outside a transaction")
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")


def run_migrations(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _set_sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _check_sqlite_foreign_keys(connection)
        # Reading the version (autogenerate, ``current``) autobegins a transaction: end it.
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        if sqlite:
            _set_sqlite_foreign_keys(connection, on=True)


def main() -> None:
    if context.is_offline_mode():
        raise SystemExit("robotrace migrations run online only (robotrace db upgrade)")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    # Run by alembic itself (not robotrace.store.db): its URL, or the database_url setting.
    url = context.config.get_main_option("sqlalchemy.url")
    engine = make_engine(url or Settings.from_environ().database_url)
    try:
        with engine.connect() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


main()
