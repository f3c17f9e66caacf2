"""Per-provider CDR files: every honeypot call can be traced through them hop by hop."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise

from robotrace.cdr.schema import DISPOSITIONS, MAPPED_COLUMNS
from robotrace.numbers import match_key, normalize, try_normalize

from .worlds import World, cdr_time, read_csv

#: Default lookup tolerance (setting cdr_skew_seconds) that every provider's skew fits.
TOLERANCE = timedelta(seconds=5)
#: Most a call can take from its origin to its terminating provider.
LATENCY = timedelta(seconds=0.3)


def test_each_honeypot_call_is_reflected_in_the_cdrs_of_providers_that_keep_records(
    world: World,
) -> None:
    for call in world.honeypot:
        path = world.truth["honeypot"][call["call_id"]]["path"]
        for i, key in enumerate(path):
            if world.provider(key)["behaviour"] == "no_records":
                continue
            row = _leg_of(world, key, call)
            assert row["from_provider"] == (path[i - 1] if i else ""), (call, row)
            assert row["to_provider"] == (path[i + 1] if i + 1 < len(path) else ""), (call, row)


def test_the_originating_leg_names_the_customer_and_no_other_leg_does(world: World) -> None:
    for call in world.honeypot:
        entry = world.truth["honeypot"][call["call_id"]]
        for i, key in enumerate(entry["path"]):
            if world.provider(key)["behaviour"] == "no_records":
                continue
            customer = _leg_of(world, key, call)["customer"]
            if i > 0:
                assert customer == ""
            elif entry["campaign"] is not None:
                assert customer == world.campaign(entry["campaign"])["customer"]
            else:
                assert customer


def test_leg_times_differ_from_the_honeypot_only_by_skew_and_latency(world: World) -> None:
    for call in world.honeypot:
        heard = cdr_time(call["call_time"])
        for key in world.truth["honeypot"][call["call_id"]]["path"]:
            if world.provider(key)["behaviour"] == "no_records":
                continue
            own_clock = cdr_time(_leg_of(world, key, call)["call_time"])
            skew = timedelta(seconds=world.provider(key)["clock_skew_s"])
            assert abs(own_clock - heard) <= TOLERANCE
            assert timedelta(0) <= heard - (own_clock - skew) <= LATENCY


def test_number_formats_all_normalise_to_the_same_e164(world: World) -> None:
    formats_seen = set()
    for call in world.honeypot:
        for key in world.truth["honeypot"][call["call_id"]]["path"]:
            provider = world.provider(key)
            if provider["behaviour"] == "no_records":
                continue
            row = _leg_of(world, key, call)
            assert _e164(row["called_number"], provider["region"]) == call["called_number"]
            if try_normalize(call["calling_number"]) is not None:
                assert _e164(row["calling_number"], provider["region"]) == call["calling_number"]
            else:
                assert row["calling_number"] == call["calling_number"]
            formats_seen.add(provider["number_format"])
    assert len(formats_seen) >= 4


def test_cdr_rows_are_well_formed(world: World) -> None:
    call_ids: Counter[str] = Counter()
    for key in _keeping(world):
        rows = world.cdrs(key)
        assert rows and tuple(rows[0]) == MAPPED_COLUMNS
        for row in rows:
            assert row["provider"] == key
            assert row["disposition"] in DISPOSITIONS
            assert int(row["duration_s"]) >= 0
            assert (int(row["duration_s"]) > 0) == (row["disposition"] == "ANSWERED")
            # Signed calls carry the header after their signer (test_sim_shaken.py checks it).
            assert row["identity"] == "" or row["identity"].endswith(";alg=ES256;ppt=shaken")
            assert (row["from_provider"] == "") == (row["customer"] != "")
        call_ids.update(row["sip_call_id"] for row in rows)
    assert call_ids.most_common(1)[0][1] == 1


def test_cdr_rows_are_roughly_in_the_time_order_of_the_providers_clock(world: World) -> None:
    for key in _keeping(world):
        times = [cdr_time(row["call_time"]) for row in world.cdrs(key)]
        assert all(b - a > -LATENCY for a, b in pairwise(times))


def test_customers_name_only_originating_legs(world: World) -> None:
    origins = {c["customer"]: c["originating_provider"] for c in world.truth["campaigns"]}
    for key in _keeping(world):
        for row in world.cdrs(key):
            if row["customer"] in origins:
                assert origins[row["customer"]] == key


def test_robocall_legs_in_the_cdrs_match_the_true_robocall_count(tiny_world: World) -> None:
    customers = {c["customer"] for c in tiny_world.truth["campaigns"]}
    originating = 0
    for key in _keeping(tiny_world):
        originating += sum(r["customer"] in customers for r in tiny_world.cdrs(key))
    robocalls = tiny_world.truth["robocalls"]
    kept = [r for r in robocalls if _keeps_records(tiny_world, r["path"][0])]
    assert originating == len(kept)


def _leg_of(world: World, key: str, call: dict[str, str]) -> dict[str, str]:
    """The one row at ``key`` for the honeypot ``call``: same numbers, time within 5 s."""
    heard: datetime = cdr_time(call["call_time"])
    region = world.provider(key)["region"]
    matches = [
        row
        for row in world.cdrs(key)
        if abs(cdr_time(row["call_time"]) - heard) <= TOLERANCE
        and _e164(row["called_number"], region) == call["called_number"]
        and _key(row["calling_number"], region) == match_key(call["calling_number"])
    ]
    assert len(matches) == 1, (key, call, matches)
    return matches[0]


def _e164(number: str, region: str) -> str:
    """US spelling first; ``00``-prefixed numbers need the writer's own country."""
    return try_normalize(number) or normalize(number, region)


def _key(number: str, region: str) -> str:
    """:func:`match_key`, reading ``00``-prefixed numbers in the writer's own country."""
    return try_normalize(number) or try_normalize(number, region) or match_key(number)


def _keeping(world: World) -> list[str]:
    return [o for o in world.truth["providers"] if _keeps_records(world, o)]


def _keeps_records(world: World, key: str) -> bool:
    return world.provider(key)["behaviour"] != "no_records"


def test_tiny_world_cdrs_read_back(tiny_world: World) -> None:
    for key in _keeping(tiny_world):
        assert read_csv(tiny_world.out / "cdrs" / f"{key}.csv") is not None
