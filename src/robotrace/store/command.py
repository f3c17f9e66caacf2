"""``robotrace db``: migrate the store and show where it stands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from robotrace.settings import or_setting
from robotrace.store import db as store

DATABASE_URL = click.option(
    "--database-url",
    default=None,
    metavar="URL",
    callback=or_setting("database_url"),
    help="SQLAlchemy URL of the store (default: the ROBOTRACE_DATABASE_URL setting).",
)


@contextmanager
def migrated_session(database_url: str) -> Iterator[Session]:
    """One transaction on an existing, migrated store, for a command: committed at the end,
    rolled back on error; a usage error when the schema is behind."""
    engine = store.existing_engine(database_url)
    try:
        if store.current_revision(engine) != store.head_revision():
            raise click.UsageError("the store's schema is not up to date: run robotrace db upgrade")
        with store.transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


def _shown(engine_url: object) -> str:
    return make_url(str(engine_url)).render_as_string(hide_password=True)


@click.group()
def db() -> None:
    """Create and migrate the store (SQLite or PostgreSQL)."""


@db.command()
@DATABASE_URL
def upgrade(database_url: str) -> None:
    """Migrate the store to the newest schema (creating it if it is new)."""
    engine = store.make_engine(database_url)
    try:
        before = store.current_revision(engine)
        store.upgrade(engine)
        after = store.current_revision(engine)
    finally:
        engine.dispose()
    click.echo(f"{_shown(engine.url)}: {before or 'empty'} → {after}")


@db.command()
@DATABASE_URL
def current(database_url: str) -> None:
    """Show the store's schema revision and whether it is the newest."""
    engine = store.make_engine(database_url)
    try:
        revision = store.current_revision(engine)
    finally:
        engine.dispose()
    head = store.head_revision()
    state = "up to date" if revision == head else f"behind (newest is {head})"
    click.echo(f"{_shown(engine.url)}: {revision or 'empty'} — {state}")


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@DATABASE_URL
@click.option(
    "--analytics-dir",
    type=click.Path(file_okay=False, path_type=Path),
    callback=or_setting("analytics_dir", Path),
    help="The analytics store to include (default: the analytics_dir setting).",
)
def backup_command(out: Path, database_url: str, analytics_dir: Path) -> None:
    """Write a backup of the SQL store and the analytics store to OUT (.tar.gz): a consistent
    online copy on SQLite, pg_dump on PostgreSQL (docs/operations.md#backups)."""
    from robotrace.clock import SystemClock
    from robotrace.store.backup import BackupError, backup

    try:
        manifest = backup(out, database_url, analytics_dir, SystemClock().now())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{out}: {manifest.dialect} store at revision {manifest.revision}, "
        f"{len(manifest.files) - 1} analytics file(s)"
    )


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DATABASE_URL
@click.option(
    "--analytics-dir",
    type=click.Path(file_okay=False, path_type=Path),
    callback=or_setting("analytics_dir", Path),
    help="Where the analytics store goes (default: the analytics_dir setting); replaced.",
)
@click.option("--force", is_flag=True, help="Replace a database that already holds a store.")
def restore_command(backup_file: Path, database_url: str, analytics_dir: Path, force: bool) -> None:
    """Restore a backup made by robotrace backup. Stop the portal, worker and blockers first;
    every checksum is verified before anything is replaced."""
    from robotrace.store.backup import BackupError, restore

    try:
        manifest = restore(backup_file, database_url, analytics_dir, force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    engine = store.make_engine(database_url)
    try:
        store.upgrade(engine)  # a backup of an older robotrace is brought up to this one
        revision = store.current_revision(engine)
    finally:
        engine.dispose()
    click.echo(
        f"restored {backup_file} (made {manifest.created_at}) into {_shown(database_url)} "
        f"at revision {revision}"
    )
