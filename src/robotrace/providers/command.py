"""``robotrace providers``: import the FCC's RMD export (or robotrace's own providers.csv),
list and show providers with their RMD status, and enter the FCC's removal orders and
reinstatements (which republish the block list)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from robotrace.clock import SystemClock, format_utc, parse_utc
from robotrace.rows import BadRowsError, RowError
from robotrace.settings import Settings, pass_settings
from robotrace.store.command import DATABASE_URL
from robotrace.store.command import migrated_session as _store

if TYPE_CHECKING:
    from robotrace.providers.status import RmdStatus
    from robotrace.store import models

_T = TypeVar("_T")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/cli.md).")
#: How the audit log names what this command line did.
IMPORT_ACTOR = "cli:providers-import"
REMOVE_ACTOR = "cli:providers-remove"
REINSTATE_ACTOR = "cli:providers-reinstate"
#: --status choices (the command line's spelling) → RMD status.
STATUS_CHOICES = {
    "listed": "listed",
    "removed": "removed",
    "not-in-export": "not_in_export",
    "unlisted": "unlisted",
}
CONTACT_FIELDS = ("name", "title", "department", "telephone", "extension")
ROLES = ("voice_service_provider", "gateway_provider", "intermediate_provider")
#: Widest cell of the ``list`` table, in characters (free text may be 20,000 long).
CELL = 60
#: Where a provider's time zone comes from (robotrace.providers.zones), in words.
ZONE_SOURCES = {
    "set": "set by hand",
    "address": "from the state in its business address",
    "default": "the business_zone setting",
}


@click.group()
def providers() -> None:
    """Providers: the FCC's RMD export, identities, RMD status, removals."""


# --- The store ----------------------------------------------------------------------------


