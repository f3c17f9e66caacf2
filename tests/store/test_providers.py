from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from robotrace.clock import SimulatedClock
from robotrace.providers.registry import Provider, named_provider
from robotrace.providers.store import (
    UpsertCounts,
    add_named_provider,
    list_providers,
    resolve_key,
    search_providers,
    upsert_providers,
)
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.audit import list_audit
from robotrace.traceback.model import ProviderInfo
from robotrace.traceback.store import provider_directory

TELCO = Provider(
    key="",
    ocns=("1234",),
    business_name="Telco One",
    rmd_numbers=("RMD0000001",),
    frns=("0011223344",),
    implementation="Complete STIR/SHAKEN Implementation",
    contact_email="abuse@telco.example",
    last_recertified="2024-03-01",
)
GATEWAY = Provider(key="GW01", business_name="Gateway Co", gateway_provider=True)
FOREIGN = Provider(
    key="",
    ocns=("FX99",),
    business_name="Overseas Voice",
    country="India",
    foreign=True,
    voice_service_provider=False,
    intermediate_provider=True,
)
#: A reseller with no OCN: known by RMD number, FRN and names only.
RESELLER = Provider(
    key="",
    business_name="Resold Minutes LLC",
    rmd_numbers=("RMD0009999",),
    frns=("0000012345",),
    other_names=("Cheap Calls", "Minutes4U"),
)


def keys(session) -> set[str]:
    return {p.key for p in list_providers(session)}


def test_importing_new_providers_adds_them_with_their_identifiers(session):
    counts = upsert_providers(session, [TELCO, GATEWAY, FOREIGN])
    assert counts == UpsertCounts(added=3, updated=0, unchanged=0)
    stored = {p.key: p for p in list_providers(session)}
    assert stored["1234"] == replace(TELCO, key="1234")
    assert stored["FX99"] == replace(FOREIGN, key="FX99")
    assert stored["GW01"] == GATEWAY


def test_a_provider_without_an_ocn_is_keyed_by_its_rmd_number(session):
    upsert_providers(session, [RESELLER])
    (stored,) = list_providers(session)
    assert stored.key == "RMD0009999"
    assert stored.ocns == ()
    assert set(stored.other_names) == {"Cheap Calls", "Minutes4U"}


def test_a_provider_known_by_name_alone_gets_a_key_of_its_own(session):
    upsert_providers(session, [Provider(key="", business_name="Nameless Wholesale")])
    (stored,) = list_providers(session)
    assert stored.key.startswith("RT-") and len(stored.key) == 9


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
    row = session.scalars(select(models.Provider).where(models.Provider.key == "1234")).one()
    assert (row.contact_email, row.gateway_provider) == ("trace@telco.example", True)
    assert row.updated_at - row.created_at == timedelta(hours=2)


def test_a_record_is_matched_by_any_identifier_it_shares(session):
    upsert_providers(session, [RESELLER])
    by_frn_only = Provider(key="", business_name="Resold Minutes", frns=("0000012345",))
    assert upsert_providers(session, [by_frn_only]) == UpsertCounts(0, 1, 0)
    assert keys(session) == {"RMD0009999"}


def test_an_empty_contact_in_an_import_keeps_the_one_an_admin_set(session):
    upsert_providers(session, [TELCO])
    upsert_providers(session, [replace(TELCO, contact_email="")])
    assert list_providers(session)[0].contact_email == "abuse@telco.example"


def test_providers_missing_from_an_import_stay_in_the_store(session):
    upsert_providers(session, [TELCO, GATEWAY])
    upsert_providers(session, [TELCO])
    assert keys(session) == {"1234", "GW01"}


def test_the_directory_names_every_provider_by_key(session):
    upsert_providers(session, [TELCO, FOREIGN, RESELLER])
    new_york = "America/New_York"  # no address: the business_zone setting's default
    assert provider_directory(session, Settings.from_environ().business_zone) == {
        "1234": ProviderInfo(
            "1234", "Telco One", "United States", False, "abuse@telco.example", new_york
        ),
        "FX99": ProviderInfo("FX99", "Overseas Voice", "India", True, "", new_york),
        "RMD0009999": ProviderInfo(
            "RMD0009999", "Resold Minutes LLC", "United States", time_zone=new_york
        ),
    }


