"""Warning letters: after the deadline the providers that stop carry none of the traffic they
were warned about; the ones that continue keep sending, honeypots included."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from robotrace.clock import parse_utc
from robotrace.simulate.runner import SimulationParams, simulate

from .worlds import LETTERS, World, cdr_time


def _after_deadline(world: World, time: str) -> bool:
    return parse_utc(time) >= world.deadline


def _honeypot_campaign_calls(world: World) -> list[tuple[dict[str, str], dict[str, Any]]]:
    """Honeypot rows of campaign calls, each with its true path entry."""
    rows = [(row, world.truth["honeypot"][row["call_id"]]) for row in world.honeypot]
    return [(row, entry) for row, entry in rows if entry["campaign"] is not None]


def test_truth_names_the_letters_the_deadline_and_every_providers_response(
    letters_world: World,
) -> None:
    truth = letters_world.truth
    assert truth["letters_at"] == "2020-04-02T00:00:00Z"
    assert truth["mitigation_deadline"] == "2020-04-04T00:00:00Z"
    assert truth["params"]["letters_at"] == "2020-04-02T00:00:00Z"
    assert truth["params"]["mitigation_hours"] == 48
    assert {p["after_letter"] for p in truth["providers"].values()} == {"stops", "continues"}
    for campaign in truth["campaigns"]:
        warned = campaign["gateway_provider"] or campaign["originating_provider"]
        assert campaign["warned_provider"] == warned
        assert campaign["after_letter"] == letters_world.provider(warned)["after_letter"]


def test_no_robocall_after_the_deadline_crosses_a_provider_that_stops_in_its_warned_role(
    letters_world: World,
) -> None:
    robocalls = letters_world.truth["robocalls"]
    late = [r for r in robocalls if _after_deadline(letters_world, r["t"])]
    assert late
    for call in late:
        warned = letters_world.warned_provider(call["path"])
        assert letters_world.provider(warned)["after_letter"] == "continues", call
    early = [r for r in robocalls if not _after_deadline(letters_world, r["t"])]
    stopping = [
        r for r in early if letters_world.campaign(r["campaign"])["after_letter"] == "stops"
    ]
    assert stopping, "the stopping providers carried their campaigns before the deadline"


def test_no_honeypot_call_after_the_deadline_came_through_a_provider_that_stops(
    letters_world: World,
) -> None:
    late = [
        (row, entry)
        for row, entry in _honeypot_campaign_calls(letters_world)
        if _after_deadline(letters_world, row["call_time"])
    ]
    assert late
    for row, entry in late:
        warned = letters_world.warned_provider(entry["path"])
        assert letters_world.provider(warned)["after_letter"] == "continues", row


def test_campaigns_whose_warned_provider_stops_send_nothing_after_the_deadline(
    letters_world: World,
) -> None:
    late = Counter(
        r["campaign"]
        for r in letters_world.truth["robocalls"]
        if _after_deadline(letters_world, r["t"])
    )
    stopped = [c for c in letters_world.truth["campaigns"] if c["after_letter"] == "stops"]
    assert stopped
    for campaign in stopped:
        assert campaign["calls"] > 0
        assert late[campaign["id"]] == campaign["calls_after_deadline"] == 0
        assert campaign["honeypot_calls_after_deadline"] == 0


def test_campaigns_through_providers_that_continue_keep_reaching_honeypots_after_the_deadline(
    letters_world: World,
) -> None:
    late_calls = Counter(
        r["campaign"]
        for r in letters_world.truth["robocalls"]
        if _after_deadline(letters_world, r["t"])
    )
    late_honeypot = Counter(
        entry["campaign"]
        for row, entry in _honeypot_campaign_calls(letters_world)
        if _after_deadline(letters_world, row["call_time"])
    )
    continuing = [c for c in letters_world.truth["campaigns"] if c["after_letter"] == "continues"]
    assert continuing
    for campaign in continuing:
        assert late_calls[campaign["id"]] == campaign["calls_after_deadline"] > 0
        assert late_honeypot[campaign["id"]] == campaign["honeypot_calls_after_deadline"] >= 3


def test_every_campaign_reaches_honeypots_before_the_letters(letters_world: World) -> None:
    letters_at = parse_utc(letters_world.truth["letters_at"])
    early = Counter(
        entry["campaign"]
        for row, entry in _honeypot_campaign_calls(letters_world)
        if parse_utc(row["call_time"]) < letters_at
    )
    for campaign in letters_world.truth["campaigns"]:
        assert early[campaign["id"]] >= 3


def test_providers_that_stop_still_carry_ordinary_calls_after_the_deadline(
    letters_world: World,
) -> None:
    stopping = {
        c["warned_provider"]
        for c in letters_world.truth["campaigns"]
        if c["after_letter"] == "stops"
        and letters_world.provider(c["warned_provider"])["behaviour"] != "no_records"
    }
    assert stopping
    for key in stopping:
        rows = letters_world.cdrs(key)
        assert any(cdr_time(row["call_time"]) > letters_world.deadline for row in rows), key


def test_letter_candidates_include_one_that_stops_and_one_that_continues(tmp_path: Path) -> None:
    """Candidates: gateways of traceable foreign campaigns, origins of domestic ones."""
    for providers in (12, 24, 40):
        for seed in range(1, 6):
            params = SimulationParams(**{**LETTERS.__dict__, "seed": seed, "providers": providers,
                                         "calls": 1000})  # fmt: skip
            world = World(tmp_path / f"{providers}-{seed}")
            simulate(params, world.out)
            candidates = {
                c["gateway_provider"] or c["originating_provider"]
                for c in world.truth["campaigns"]
                if c["traceable"]
            }
            responses = {world.provider(key)["after_letter"] for key in candidates}
            assert len(candidates) < 2 or responses == {"stops", "continues"}, (seed, providers)


def test_a_provider_that_stops_originating_still_carries_other_campaigns_in_transit(
    letters_world: World,
) -> None:
    """Letters change a provider's warned role only: seed 1's stopping originator is also
    an intermediate of campaigns whose gateway continues."""
    originators = {
        c["originating_provider"]
        for c in letters_world.truth["campaigns"]
        if c["gateway_provider"] is None and c["after_letter"] == "stops"
    }
    late = [r for r in letters_world.truth["robocalls"] if _after_deadline(letters_world, r["t"])]
    assert originators
    assert any(set(r["path"][1:]) & originators for r in late)


def test_no_robocall_leaves_in_the_last_second_before_the_deadline(letters_world: World) -> None:
    """So each call reaches its honeypot (under 0.3 s later) on the same side of the deadline."""
    deadline = letters_world.deadline.timestamp()
    for call in letters_world.truth["robocalls"]:
        assert not deadline - 1 <= parse_utc(call["t"]).timestamp() < deadline
