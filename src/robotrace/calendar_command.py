"""``robotrace calendar``: the business-day calendar that hop requests are due by
(robotrace.calendar), for providers who want to check a due time and for tests."""

from __future__ import annotations

import json
from datetime import datetime

import click

from robotrace.calendar import BusinessCalendar
from robotrace.clock import format_utc
from robotrace.settings import Settings, or_setting, pass_settings
from robotrace.timezones import ZoneError, zone_info


@click.group()
def calendar() -> None:
    """The business-day calendar: when a traceback request counts as received and is due."""


def _zone(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    zone = or_setting("business_zone")(ctx, param, value)
    try:
        zone_info(zone)
    except ZoneError as exc:
        raise click.BadParameter(str(exc)) from None
    return zone


def received_time(text: str, zone: str) -> datetime:
    """ISO 8601 with an offset or ``Z``; without one, a wall time in ``zone``."""
    value = text.strip()
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(value) if len(value) <= 40 else None
    except ValueError:
        when = None
    if when is None:
        raise click.BadParameter(f"not an ISO 8601 time: {text[:40]!r}", param_hint="--received")
    return when if when.tzinfo else when.replace(tzinfo=zone_info(zone))


@calendar.command()
@click.option(
    "--received",
    required=True,
    metavar="TIME",
    help="When the request was sent: ISO 8601 (2021-07-02T18:00-04:00, or Z for UTC); "
    "without an offset, a wall time in --zone.",
)
@click.option(
    "--zone",
    callback=_zone,
    metavar="ZONE",
    help="The provider's IANA time zone (default: the business_zone setting).",
)
@click.option(
    "--hours",
    type=click.FloatRange(min=0),
    metavar="HOURS",
    help="Hours to answer after the deemed receipt (default: the hop_due_hours setting, 24).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (see docs/cli.md).")
@pass_settings
def due(settings: Settings, received: str, zone: str, hours: float | None, as_json: bool) -> None:
    """When a request sent at TIME to a provider in ZONE is deemed received (8:00 on the next
    business day when sent outside business hours) and when it is due. Business hours and
    whether a due time outside them moves to the next business day come from the settings
    (business_day_start, business_day_end, due_rolls_to_business_day)."""
    when = received_time(received, zone)
    hours = hours if hours is not None else settings.hop_due_hours
    found = BusinessCalendar.from_settings(settings).due(when, zone, hours)
    if as_json:
        click.echo(json.dumps(found.as_dict()))
        return
    rows = (
        ("received", found.received),
        ("deemed received", found.deemed_received),
        ("due", found.due),
    )
    click.echo(f"zone: {zone}; {hours:g} hours after the deemed receipt")
    for label, at in rows:
        click.echo(f"{label:<16} {at:%a %Y-%m-%d %H:%M %Z}  ({format_utc(at)})")