def _time(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_utc(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _echo_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=_json_default))


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _shown(text: str) -> str:
    """Free text safe for a terminal: control characters (an escape sequence in a hostile
    name) are written as ``\\xNN``; JSON output keeps the text as it is."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


# --- import -------------------------------------------------------------------------------


@providers.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Import the good rows of a file with bad rows (each bad row is still listed).",
)
@DATABASE_URL
@_JSON
def import_(path: Path, skip_bad_rows: bool, database_url: str, as_json: bool) -> None:
    """Import PATH: the FCC's Robocall Mitigation Database export as published (columns in
    any order, unknown ones kept) or robotrace's own providers.csv; the format is told from
    the header. One transaction: a file with a bad row imports nothing (every bad row is
    listed as FILE:LINE: REASON, exit 1) unless --skip-bad-rows is given. The same file
    twice changes nothing."""
    from robotrace.providers.imports import import_registry_file

    console = Console(stderr=True, quiet=as_json)
    try:
        with _store(database_url) as session, console.status(f"importing {path.name}"):
            done = import_registry_file(
                session, path, actor=IMPORT_ACTOR, clock=SystemClock(),
                skip_bad_rows=skip_bad_rows,
            )  # fmt: skip
    except BadRowsError as exc:
        _print_refusal(exc.errors, as_json)
        raise SystemExit(1) from None
    if as_json:
        _echo_json(done.as_dict())
        return
    for line in done.refused:
        click.echo(_shown(line))
    click.echo(import_summary(path, done.as_dict()))


def _print_refusal(errors: Sequence[RowError], as_json: bool) -> None:
    """Every bad row (``file:line: reason``, or JSON), and on standard error the verdict."""
    if as_json:
        _echo_json({"imported": False, "errors": [asdict(e) for e in errors]})
    else:
        for error in errors:
            click.echo(_shown(str(error)))
    click.echo(f"{len(errors)} bad row(s); nothing imported", err=True)


def import_summary(path: Path, done: dict[str, Any]) -> str:
    """The line that says what an import did (``done``: ``RegistryImport.as_dict()``)."""
    if done["same_as"] is not None:
        return (
            f"{path} ({done['format']}): the same file as import {done['same_as']}; "
            f"nothing changed ({done['unchanged']} filings unchanged)"
        )
    export = done["format"] == "rmd-export"
    counts = f"{done['added']} added, {done['updated']} updated, {done['unchanged']} unchanged"
    counts += f", {done['not_in_export']} not in this export" if export else ""
    what = "filings" if export else "rows"
    refused = f"; {len(done['refused'])} refused row(s) left out" if done["refused"] else ""
    providers_said = f"{done['providers_added']} provider(s) added, {done['merged']} merged"
    return f"{path} ({done['format']}): {what}: {counts}; {providers_said}{refused}"


# --- list and show ------------------------------------------------------------------------


def _provider_rows(session: Session) -> list[models.Provider]:
    from robotrace.store import models

    query = (
        select(models.Provider)
        .options(selectinload(models.Provider.identifiers))
        .order_by(models.Provider.key)
    )
    return list(session.scalars(query))


def provider_summary(row: models.Provider, status: RmdStatus) -> dict[str, object]:
    """What ``providers list --json`` prints of one provider (``row``: a store row)."""
    from robotrace.providers.store import provider_of

    record = provider_of(row)
    return {
        "key": record.key,
        "business_name": record.business_name,
        "other_names": list(record.other_names),
        "rmd_numbers": list(record.rmd_numbers),
        "frns": list(record.frns),
        "ocns": list(record.ocns),
        "foreign": record.foreign,
        "country": record.country,
        "status": status.status,
        "recertification_overdue": status.recertification_overdue,
    }


def provider_details(
    session: Session, row: models.Provider, status: RmdStatus, business_zone: str
) -> dict[str, object]:
    """What ``providers show --json`` prints: the summary, the RMD's details and contact,
    the RMD status (with any removal order) and the history; its zone is ``business_zone``
    when neither set nor told by its address."""
    from robotrace.providers.rmd_store import history
    from robotrace.providers.store import zone_of

    contact = row.rmd_contact or {}
    zone = zone_of(row, business_zone)
    return {
        **provider_summary(row, status),
        "business_address": row.business_address,
        "time_zone": zone.zone,
        "time_zone_source": zone.source,
        "implementation": row.implementation,
        "roles": [role for role in ROLES if getattr(row, role)],
        "rmd_contact": {name: contact.get(name, "") for name in CONTACT_FIELDS},
        "contact_email": row.contact_email,
        "rmd": status.as_dict(),
        "history": history(session, row.id),
    }


def _today() -> date:
    return SystemClock().now().date()


def _read(database_url: str, read: Callable[[Session], _T]) -> _T:
    with _store(database_url) as session:
        return read(session)


@providers.command(name="list")
@click.option(
    "--status",
    "wanted",
    type=click.Choice(list(STATUS_CHOICES)),
    help="Only the providers with this RMD status.",
)
@DATABASE_URL
@_JSON
@pass_settings
def list_(settings: Settings, wanted: str | None, database_url: str, as_json: bool) -> None:
    """Every provider by key, with its identifiers and RMD status (today's, by the
    rmd_recertification_due setting). --json prints one JSON array of objects."""

    from robotrace.providers.rmd_store import statuses

    def read(session: Session) -> list[dict[str, object]]:
        rows = _provider_rows(session)
        found = statuses(
            session, [row.id for row in rows], _today(), settings.rmd_recertification_due
        )
        listed = [provider_summary(row, found[row.id]) for row in rows]
        status = STATUS_CHOICES.get(wanted or "")
        return [p for p in listed if status is None or p["status"] == status]

    listed = _read(database_url, read)
    if as_json:
        _echo_json(listed)
        return
    Console().print(_table(listed))
    click.echo(f"{len(listed)} provider(s)")


def _cell(value: object) -> Text:
    """A table cell as plain text (never rich markup: "[b]" in a name stays "[b]");
    identifiers one per line."""
    text = _shown("\n".join(value) if isinstance(value, list) else str(value))
    return Text(text if len(text) <= CELL else text[: CELL - 1] + "…")


#: The ``list`` table: heading and summary key; identifiers are never cut, names may be.
TABLE_COLUMNS = (
    ("key", "key"),
    ("name", "business_name"),
    ("RMD", "rmd_numbers"),
    ("FRN", "frns"),
    ("OCN", "ocns"),
)


def _table(listed: list[dict[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for heading, _ in TABLE_COLUMNS:
        table.add_column(heading, no_wrap=heading != "name", overflow="fold")
    table.add_column("status", no_wrap=True)
    for provider in listed:
        table.add_row(*(_cell(provider[name]) for _, name in TABLE_COLUMNS), _status(provider))
    return table


def _status(provider: dict[str, Any]) -> str:
    said = [provider["status"]]
    said += ["foreign"] if provider["foreign"] else []
    said += ["recertification overdue"] if provider["recertification_overdue"] else []
    return "\n".join(said)


@providers.command()
@click.argument("key")
@DATABASE_URL
@_JSON
@pass_settings
def show(settings: Settings, key: str, database_url: str, as_json: bool) -> None:
    """One provider, named by any identifier (its key, an OCN, an RMD number, an FRN with or
    without leading zeros): names, identifiers, the RMD's details and contact, RMD status and
    history."""
    from robotrace.providers.rmd_store import statuses
    from robotrace.providers.store import resolve_provider

    def read(session: Session) -> dict[str, object] | None:
        row = resolve_provider(session, key)
        if row is None:
            return None
        found = statuses(session, [row.id], _today(), settings.rmd_recertification_due)
        return provider_details(session, row, found[row.id], settings.business_zone)

    details = _read(database_url, read)
    if details is None:
        raise click.ClickException(f"no provider is known by {_shown(key.strip()[:60])!r}")
    if as_json:
        _echo_json(details)
        return
    for line in details_lines(details):
        click.echo(_shown(line))


def details_lines(details: dict[str, Any]) -> list[str]:
    """``providers show`` without --json: one ``label: value`` line each, then the history."""
    rmd = details["rmd"]
    contact = ", ".join(f"{k} {v}" for k, v in details["rmd_contact"].items() if v)
    lines = [
        f"{details['key']}: {details['business_name']}",
        f"other names: {'; '.join(details['other_names']) or '-'}",
        f"RMD numbers: {', '.join(details['rmd_numbers']) or '-'}",
        f"FRNs: {', '.join(details['frns']) or '-'}",
        f"OCNs: {', '.join(details['ocns']) or '-'}",
        f"country: {details['country']}{' (foreign)' if details['foreign'] else ''}",
        f"address: {details['business_address'] or '-'}",
        f"time zone: {details['time_zone']} ({ZONE_SOURCES[details['time_zone_source']]})",
        f"implementation: {details['implementation'] or '-'}",
        f"roles: {', '.join(details['roles']) or '-'}",
        f"RMD contact: {contact or '-'}",
        f"e-mail: {details['contact_email'] or '-'}",
        f"RMD status: {_status_line(rmd)}",
        f"last recertified: {_recertified_line(rmd)}",
        "history:",
    ]
    lines += [f"  {_event_line(event)}" for event in details["history"]] or ["  -"]
    return lines


def _status_line(rmd: dict[str, Any]) -> str:
    if rmd["status"] != "removed":
        return str(rmd["status"])
    return f"removed by {rmd['removal_order']}, effective {rmd['removed_at']}"


def _recertified_line(rmd: dict[str, Any]) -> str:
    overdue = {True: " (overdue)", False: "", None: ""}[rmd["recertification_overdue"]]
    due = rmd["recertification_due"]
    return f"{rmd['last_recertified'] or 'not known'}{overdue}; last due date {due}"


def _event_line(event: dict[str, Any]) -> str:
    at = format_utc(event["at"]) if isinstance(event["at"], datetime) else str(event["at"])
    said = {k: v for k, v in event.items() if k not in ("at", "what")}
    return f"{at} {event['what']} " + " ".join(f"{k} {v}" for k, v in said.items())


# --- remove and reinstate -----------------------------------------------------------------


def _enter(database_url: str, enter: Callable[[Session], Any]) -> dict[str, object]:
    """Run ``enter`` (a removal or reinstatement) in one transaction and say what it did;
    a refusal is the operator's to fix: one line, exit 1."""
    from robotrace.enforcement.errors import InvalidRequest
    from robotrace.enforcement.publish import latest_blocklist
    from robotrace.store import models

    try:
        with _store(database_url) as session:
            removal = enter(session)
            provider = session.get(models.Provider, removal.provider_id)
            published = latest_blocklist(session)
            return {
                "provider": provider.key if provider else None,
                "order": removal.order_reference,
                "removed_at": removal.removed_at,
                "reinstated_at": removal.reinstated_at,
                "reinstatement_reference": removal.reinstatement_reference,
                "blocklist_version": published.version if published else None,
            }
    except InvalidRequest as exc:
        raise click.ClickException(_shown(str(exc))) from None


