"""``robotrace users``: accounts from the command line (the first admin, above all)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from robotrace.clock import format_utc
from robotrace.settings import or_setting

_DATABASE_URL = click.option(
    "--database-url",
    callback=or_setting("database_url"),
    help="Store URL (default: the database_url setting).",
)
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/cli.md).")


@click.group()
def users() -> None:
    """Manage portal users."""


@users.command("create")
@click.option("--email", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["admin", "coordinator", "regulator", "provider"])
)
@click.option(
    "--provider",
    "provider_key",
    help="The provider (provider users only): its key, OCN, RMD number or FRN.",
)
@click.option("--name", default="")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given (ROBOTRACE_NEW_PASSWORD also works).",
    envvar="ROBOTRACE_NEW_PASSWORD",
)
@_DATABASE_URL
def create(
    email: str,
    role: str,
    provider_key: str | None,
    name: str,
    password: str,
    database_url: str,
) -> None:
    """Create a user who signs in with e-mail and password."""
    from robotrace.accounts.passwords import WeakPassword
    from robotrace.accounts.users import AccountError, create_user
    from robotrace.store.db import transaction

    try:
        with transaction(_engine(database_url)) as session:
            user = create_user(session, email, role, password, provider_key, name)
            click.echo(f"created {user.role.value} {user.email} (id {user.id})")
    except (AccountError, WeakPassword) as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def tokens() -> None:
    """Make, list and revoke users' API tokens (as on the portal's /account page)."""


@tokens.command("create")
@click.option("--email", required=True, help="The user the token acts as (must exist).")
@click.option("--read-only", is_flag=True, help="An rt_ro_ token: reads only (default: rt_rw_).")
@click.option("--name", default="command line", show_default=True, help="Shown in lists.")
@_DATABASE_URL
@_JSON
def create_token_command(
    email: str, read_only: bool, name: str, database_url: str, as_json: bool
) -> None:
    """Make an API token for a user and print it: the only time it is shown.

    Standard output holds the token alone (or, with --json, one object with it), so that
    scripts can capture it: TOKEN=$(robotrace tokens create --email noc@example.net).
    """
    from robotrace.accounts.tokens import create_token
    from robotrace.clock import SystemClock
    from robotrace.store.db import transaction

    with transaction(_engine(database_url)) as session:
        user = _user(session, email, live=True)
        token, row = create_token(
            session, user, name.strip() or "token", not read_only, SystemClock()
        )
        summary = _token_summary(row, user.email)
    if as_json:
        _echo_json({**summary, "token": token})
        return
    click.echo(token)
    click.echo(
        f"created {summary['access']} token {row.id} ({row.prefix}…) for {user.email}; "
        "it is not shown again",
        err=True,
    )


@tokens.command("list")
@click.option("--email", required=True, help="Whose tokens.")
@_DATABASE_URL
@_JSON
def list_tokens(email: str, database_url: str, as_json: bool) -> None:
    """A user's tokens, newest first: id, name, visible prefix, access, dates (never the
    token itself, which is not stored)."""
    from robotrace.accounts.tokens import tokens_of
    from robotrace.store.db import transaction

    with transaction(_engine(database_url)) as session:
        user = _user(session, email)
        rows = [_token_summary(row, user.email) for row in tokens_of(session, user.id)]
    if as_json:
        _echo_json(rows)
        return
    for row in rows:
        state = f"revoked {_when(row['revoked_at'])}" if row["revoked_at"] else "live"
        used = _when(row["last_used_at"]) or "never"
        click.echo(
            f"{row['id']:>6}  {row['prefix']}…  {row['access']:<10}  {state:<28}  "
            f"created {_when(row['created_at'])}  last used {used:<20}  {row['name']}"
        )
    if not rows:
        click.echo(f"{user.email} has no API tokens", err=True)


@tokens.command("revoke")
@click.argument("token_ids", nargs=-1, type=click.IntRange(min=1), metavar="[TOKEN_ID]...")
@click.option(
    "--email",
    help="Without TOKEN_IDs: revoke all of this user's live tokens. With them: they must "
    "all be this user's.",
)
@_DATABASE_URL
def revoke_tokens(token_ids: tuple[int, ...], email: str | None, database_url: str) -> None:
    """Revoke tokens by id (as `robotrace tokens list` shows them), or all of a user's
    (--email). A revoked token stops working at once. Unknown ids revoke nothing."""
    from robotrace.accounts.tokens import revoke_token, tokens_to_revoke
    from robotrace.clock import SystemClock
    from robotrace.store.db import transaction

    if not token_ids and not email:
        raise click.UsageError("name the TOKEN_IDs to revoke, or --email for all of a user's")
    with transaction(_engine(database_url)) as session:
        user = _user(session, email) if email else None
        try:
            rows = tokens_to_revoke(session, list(token_ids), user)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
        live = [row for row in rows if row.revoked_at is None]
        for row in rows:
            if row.revoked_at is None:
                revoke_token(session, row, SystemClock())
                click.echo(f"revoked token {row.id} ({row.prefix}…)")
            elif token_ids:  # asked for by id: say why nothing changed
                click.echo(f"token {row.id} ({row.prefix}…) was revoked already")
    if user is not None and not token_ids:
        click.echo(f"{len(live)} live token(s) of {user.email} revoked", err=True)


def _engine(database_url: str) -> Any:
    from robotrace.store.db import make_engine, upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    return engine


def _user(session: Any, email: str, live: bool = False) -> Any:
    """The user with ``email``; a ClickException naming it when there is none (or, with
    ``live``, when the account is deactivated: its tokens would never work)."""
    from robotrace.accounts.users import user_by_email

    user = user_by_email(session, email)
    if user is None:
        raise click.ClickException(
            f"no user with e-mail {email.strip()!r}: create one with robotrace users create"
        )
    if live and not user.active:
        raise click.ClickException(f"user {user.email} is deactivated: reactivate it first")
    return user


def _token_summary(row: Any, email: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "email": email,
        "name": row.name,
        "prefix": row.prefix,
        "access": "read-write" if row.write else "read-only",
        "created_at": row.created_at,
        "last_used_at": row.last_used_at,
        "revoked_at": row.revoked_at,
    }


def _when(value: datetime | None) -> str:
    """A time to the second, for people (``--json`` keeps the fractions)."""
    return format_utc(value.replace(microsecond=0)) if value is not None else ""


def _echo_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=_json_default))


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return format_utc(value)
    raise TypeError(f"not JSON: {type(value).__name__}")
