"""The providers of the simulated network, read back from its registry files and truth.json.

The registry's own files (the RMD export and provider-ids.csv) are checked in
test_sim_registry.py; here the network they describe.
"""

from __future__ import annotations

from robotrace.cdr.schema import MAPPED_COLUMNS
from robotrace.simulate.registry import read_world_providers

from .worlds import World, read_csv


def test_about_sixty_percent_of_providers_are_domestic(world: World) -> None:
    providers = read_world_providers(world.out)
    domestic = sum(not p.foreign for p in providers)
    assert 0.5 <= domestic / len(providers) <= 0.7


def test_registry_flags_agree_with_the_providers_roles(world: World) -> None:
    for provider in read_world_providers(world.out):
        kind = world.provider(provider.key)["kind"]
        assert provider.gateway_provider == (kind == "gateway")
        assert provider.foreign == (kind == "foreign")
        assert provider.foreign == (provider.country != "United States of America")


def test_every_behaviour_appears_in_a_network_of_twenty_providers(world: World) -> None:
    behaviours = [p["behaviour"] for p in world.truth["providers"].values()]
    assert set(behaviours) == {"cooperative", "no_records", "never_answers", "refuses"}
    assert behaviours.count("cooperative") > len(behaviours) / 2


def test_no_cdr_file_is_written_for_providers_that_keep_no_records(world: World) -> None:
    files = {p.stem for p in (world.out / "cdrs").iterdir()}
    keeping = {o for o, p in world.truth["providers"].items() if p["behaviour"] != "no_records"}
    assert files == keeping
    for key in files:
        header = (world.out / "cdrs" / f"{key}.csv").read_text().splitlines()[0]
        assert tuple(header.split(",")) == MAPPED_COLUMNS


def test_terminating_providers_are_local_and_cooperative(world: World) -> None:
    for path in world.paths():
        terminating = world.provider(path[-1])
        assert terminating["kind"] == "local"
        assert terminating["behaviour"] == "cooperative"


def test_clock_skew_stays_within_the_default_lookup_tolerance(world: World) -> None:
    for provider in world.truth["providers"].values():
        assert abs(provider["clock_skew_s"]) <= 4.0


def test_cdr_files_of_the_tiny_world_exist_even_for_small_networks(tiny_world: World) -> None:
    rows = [row for key in tiny_world.truth["providers"] for row in _rows(tiny_world, key)]
    assert rows


def _rows(world: World, key: str) -> list[dict[str, str]]:
    path = world.out / "cdrs" / f"{key}.csv"
    return read_csv(path) if path.exists() else []