@providers.command()
@click.argument("key")
@click.option("--order", required=True, metavar="REF", help="The FCC's removal order (DA 25-694).")
@click.option(
    "--at", "at", callback=_time, metavar="TIME", help="Effective time (ISO-8601; default now)."
)
@DATABASE_URL
@_JSON
@pass_settings
def remove(
    settings: Settings, key: str, order: str, at: datetime | None, database_url: str, as_json: bool
) -> None:
    """Enter the FCC's order removing KEY (any identifier) from the Robocall Mitigation
    Database. The block list is republished with a no_direct_traffic entry (reason code
    rmd_removed) effective at --at: no provider may take its calls directly."""
    from robotrace.enforcement.rmd import record_removal

    done = _enter(
        database_url,
        lambda s: record_removal(s, key, order, at, REMOVE_ACTOR, SystemClock(), settings),
    )
    if as_json:
        _echo_json(done)
        return
    click.echo(
        f"{done['provider']} removed from the RMD by {_shown(str(done['order']))}, effective "
        f"{_json_default(done['removed_at'])}; block list version {done['blocklist_version']}"
    )


@providers.command()
@click.argument("key")
@click.option(
    "--reference", required=True, metavar="REF", help="What reinstated it (an FCC order)."
)
@click.option(
    "--at", "at", callback=_time, metavar="TIME", help="Effective time (ISO-8601; default now)."
)
@DATABASE_URL
@_JSON
@pass_settings
def reinstate(
    settings: Settings,
    key: str,
    reference: str,
    at: datetime | None,
    database_url: str,
    as_json: bool,
) -> None:
    """Enter KEY's reinstatement in the Robocall Mitigation Database: its standing removal
    ends and the block list is republished without its rmd_removed entry."""
    from robotrace.enforcement.rmd import record_reinstatement

    done = _enter(
        database_url,
        lambda s: record_reinstatement(
            s, key, reference, at, REINSTATE_ACTOR, SystemClock(), settings
        ),
    )
    if as_json:
        _echo_json(done)
        return
    click.echo(
        f"{done['provider']} reinstated in the RMD by "
        f"{_shown(str(done['reinstatement_reference']))}, effective "
        f"{_json_default(done['reinstated_at'])}; block list version {done['blocklist_version']}"
    )


