"""Each provider's time zone in the store: set by hand (audited), from its address, or the
default; the traceback workflow's directory carries the zone in force."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from robotrace.clock import SimulatedClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import (
    identify_provider,
    resolve_provider,
    set_time_zone,
    upsert_providers,
    zone_of,
)
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.timezones import ZoneError
from robotrace.traceback.store import provider_directory

CLOCK = SimulatedClock(datetime(2021, 6, 1, tzinfo=UTC))
BUSINESS_ZONE = Settings().business_zone
OKLAHOMA = Provider("OKLA", "Okla Telco", business_address="223 Broadway, Davenport OK 74026")
HAWAII = Provider("HAWI", "Island Voice", business_address="1 Bishop St Honolulu Hawaii 96813")
NOWHERE = Provider("NOWH", "No Address Inc")
ABROAD = Provider(
    "ABRD", "Abroad Ltd", country="Canada", foreign=True, business_address="Montréal QC H3B 1A7"
)


@pytest.fixture
def stored(session):
    upsert_providers(session, [OKLAHOMA, HAWAII, NOWHERE, ABROAD], CLOCK)
    return session


def zones(session) -> dict[str, str]:
    directory = provider_directory(session, Settings.from_environ().business_zone)
    return {key: info.time_zone for key, info in directory.items()}


def test_the_directory_gives_each_provider_the_zone_of_its_address_or_the_default(stored):
    assert zones(stored) == {
        "OKLA": "America/Chicago",
        "HAWI": "Pacific/Honolulu",
        "NOWH": "America/New_York",
        "ABRD": "America/New_York",
    }


def test_the_default_zone_is_the_business_zone_setting(stored, monkeypatch):
    monkeypatch.setenv("ROBOTRACE_BUSINESS_ZONE", "America/Denver")
    assert zones(stored)["NOWH"] == "America/Denver"
    assert zones(stored)["OKLA"] == "America/Chicago"


def test_a_zone_set_by_hand_is_kept_and_audited(stored):
    row = resolve_provider(stored, "OKLA")
    found = set_time_zone(
        stored, row, "America/Denver", "admin:a@example.org", CLOCK, BUSINESS_ZONE
    )
    assert (found.zone, found.source) == ("America/Denver", "set")
    assert zones(stored)["OKLA"] == "America/Denver"
    [event] = stored.scalars(
        select(models.AuditEvent).where(models.AuditEvent.action == "provider.zone_set")
    ).all()
    assert (event.actor, event.details) == (
        "admin:a@example.org",
        {"old": None, "new": "America/Denver"},
    )


def test_clearing_the_zone_goes_back_to_the_address(stored):
    row = resolve_provider(stored, "OKLA")
    set_time_zone(stored, row, "America/Denver", "admin:a", CLOCK, BUSINESS_ZONE)
    found = set_time_zone(stored, row, "", "admin:a", CLOCK, BUSINESS_ZONE)
    assert (found.zone, found.source, found.state) == ("America/Chicago", "address", "OK")
    assert row.time_zone is None


def test_setting_the_same_zone_again_audits_nothing(stored):
    row = resolve_provider(stored, "HAWI")
    set_time_zone(stored, row, "Pacific/Honolulu", "admin:a", CLOCK, BUSINESS_ZONE)
    set_time_zone(stored, row, "Pacific/Honolulu", "admin:a", CLOCK, BUSINESS_ZONE)
    audited = stored.scalars(
        select(models.AuditEvent).where(models.AuditEvent.action == "provider.zone_set")
    ).all()
    assert len(audited) == 1


def test_an_unknown_zone_is_refused_and_nothing_changes(stored):
    row = resolve_provider(stored, "OKLA")
    with pytest.raises(ZoneError, match="Central"):
        set_time_zone(stored, row, "Central", "admin:a", CLOCK, BUSINESS_ZONE)
    assert row.time_zone is None
    assert zone_of(row, BUSINESS_ZONE).zone == "America/Chicago"


def test_a_merge_keeps_the_zone_set_on_the_absorbed_provider(stored):
    absorbed = resolve_provider(stored, "NOWH")
    set_time_zone(stored, absorbed, "America/Phoenix", "admin:a", CLOCK, BUSINESS_ZONE)
    stored.add(
        models.ProviderIdentifier(provider=absorbed, kind="rmd", value="RMD0000042", folded="x")
    )
    stored.flush()
    survivor = resolve_provider(stored, "OKLA")  # the older: it survives
    held = identify_provider(stored, survivor, "rmd", "RMD0000042", "admin:a", CLOCK)
    assert held.key == "OKLA" and held.time_zone == "America/Phoenix"
