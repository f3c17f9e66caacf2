"""Grouping the honeypot calls of simulated worlds, scored against their truth.json."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from robotrace.campaigns.grouping import FoundCampaign, Grouping, group_texts
from robotrace.campaigns.quality import adjusted_rand_index
from robotrace.numbers import try_normalize
from robotrace.simulate.runner import SimulationParams, simulate

SEEDS = (1, 2, 3)
#: The tag each simulated campaign kind must get (truth.json's campaign "topic").
EXPECTED_TAG = {
    "covid_test_kits": "covid-19",
    "ssa_suspension": "government-impersonation",
    "auto_warranty": "auto-warranty",
    "amazon_order": "amazon",
    "utility_disconnection": "utility-disconnection",
    "student_loans": "student-loans",
    "credit_card_interest": "credit-card-interest",
    "apple_support": "apple",
}


@dataclass
class Grouped:
    truth: dict[str, Any]
    labels: list[str | None]  # each honeypot call's true campaign (None: legitimate)
    grouping: Grouping

    def found_for(self, campaign_id: str) -> FoundCampaign:
        """The found campaign holding most of a true campaign's calls."""
        rows = [row for row, label in enumerate(self.labels) if label == campaign_id]
        index, _ = Counter(int(self.grouping.row_campaign[row]) for row in rows).most_common(1)[0]
        return self.grouping.campaigns[index]


def group_world(out: Path, params: SimulationParams) -> Grouped:
    simulate(params, out)
    truth = json.loads((out / "truth.json").read_text())
    with open(out / "honeypot.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    callers = [try_normalize(row["calling_number"]) for row in rows]
    grouping = group_texts([row["transcript"] for row in rows], callers)
    labels = [truth["honeypot"][row["call_id"]]["campaign"] for row in rows]
    return Grouped(truth, labels, grouping)


def world_params(seed: int, calls: int = 50_000, days: float = 2.0) -> SimulationParams:
    return SimulationParams(seed=seed, providers=20, days=days, calls=calls)


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Grouped:
    return group_world(tmp_path_factory.mktemp("world"), world_params(request.param))


def test_grouping_matches_the_true_campaigns(world: Grouped):
    robocalls = [row for row, label in enumerate(world.labels) if label is not None]
    truth = [world.labels[row] for row in robocalls]
    found = [int(world.grouping.row_campaign[row]) for row in robocalls]
    assert len(set(truth)) >= 6
    assert adjusted_rand_index(truth, found) >= 0.95


def test_legitimate_calls_never_join_a_robocall_campaign(world: Grouped):
    robocall_campaigns = {
        int(world.grouping.row_campaign[row])
        for row, label in enumerate(world.labels)
        if label is not None
    }
    legitimate = [row for row, label in enumerate(world.labels) if label is None]
    assert legitimate
    assert all(
        int(world.grouping.row_campaign[row]) not in robocall_campaigns for row in legitimate
    )


def test_each_campaign_reads_out_its_true_call_back_number_first(world: Grouped):
    for campaign in world.truth["campaigns"]:
        found = world.found_for(campaign["id"])
        assert found.callback_numbers[0] == campaign["callback_number"]


def test_each_campaign_gets_the_tag_of_its_topic(world: Grouped):
    for campaign in world.truth["campaigns"]:
        assert EXPECTED_TAG[campaign["topic"]] in world.found_for(campaign["id"]).tags


def test_campaign_ids_mostly_survive_twice_the_evidence(world: Grouped, tmp_path: Path):
    seed = world.truth["seed"]
    big = group_world(tmp_path, world_params(seed, calls=100_000, days=4.0))
    kept = [c["id"] for c in world.truth["campaigns"]
            if world.found_for(c["id"]).id == big.found_for(c["id"]).id]  # fmt: skip
    assert len(kept) >= len(world.truth["campaigns"]) - 1
