"""Honeypot recordings, FTC complaints and the truth file that explains them."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from difflib import SequenceMatcher

from robotrace.numbers import try_normalize

from .worlds import World

COMPLAINT_HEADER = (
    "Company_Phone_Number,Created_Date,Violation_Date,Consumer_City,Consumer_State,"
    "Consumer_Area_Code,Subject,Recorded_Message_Or_Robocall"
)
_DATE = "%Y-%m-%d %H:%M:%S"


def test_complaints_csv_header_is_exactly_the_ftc_one(world: World) -> None:
    first_line = (world.out / "complaints.csv").read_text().splitlines()[0]
    assert first_line == COMPLAINT_HEADER


def test_complaints_are_created_at_or_after_the_violation(world: World) -> None:
    assert world.complaints
    for row in world.complaints:
        created = datetime.strptime(row["Created_Date"], _DATE)
        violated = datetime.strptime(row["Violation_Date"], _DATE)
        assert created >= violated
        assert re.fullmatch(r"\d{3}", row["Consumer_Area_Code"])
        assert row["Recorded_Message_Or_Robocall"] in {"Y", "N"}


def test_complaints_look_like_what_consumers_type(world: World) -> None:
    numbers = [row["Company_Phone_Number"] for row in world.complaints]
    assert "" in numbers
    assert any(try_normalize(n) for n in numbers)
    subjects = {row["Subject"] for row in world.complaints}
    assert "Imposters" in subjects or "Imposters" in {s.strip() for s in subjects}


def test_honeypot_numbers_are_e164_unless_the_caller_id_is_invalid(world: World) -> None:
    assert world.honeypot
    for call in world.honeypot:
        assert re.fullmatch(r"\+1\d{10}", call["called_number"])
        calling = call["calling_number"]
        assert try_normalize(calling) in (calling, None)
        assert re.fullmatch(r"hp-\d{6}", call["call_id"])
        assert call["recording"] == call["call_id"] + ".wav"
        assert call["call_time"].endswith("Z")
        # Signed calls carry their header (test_sim_shaken.py verifies them).
        assert call["identity"] == "" or call["identity"].endswith(";ppt=shaken")


def test_every_honeypot_call_has_a_true_path_and_vice_versa(world: World) -> None:
    assert {c["call_id"] for c in world.honeypot} == set(world.truth["honeypot"])
    for call in world.honeypot:
        assert world.truth["honeypot"][call["call_id"]]["path"][-1] == call["terminating_provider"]


def test_every_campaign_reaches_honeypots_a_few_times_even_in_a_tiny_world(
    tiny_world: World,
) -> None:
    recorded = Counter(e["campaign"] for e in tiny_world.truth["honeypot"].values())
    for campaign in tiny_world.truth["campaigns"]:
        assert recorded[campaign["id"]] >= 3
        assert campaign["honeypot_calls"] == recorded[campaign["id"]]


def test_transcripts_of_one_campaign_are_near_duplicates_not_copies(world: World) -> None:
    """Each recording's nearest other recording is, nearly always, of the same campaign."""
    calls = [
        (world.truth["honeypot"][call["call_id"]]["campaign"], call["transcript"].lower())
        for call in world.honeypot
    ]
    calls = [(campaign, text) for campaign, text in calls if campaign is not None]
    same = 0
    for i, (campaign, text) in enumerate(calls):
        others = [c for j, c in enumerate(calls) if j != i and c[1] != text]
        nearest = max(others, key=lambda other: _similarity(text, other[1]))
        same += nearest[0] == campaign
    assert same >= 0.9 * len(calls)
    for campaign in {c for c, _ in calls}:
        assert len({text for c, text in calls if c == campaign}) > 1


def test_spoofed_caller_ids_rotate_and_are_sometimes_neighbours_or_invalid(world: World) -> None:
    robocalls = world.truth["robocalls"]
    invalid = [r for r in robocalls if try_normalize(r["calling"]) is None]
    neighbours = [r for r in robocalls if r["calling"][:8] == r["called"][:8]]
    assert 0 < len(invalid) < len(robocalls) / 10
    assert len(neighbours) > len(robocalls) / 10
    for campaign in world.truth["campaigns"]:
        calling = Counter(r["calling"] for r in robocalls if r["campaign"] == campaign["id"])
        assert len(calling) > campaign["calls"] / 60
        assert calling.most_common(1)[0][1] <= 60


def test_truth_json_lists_every_robocall_in_time_order(world: World) -> None:
    times = [r["t"] for r in world.truth["robocalls"]]
    assert times == sorted(times)
    assert len(times) == sum(c["calls"] for c in world.truth["campaigns"])
    assert set(world.truth) == {
        "seed", "params", "start", "providers", "campaigns", "honeypot", "robocalls", "shaken",
    }  # fmt: skip


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()