def test_two_providers_cannot_share_a_key(session):
    upsert_providers(session, [TELCO])
    now = datetime.now(UTC)
    session.add(models.Provider(key="1234", business_name="Copy", created_at=now, updated_at=now))
    with pytest.raises(IntegrityError):
        session.flush()


def test_two_providers_cannot_share_an_rmd_number(session):
    upsert_providers(session, [TELCO, GATEWAY])
    gateway = session.scalars(select(models.Provider).where(models.Provider.key == "GW01")).one()
    gateway.identifiers.append(
        models.ProviderIdentifier(kind="rmd", value="RMD0000001", folded="rmd0000001")
    )
    with pytest.raises(IntegrityError):
        session.flush()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", "1234"),  # a key (and an OCN)
        ("rmd0000001", "1234"),  # an RMD number, any case
        ("0011223344", "1234"),  # an FRN
        ("11223344", "1234"),  # an FRN as the RMD export writes it, without leading zeros
        ("RMD0009999", "RMD0009999"),
        ("12345", "RMD0009999"),
        ("RМD0009999", None),  # a Cyrillic М is not an RMD number
        ("../GW01", None),
        ("", None),
    ],
)
def test_a_provider_is_found_by_any_of_its_identifiers(session, text, expected):
    upsert_providers(session, [TELCO, GATEWAY, RESELLER])
    assert resolve_key(session, text) == expected


def test_search_finds_a_provider_by_a_dba_or_part_of_an_identifier(session):
    upsert_providers(session, [TELCO, GATEWAY, RESELLER])
    assert [p.key for p in search_providers(session, "minutes4")] == ["RMD0009999"]
    assert [p.key for p in search_providers(session, "rmd000000")] == ["1234"]
    assert [p.key for p in search_providers(session, "100%")] == []


def test_a_record_that_names_two_providers_merges_them_and_keeps_every_row(session):
    clock = SimulatedClock()
    upsert_providers(session, [TELCO, RESELLER], clock)
    telco = session.scalars(select(models.Provider).where(models.Provider.key == "1234")).one()
    reseller_id = session.scalar(
        select(models.Provider.id).where(models.Provider.key == "RMD0009999")
    )
    call = models.Call(
        source="honeypot", source_ref="c1", calling_number="+12025550101",
        called_number="+12025550199", call_time=clock.now(), terminating_provider_id=reseller_id,
        imported_at=clock.now(),
    )  # fmt: skip
    session.add(call)
    session.flush()
    # An import says the FRN of the reseller belongs to the telco's filing: one company.
    joined = replace(TELCO, frns=("0011223344", "0000012345"))
    counts = upsert_providers(session, [joined], clock)
    assert counts.merged == 1
    assert keys(session) == {"1234"}
    assert session.get(models.Call, call.id).terminating_provider_id == telco.id
    assert resolve_key(session, "RMD0009999") == "1234"  # the old key still names it
    merged = list_providers(session)[0]
    assert set(merged.rmd_numbers) == {"RMD0000001", "RMD0009999"}
    assert "Cheap Calls" in merged.other_names
    (event,) = [e for e in list_audit(session) if e.action == "provider.merged"]
    assert (event.provider, event.details["absorbed"]) == ("1234", "RMD0009999")
    assert event.details["moved"] == {"calls.terminating_provider_id": 1}


def test_a_named_upstream_with_a_known_identifier_is_the_provider_that_holds_it(session):
    clock = SimulatedClock()
    upsert_providers(session, [RESELLER], clock)
    named = named_provider("Some Reseller", contact_email="noc@r.example", frn="12345")
    row = add_named_provider(session, named, "provider:AAAA", clock, by="AAAA")
    assert row.key == "RMD0009999"
    assert session.scalar(select(func.count(models.Provider.id))) == 1


def test_a_named_upstream_unknown_by_all_its_identifiers_is_registered_and_audited(session):
    clock = SimulatedClock()
    named = named_provider("Fresh Carrier", contact_email="noc@fresh.example", country="Canada")
    row = add_named_provider(session, named, "provider:AAAA", clock, by="AAAA")
    assert row.key.startswith("RT-")
    (event,) = list_audit(session)
    assert (event.action, event.provider, event.details["by"]) == (
        "provider.named",
        row.key,
        "AAAA",
    )