IDENTIFY_ACTOR = "cli:providers-identify"
IDENTIFIER_KINDS = {"rmd": "rmd", "frn": "frn", "ocn": "ocn", "name": "name"}


@providers.command()
@click.argument("key")
@click.option(
    "--kind",
    type=click.Choice(sorted(IDENTIFIER_KINDS)),
    required=True,
    help="What VALUE is: an RMD number, an FRN, an OCN or another name (a DBA).",
)
@click.argument("value")
@DATABASE_URL
@_JSON
def identify(key: str, kind: str, value: str, database_url: str, as_json: bool) -> None:
    """Record that KEY is also known by VALUE — e.g. the RMD number of an upstream first
    named by name alone. When another provider holds VALUE the two are one company and
    merge (the older keeps its key; every hop, letter and authorization moves; audited)."""
    from robotrace.providers.store import identify_provider, resolve_provider

    def enter(session: Session) -> dict[str, object]:
        row = resolve_provider(session, key)
        if row is None:
            raise click.ClickException(f"no provider is known by {_shown(key.strip()[:60])!r}")
        holder = resolve_provider(session, value) if kind != "name" else None
        absorbed = {row.key, *([holder.key] if holder else [])}
        try:
            held = identify_provider(session, row, kind, value, IDENTIFY_ACTOR, SystemClock())
        except ValueError as exc:
            raise click.ClickException(_shown(str(exc))) from None
        return {"provider": held.key, "merged": sorted(absorbed - {held.key})}

    with _store(database_url) as session:
        done = enter(session)
    if as_json:
        _echo_json(done)
        return
    others = [str(k) for k in done["merged"]] if isinstance(done["merged"], list) else []
    merged = f"; merged {', '.join(others)} into it" if others else ""
    click.echo(f"{done['provider']} is known by {kind} {_shown(value.strip())}{merged}")


ZONE_ACTOR = "cli:providers-zone"


@providers.command(name="zone")
@click.argument("key")
@click.argument("zone", required=False)
@click.option(
    "--clear", is_flag=True, help="Forget the zone set: back to its address's state or the default."
)
@DATABASE_URL
@_JSON
@pass_settings
def zone_(
    settings: Settings, key: str, zone: str | None, clear: bool, database_url: str, as_json: bool
) -> None:
    """Set the IANA time zone (America/Chicago) that KEY's business hours, and so its hop
    requests' due times, are read in; without ZONE, say which zone it has and where that
    comes from (set by hand, the state in its business address, or the business_zone
    setting). Audited as provider.zone_set."""
    from robotrace.providers.store import resolve_provider, set_time_zone, zone_of
    from robotrace.timezones import ZoneError

    if clear and zone:
        raise click.UsageError("give ZONE or --clear, not both")
    with _store(database_url) as session:
        row = resolve_provider(session, key)
        if row is None:
            raise click.ClickException(f"no provider is known by {_shown(key.strip()[:60])!r}")
        try:
            found = (
                set_time_zone(session, row, zone, ZONE_ACTOR, SystemClock(), settings.business_zone)
                if zone or clear
                else zone_of(row, settings.business_zone)
            )
        except ZoneError as exc:
            raise click.ClickException(_shown(str(exc))) from None
        done = {
            "provider": row.key, "time_zone": found.zone, "source": found.source,
            "state": found.state,
        }  # fmt: skip
    if as_json:
        _echo_json(done)
        return
    state = f", {found.state}" if found.state else ""
    click.echo(f"{done['provider']}: {found.zone} ({ZONE_SOURCES[found.source]}{state})")
