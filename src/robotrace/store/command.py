"""``robotrace db``: migrate the store and show where it stands."""

from __future__ import annotations

import click
from sqlalchemy import make_url

from robotrace.store import db as store

DATABASE_URL = click.option(
    "--database-url",
    default=None,
    metavar="URL",
    help="SQLAlchemy URL of the store (default: the ROBOTRACE_DATABASE_URL setting).",
)


def _shown(engine_url: object) -> str:
    return make_url(str(engine_url)).render_as_string(hide_password=True)


@click.group()
def db() -> None:
    """Create and migrate the store (SQLite or PostgreSQL)."""


@db.command()
@DATABASE_URL
def upgrade(database_url: str | None) -> None:
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
def current(database_url: str | None) -> None:
    """Show the store's schema revision and whether it is the newest."""
    engine = store.make_engine(database_url)
    try:
        revision = store.current_revision(engine)
    finally:
        engine.dispose()
    head = store.head_revision()
    state = "up to date" if revision == head else f"behind (newest is {head})"
    click.echo(f"{_shown(engine.url)}: {revision or 'empty'} — {state}")
