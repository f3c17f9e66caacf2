"""``robotrace users``: accounts from the command line (the first admin, above all)."""

from __future__ import annotations

import click


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
@click.option("--database-url", help="Store URL (default: the database_url setting).")
def create(
    email: str,
    role: str,
    provider_key: str | None,
    name: str,
    password: str,
    database_url: str | None,
) -> None:
    """Create a user who signs in with e-mail and password."""
    from robotrace.accounts.passwords import WeakPassword
    from robotrace.accounts.users import AccountError, create_user
    from robotrace.store.db import make_engine, transaction, upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    try:
        with transaction(engine) as session:
            user = create_user(session, email, role, password, provider_key, name)
            click.echo(f"created {user.role.value} {user.email} (id {user.id})")
    except (AccountError, WeakPassword) as exc:
        raise click.ClickException(str(exc)) from None
