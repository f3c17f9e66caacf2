"""A provider's time zone from what the registry says of it (robotrace.providers.zones).

The expected zones are the zones of the state capitals (Oklahoma City and Austin are on
Central time, Honolulu on Hawaii time, Charleston WV and Washington DC on Eastern time, San
Juan on Atlantic time), as the tz database names them."""

from __future__ import annotations

import pytest

from robotrace.providers.zones import ProviderZone, provider_zone, state_of_address

DEFAULT = "America/New_York"


@pytest.mark.parametrize(
    ("address", "state", "zone"),
    [
        # As the RMD export writes them: the state spelled out, then the ZIP code.
        ("223 Broadway PO Box 789 Davenport Oklahoma 74026", "OK", "America/Chicago"),
        ("223 Broadway, Davenport OK 74026", "OK", "America/Chicago"),
        ("100 Congress Ave, Austin, TX 78701-4042, USA", "TX", "America/Chicago"),
        ("1 Main St, Washington, D.C. 20001", "DC", "America/New_York"),
        ("Washington, District of Columbia 20001", "DC", "America/New_York"),
        ("1 Capitol St Charleston West Virginia 25305", "WV", "America/New_York"),
        ("500 Pine St Seattle Washington 98101", "WA", "America/Los_Angeles"),
        ("Honolulu HI 96813 United States", "HI", "Pacific/Honolulu"),
        ("San Juan, Puerto Rico 00901", "PR", "America/Puerto_Rico"),
        ("5 State St Kansas City MO 64105", "MO", "America/Chicago"),
    ],
)
def test_the_state_an_address_ends_with_gives_its_main_zone(address, state, zone):
    assert state_of_address(address) == (state, zone)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "Rheinstraße 12, 50667 Köln",
        "12 Old Street, London EC1V 9HL",
        "5 Main St Indianapolis in",  # "in" is a word, not Indiana: abbreviations in capitals
        "PO Box 12, Springfield",
        "Texas Avenue 5, 10115 Berlin",  # a state name not at the end says nothing
    ],
)
def test_an_address_that_names_no_us_state_at_its_end_gives_none(address):
    assert state_of_address(address) is None


def test_a_zone_set_by_hand_wins_over_the_address():
    found = provider_zone("America/Denver", "Davenport OK 74026", False, DEFAULT)
    assert found == ProviderZone("America/Denver", "set")


def test_the_address_wins_over_the_default():
    found = provider_zone(None, "Davenport OK 74026", False, DEFAULT)
    assert found == ProviderZone("America/Chicago", "address", "OK")


def test_a_foreign_provider_gets_the_default_whatever_its_address_says():
    found = provider_zone(
        None, "1 Rue Sainte-Catherine, Montréal QC H3B 1A7 via Buffalo NY", True, DEFAULT
    )
    assert found == ProviderZone(DEFAULT, "default")


def test_a_provider_without_an_address_gets_the_default_zone():
    assert provider_zone(None, "", False, "America/Phoenix") == ProviderZone(
        "America/Phoenix", "default"
    )
