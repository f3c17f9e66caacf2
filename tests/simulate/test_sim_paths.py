"""True call paths (truth.json) and the rules of the network they must obey."""

from __future__ import annotations

from collections import defaultdict

from robotrace.providers.registry import by_key
from robotrace.simulate.registry import read_world_providers

from .worlds import World


def test_every_true_path_is_two_to_eight_providers_long(world: World) -> None:
    lengths = {len(path) for path in world.paths()}
    assert min(lengths) >= 2
    assert max(lengths) <= 8


def test_no_provider_appears_twice_in_a_path(world: World) -> None:
    for path in world.paths():
        assert len(set(path)) == len(path)


def test_foreign_traffic_enters_the_us_only_through_gateways(world: World) -> None:
    registry = by_key(read_world_providers(world.out))
    for path in world.paths():
        foreign = [registry[key].foreign for key in path]
        first_domestic = foreign.index(False)
        assert not any(foreign[first_domestic:]), path
        if first_domestic > 0:
            assert registry[path[first_domestic]].gateway_provider, path


def test_only_gateways_take_calls_from_foreign_providers_in_the_cdrs(world: World) -> None:
    registry = by_key(read_world_providers(world.out))
    for key in world.truth["providers"]:
        if registry[key].foreign or world.provider(key)["behaviour"] == "no_records":
            continue
        for row in world.cdrs(key):
            if row["from_provider"] and registry[row["from_provider"]].foreign:
                assert registry[key].gateway_provider, row


def test_each_campaign_has_one_originating_provider_and_at_most_one_gateway(world: World) -> None:
    origins: dict[str, set[str]] = defaultdict(set)
    gateways: dict[str, set[str | None]] = defaultdict(set)
    for call in world.truth["robocalls"]:
        origins[call["campaign"]].add(call["path"][0])
        gateways[call["campaign"]].add(_gateway(world, call["path"]))
    for campaign in world.truth["campaigns"]:
        assert origins[campaign["id"]] == {campaign["originating_provider"]}
        assert gateways[campaign["id"]] == {campaign["gateway_provider"]}


def test_campaign_providers_are_consistent_with_their_honeypot_paths(world: World) -> None:
    for entry in world.truth["honeypot"].values():
        if entry["campaign"] is None:
            continue
        campaign = world.campaign(entry["campaign"])
        assert entry["path"][0] == campaign["originating_provider"]
        assert _gateway(world, entry["path"]) == campaign["gateway_provider"]


def test_most_campaigns_originate_abroad_and_at_least_one_at_home(world: World) -> None:
    gateways = [c["gateway_provider"] for c in world.truth["campaigns"]]
    assert 5 <= len(gateways) <= 8
    assert gateways.count(None) >= 1
    assert len(gateways) - gateways.count(None) > len(gateways) / 2


def test_some_campaigns_cross_a_non_cooperative_provider_and_most_do_not(world: World) -> None:
    troubled = set()
    for call in world.truth["robocalls"]:
        if any(world.provider(o)["behaviour"] != "cooperative" for o in call["path"]):
            troubled.add(call["campaign"])
    campaigns = world.truth["campaigns"]
    assert 1 <= len(troubled) < len(campaigns) / 2
    assert troubled == {c["id"] for c in campaigns if not c["traceable"]}


def test_campaigns_use_the_required_kinds_of_scripts(world: World) -> None:
    topics = {c["topic"] for c in world.truth["campaigns"]}
    required = {
        "covid_test_kits", "ssa_suspension", "auto_warranty", "amazon_order",
        "utility_disconnection",
    }  # fmt: skip
    assert required <= topics


def test_campaign_call_counts_add_up_to_the_robocall_share(world: World) -> None:
    calls = [c["calls"] for c in world.truth["campaigns"]]
    assert sum(calls) == len(world.truth["robocalls"])
    assert sum(calls) == round(world.truth["params"]["calls"] * 0.3)


def _gateway(world: World, path: list[str]) -> str | None:
    """The first US provider after a foreign one, or None for a domestic origin."""
    if not world.provider(path[0])["foreign"]:
        return None
    return next(o for o in path if not world.provider(o)["foreign"])
