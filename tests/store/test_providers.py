from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from robotrace.clock import SimulatedClock
from robotrace.providers.registry import Provider
from robotrace.store import models
from robotrace.store.repository import (
    UpsertCounts,
    list_providers,
    provider_directory,
    upsert_providers,
)
from robotrace.traceback.model import ProviderInfo

TELCO = Provider(
    ocn="1234",
    business_name="Telco One",
    rmd_number="RMD0001",
    frn="0011223344",
    implementation="Complete STIR/SHAKEN Implementation",
    contact_email="abuse@telco.example",
    last_recertified="2024-03-01",
)
GATEWAY = Provider(ocn="GW01", business_name="Gateway Co", gateway_provider=True)
FOREIGN = Provider(
    ocn="FX99",
    business_name="Overseas Voice",
    country="India",
    foreign=True,
    voice_service_provider=False,
    intermediate_provider=True,
)


def test_importing_new_providers_adds_them_exactly(session):
    counts = upsert_providers(session, [TELCO, GATEWAY, FOREIGN])
    assert counts == UpsertCounts(added=3, updated=0, unchanged=0)
    assert list_providers(session) == sorted([TELCO, GATEWAY, FOREIGN], key=lambda p: p.ocn)


def test_importing_the_same_providers_twice_changes_nothing(session):
    clock = SimulatedClock()
    upsert_providers(session, [TELCO, GATEWAY], clock)
    session.commit()
    clock.advance(timedelta(days=1))
    assert upsert_providers(session, [TELCO, GATEWAY], clock) == UpsertCounts(0, 0, 2)
    stamps = session.scalars(select(models.Provider.updated_at)).all()
    assert stamps == [datetime(2020, 5, 1, tzinfo=UTC)] * 2


def test_a_changed_provider_is_updated_and_the_rest_left_alone(session):
    clock = SimulatedClock()
    upsert_providers(session, [TELCO, GATEWAY], clock)
    moved = replace(TELCO, contact_email="trace@telco.example", gateway_provider=True)
    clock.advance(timedelta(hours=2))
    assert upsert_providers(session, [moved, GATEWAY, FOREIGN], clock) == UpsertCounts(1, 1, 1)
    session.commit()
    row = session.scalars(select(models.Provider).where(models.Provider.ocn == "1234")).one()
    assert (row.contact_email, row.gateway_provider) == ("trace@telco.example", True)
    assert row.updated_at - row.created_at == timedelta(hours=2)


def test_providers_missing_from_an_import_stay_in_the_store(session):
    upsert_providers(session, [TELCO, GATEWAY])
    upsert_providers(session, [TELCO])
    assert {p.ocn for p in list_providers(session)} == {"1234", "GW01"}


def test_a_provider_given_twice_in_one_import_is_rejected(session):
    with pytest.raises(ValueError, match="1234 is given twice"):
        upsert_providers(session, [TELCO, replace(TELCO, business_name="Other")])


def test_the_directory_names_every_provider_by_ocn(session):
    upsert_providers(session, [TELCO, FOREIGN])
    assert provider_directory(session) == {
        "1234": ProviderInfo("1234", "Telco One", "United States", False, "abuse@telco.example"),
        "FX99": ProviderInfo("FX99", "Overseas Voice", "India", True, ""),
    }


def test_two_providers_cannot_share_an_ocn(session):
    upsert_providers(session, [TELCO])
    now = datetime.now(UTC)
    session.add(models.Provider(ocn="1234", business_name="Copy", created_at=now, updated_at=now))
    with pytest.raises(IntegrityError):
        session.flush()
