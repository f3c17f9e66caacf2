"""A Notification of Suspected Illegal Traffic: every provider's answer to one in truth, a
second script of the named campaign, and from the respond-by on the notified gateway carries
what its answer says it does."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from robotrace.cli import main
from robotrace.clock import parse_utc
from robotrace.simulate.runner import SimulationParams, simulate

from .worlds import LETTERS, NOTICE, World, read_csv

#: No letters; a notification on day one with a day to respond; a day of traffic after it.
QUICK = SimulationParams(
    seed=4, providers=20, days=3.0, calls=3000, notifications_at=datetime(2020, 4, 2, tzinfo=UTC),
    notification_days=1.0, shaken="off",
)  # fmt: skip


def _late(world: World, time: str) -> bool:
    return parse_utc(time) >= parse_utc(world.truth["notification"]["respond_by"])


def _late_calls(world: World) -> Counter[str]:
    return Counter(r["campaign"] for r in world.truth["robocalls"] if _late(world, r["t"]))


def _late_honeypot_calls(world: World) -> Counter[str]:
    return Counter(
        world.truth["honeypot"][row["call_id"]]["campaign"]
        for row in world.honeypot
        if _late(world, row["call_time"])
    )


def test_truth_names_the_notification_its_respond_by_and_every_providers_answer(
    notice_world: World,
) -> None:
    truth = notice_world.truth
    notice = truth["notification"]
    assert notice["at"] == "2020-04-05T00:00:00Z"
    assert notice["respond_by"] == "2020-04-19T00:00:00Z"
    assert truth["params"]["notifications_at"] == "2020-04-05T00:00:00Z"
    assert truth["params"]["notification_days"] == 14
    answers = Counter(p["on_notification"] for p in truth["providers"].values())
    assert set(answers) == {"blocks", "ignores", "names_upstream", "blocks_named_only"}
    assert answers["blocks_named_only"] == 1
    assert notice_world.provider(notice["provider"])["on_notification"] == notice["response"]


def test_the_notified_provider_is_the_gateway_of_the_named_campaign_and_ignored_its_letter(
    notice_world: World,
) -> None:
    notice = notice_world.truth["notification"]
    named = notice_world.campaign(notice["campaign"])
    assert named["traceable"]
    assert named["gateway_provider"] == notice["provider"]
    assert notice_world.provider(notice["provider"])["kind"] == "gateway"
    assert notice_world.provider(notice["provider"])["after_letter"] == "continues"


def test_the_variant_is_a_second_script_of_the_named_scam_with_the_same_call_back_number(
    notice_world: World,
) -> None:
    notice = notice_world.truth["notification"]
    named = notice_world.campaign(notice["campaign"])
    [variant_id] = notice["similar"]
    variant = notice_world.campaign(variant_id)
    assert variant["variant_of"] == named["id"]
    same = ("callback_number", "customer", "originating_provider", "gateway_provider", "topic")
    assert {k: variant[k] for k in same} == {k: named[k] for k in same}
    assert variant["name"] != named["name"]
    transcripts = {
        entry["campaign"]: row["transcript"]
        for row in notice_world.honeypot
        if (entry := notice_world.truth["honeypot"][row["call_id"]])["campaign"]
        in (named["id"], variant_id)
    }
    digits = named["callback_number"][2:]
    spoken = transcripts[variant_id].replace(" ", "").replace("-", "")
    assert digits in spoken
    assert transcripts[variant_id] != transcripts[named["id"]]
    others = [c for c in notice_world.truth["campaigns"] if c["id"] != variant_id]
    assert all(c["variant_of"] is None for c in others)


def test_originating_and_gateway_providers_block_or_ignore_and_the_others_name_their_upstream(
    notice_world: World,
) -> None:
    truth = notice_world.truth
    carriers = {c["originating_provider"] for c in truth["campaigns"]}
    carriers |= {c["gateway_provider"] for c in truth["campaigns"] if c["gateway_provider"]}
    subject = truth["notification"]["provider"]
    for key, provider in truth["providers"].items():
        if key == subject:
            continue
        expected = {"blocks", "ignores"} if key in carriers else {"names_upstream"}
        assert provider["on_notification"] in expected, key
    others = {truth["providers"][k]["on_notification"] for k in carriers - {subject}}
    assert others == {"blocks", "ignores"}


def test_after_the_respond_by_the_named_campaign_stops_and_its_variant_keeps_sending(
    notice_world: World,
) -> None:
    notice = notice_world.truth["notification"]
    [variant_id] = notice["similar"]
    late, late_honeypot = _late_calls(notice_world), _late_honeypot_calls(notice_world)
    named, variant = notice_world.campaign(notice["campaign"]), notice_world.campaign(variant_id)
    assert named["after_notification"] == "stops"
    assert late[named["id"]] == named["calls_after_respond_by"] == 0
    assert named["calls"] > 0
    assert variant["after_notification"] == "continues"
    assert late[variant_id] == variant["calls_after_respond_by"] > 0
    assert late_honeypot[variant_id] == variant["honeypot_calls_after_respond_by"] >= 3
    for call in notice_world.truth["robocalls"]:
        if _late(notice_world, call["t"]) and call["campaign"] == variant_id:
            assert notice["provider"] in call["path"]


def test_campaigns_the_notification_does_not_name_send_as_their_letters_left_them(
    notice_world: World,
) -> None:
    late = _late_calls(notice_world)
    for campaign in notice_world.truth["campaigns"]:
        assert late[campaign["id"]] == campaign["calls_after_respond_by"]
        if campaign["after_notification"] is None:
            assert campaign["after_letter"] in ("stops", "continues")
            sending = campaign["after_letter"] == "continues"
            assert (campaign["calls_after_respond_by"] > 0) == sending, campaign["id"]


def test_calls_after_the_letters_deadline_are_counted_to_the_end_of_the_world(
    notice_world: World,
) -> None:
    deadline = parse_utc(notice_world.truth["mitigation_deadline"])
    late = Counter(
        r["campaign"] for r in notice_world.truth["robocalls"] if parse_utc(r["t"]) >= deadline
    )
    for campaign in notice_world.truth["campaigns"]:
        assert late[campaign["id"]] == campaign["calls_after_deadline"]


def test_no_robocall_leaves_in_the_last_second_before_the_respond_by(notice_world: World) -> None:
    respond_by = parse_utc(notice_world.truth["notification"]["respond_by"]).timestamp()
    for call in notice_world.truth["robocalls"]:
        assert not respond_by - 1 <= parse_utc(call["t"]).timestamp() < respond_by


def test_the_notification_keeps_the_network_and_the_other_letter_responses(
    notice_world: World, letters_world: World
) -> None:
    """NOTICE is LETTERS with a notification (and longer): the same providers, and seed 1's
    notified gateway already continued after its letter."""
    assert (notice_world.out / "providers.csv").read_bytes() == (
        letters_world.out / "providers.csv"
    ).read_bytes()
    before = {k: p["after_letter"] for k, p in letters_world.truth["providers"].items()}
    after = {k: p["after_letter"] for k, p in notice_world.truth["providers"].items()}
    assert after == before


@pytest.mark.parametrize(
    ("response", "named_sends", "variant_sends"),
    [("blocks", False, False), ("ignores", True, True), ("blocks_named_only", False, True)],
)
def test_the_notified_gateway_carries_what_its_answer_says(
    tmp_path: Path, response: str, named_sends: bool, variant_sends: bool
) -> None:
    world = World(tmp_path)
    simulate(SimulationParams(**{**QUICK.__dict__, "notified_response": response}), tmp_path)
    notice = world.truth["notification"]
    assert notice["response"] == response
    assert world.provider(notice["provider"])["on_notification"] == response
    late = _late_calls(world)
    assert (late[notice["campaign"]] > 0) == named_sends
    assert (late[notice["similar"][0]] > 0) == variant_sends
    early = Counter(r["campaign"] for r in world.truth["robocalls"] if not _late(world, r["t"]))
    assert early[notice["campaign"]] > 0 and early[notice["similar"][0]] > 0
    assert "after_letter" not in world.provider(notice["provider"])


def test_the_same_seed_with_a_notification_writes_byte_identical_files(tmp_path: Path) -> None:
    simulate(QUICK, tmp_path / "a")
    simulate(QUICK, tmp_path / "b")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.csv"))
    assert files
    for name in [*files, Path("truth.json")]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"notifications_at": datetime(2020, 4, 3, tzinfo=UTC)},
            "notifications_at 2020-04-03T00:00:00Z must come after the letters' mitigation "
            "deadline (2020-04-04T00:00:00Z)",
        ),
        (
            {"notifications_at": datetime(2020, 4, 8, tzinfo=UTC)},
            "notifications_at: the respond-by 2020-04-22T00:00:00Z (notifications_at + 14 days) "
            "needs at least a day of traffic after it, but the traffic ends at "
            "2020-04-21T00:00:00Z; make days at least 22",
        ),
        ({"notified_response": "names_upstream"}, "notified_response must be one of"),
        ({"calls": 1500}, "calls: too few for 27 robocalls in the period 'before letters'"),
    ],
)
def test_a_notification_the_world_cannot_hold_is_refused_with_the_reason(
    changes: dict, message: str
) -> None:
    with pytest.raises(ValueError) as refused:
        SimulationParams(**{**NOTICE.__dict__, **changes}).check()
    assert message in str(refused.value)


def test_without_letters_the_notification_must_come_after_the_start() -> None:
    early = {**QUICK.__dict__, "notifications_at": QUICK.start - timedelta(hours=1)}
    with pytest.raises(ValueError, match="must come after the start"):
        SimulationParams(**early).check()


def test_the_command_simulates_a_notification(tmp_path: Path) -> None:
    args = ["simulate", "--out", str(tmp_path), "--seed", "4", "--providers", "20", "--days",
            "3", "--calls", "3000", "--shaken", "off", "--json", "--notifications-at",
            "2020-04-02T00:00:00Z", "--notification-days", "1",
            "--notified-response", "ignores"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["notification"]["respond_by"] == "2020-04-03T00:00:00Z"
    assert truth["notification"]["response"] == "ignores"
    assert read_csv(tmp_path / "honeypot.csv")


def test_a_world_without_a_notification_writes_no_notification_keys(letters_world: World) -> None:
    truth = letters_world.truth
    assert "notification" not in truth
    assert "notifications_at" not in truth["params"]
    assert all("on_notification" not in p for p in truth["providers"].values())
    assert all("variant_of" not in c for c in truth["campaigns"])
    assert LETTERS.notifications_at is None
