"""The providers of the simulated network, read back from providers.csv and truth.json."""

from __future__ import annotations

import re

from robotrace.cdr.schema import CDR_COLUMNS
from robotrace.providers.registry import IMPLEMENTATIONS, read_providers_csv

from .worlds import SMALL, World, read_csv


def test_providers_csv_is_readable_by_the_registry(world: World) -> None:
    providers = read_providers_csv(world.out / "providers.csv")
    assert len(providers) == SMALL.providers
    assert [p.ocn for p in providers] == list(world.truth["providers"])
    for provider in providers:
        assert re.fullmatch(r"[0-9A-Z]{4}", provider.ocn)
        assert re.fullmatch(r"RMD\d{7}", provider.rmd_number)
        assert re.fullmatch(r"\d{10}", provider.frn)
        assert provider.implementation in IMPLEMENTATIONS
        assert re.fullmatch(r"compliance@[a-z0-9-]+\.example", provider.contact_email)
        assert provider.foreign == (provider.country != "United States")


def test_about_sixty_percent_of_providers_are_domestic(world: World) -> None:
    providers = read_providers_csv(world.out / "providers.csv")
    domestic = sum(not p.foreign for p in providers)
    assert 0.5 <= domestic / len(providers) <= 0.7


def test_registry_flags_agree_with_the_providers_roles(world: World) -> None:
    for provider in read_providers_csv(world.out / "providers.csv"):
        kind = world.provider(provider.ocn)["kind"]
        assert provider.gateway_provider == (kind == "gateway")
        assert provider.foreign == (kind == "foreign")


def test_every_behaviour_appears_in_a_network_of_twenty_providers(world: World) -> None:
    behaviours = [p["behaviour"] for p in world.truth["providers"].values()]
    assert set(behaviours) == {"cooperative", "no_records", "never_answers", "refuses"}
    assert behaviours.count("cooperative") > len(behaviours) / 2


def test_no_cdr_file_is_written_for_providers_that_keep_no_records(world: World) -> None:
    files = {p.stem for p in (world.out / "cdrs").iterdir()}
    keeping = {o for o, p in world.truth["providers"].items() if p["behaviour"] != "no_records"}
    assert files == keeping
    for ocn in files:
        header = (world.out / "cdrs" / f"{ocn}.csv").read_text().splitlines()[0]
        assert tuple(header.split(",")) == CDR_COLUMNS


def test_terminating_providers_are_local_and_cooperative(world: World) -> None:
    for path in world.paths():
        terminating = world.provider(path[-1])
        assert terminating["kind"] == "local"
        assert terminating["behaviour"] == "cooperative"


def test_clock_skew_stays_within_the_default_lookup_tolerance(world: World) -> None:
    for provider in world.truth["providers"].values():
        assert abs(provider["clock_skew_s"]) <= 4.0


def test_cdr_files_of_the_tiny_world_exist_even_for_small_networks(tiny_world: World) -> None:
    rows = [row for ocn in tiny_world.truth["providers"] for row in _rows(tiny_world, ocn)]
    assert rows


def _rows(world: World, ocn: str) -> list[dict[str, str]]:
    path = world.out / "cdrs" / f"{ocn}.csv"
    return read_csv(path) if path.exists() else []
