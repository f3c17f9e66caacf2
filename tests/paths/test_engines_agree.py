"""Both engines against generated networks' answers, against each other, and on the edges of
the band join's contract: the tolerance (inclusive), the tie-breaks, dead ends, loops and the
hop limit."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from robotrace.paths.duck import DuckEngine
from robotrace.paths.engine import TracingEngine

from .builders import (
    T0_MS,
    Call,
    Leg,
    Network,
    Provider,
    Traced,
    gateway_of,
    networks,
    subscriber,
    trace_network,
)

GENERATED = settings(
    deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], max_examples=50
)


def assert_traced_as_generated(traced: Traced, network: Network) -> None:
    got = traced.by_call()
    assert set(got) == {call.call_id for call in network.calls}
    for call in network.calls:
        row = got[call.call_id]
        assert (row["status"], row["path"]) == (call.status, call.traced), call
        origin = call.status == "origin"
        assert row["origin_provider"] == (call.traced[0] if origin else None)
        assert row["customer"] == (f"Customer of {call.traced[0]}" if origin else None)
        dead_end = call.status in ("no_records", "no_match")
        assert row["dead_end_provider"] == (call.traced[0] if dead_end else None)
        assert row["gateway_provider"] == gateway_of(call.traced, network.foreign())


def sorted_hops(traced: Traced):  # type: ignore[no-untyped-def]
    return traced.hops.sort_by([("call_id", "ascending"), ("hop", "ascending")])


@GENERATED
@given(network=networks())
def test_the_duckdb_engine_traces_every_generated_call_as_generated(network: Network) -> None:
    with tempfile.TemporaryDirectory() as where:
        engine = DuckEngine()
        try:
            traced = trace_network(engine, network, Path(where))
        finally:
            engine.close()
    assert_traced_as_generated(traced, network)


@pytest.mark.spark
@settings(GENERATED, max_examples=4)
@given(network=networks(max_calls=5))
def test_the_spark_engine_traces_generated_calls_as_duckdb_does(network: Network, spark) -> None:  # type: ignore[no-untyped-def]
    from robotrace.paths.spark import SparkEngine

    with tempfile.TemporaryDirectory() as where:
        duck = DuckEngine()
        try:
            expected = trace_network(duck, network, Path(where) / "duckdb")
        finally:
            duck.close()
        engine = SparkEngine(session=spark)
        try:
            traced = trace_network(engine, network, Path(where) / "spark")
        finally:
            engine.close()
    assert_traced_as_generated(traced, network)
    assert traced.paths.equals(expected.paths)
    assert sorted_hops(traced).equals(sorted_hops(expected))


# --- the edges, on both engines ------------------------------------------------------------

T = T0_MS + 3_600_000 + 123
CALLED = subscriber(1)
CALLER = subscriber(2)
OTHER_CALLER = subscriber(3)


def listed(call_id: str = "x", at: int = T, calling: str = CALLER) -> Call:
    return Call(call_id, CALLED, calling, at, ["TERM"])


def leg(
    provider: str, at: int = T, upstream: str = "", calling: str = CALLER, sip: str = ""
) -> Leg:
    customer = "" if upstream else f"Customer of {provider}"
    return Leg(provider, at, calling, CALLED, upstream, customer, sip or f"{provider}-{at}")


def world(*legs: Leg, calls: list[Call], tolerance: int = 1_000, max_hops: int = 16) -> Network:
    providers = {leg.provider: Provider(leg.provider) for leg in legs}
    return Network(tolerance, providers, calls, list(legs), max_hops)


def trace_one(engine: TracingEngine, network: Network, where: Path) -> tuple[dict, list[dict]]:  # type: ignore[type-arg]
    traced = trace_network(engine, network, where)
    call_id = network.calls[0].call_id
    return traced.by_call()[call_id], traced.hop_rows(call_id)


def test_a_leg_with_the_calls_calling_number_wins_over_one_as_near(paths_engine, tmp_path):
    network = world(
        leg("TERM", upstream="MID"),
        leg("MID", T - 200, upstream="WRONG", calling=OTHER_CALLER),  # earlier, as near
        leg("MID", T + 200, upstream="RIGHT"),
        leg("WRONG"),
        leg("RIGHT"),
        calls=[listed()],
    )
    row, hops = trace_one(paths_engine, network, tmp_path)
    assert (row["status"], row["path"]) == ("origin", ["RIGHT", "MID", "TERM"])
    assert (hops[1]["delta_ms"], hops[1]["calling_matched"]) == (200, True)


@pytest.mark.parametrize("calling", [CALLER, ""], ids=["both-match-the-caller", "no-caller-id"])
def test_of_two_legs_as_near_and_alike_the_earlier_wins(paths_engine, tmp_path, calling):
    network = world(
        leg("TERM", upstream="MID"),
        leg("MID", T + 300, upstream="LATER"),
        leg("MID", T - 300, upstream="EARLIER"),
        leg("LATER"),
        leg("EARLIER"),
        calls=[listed(calling=calling)],
    )
    row, hops = trace_one(paths_engine, network, tmp_path)
    assert row["path"] == ["EARLIER", "MID", "TERM"]
    assert (hops[1]["delta_ms"], hops[1]["calling_matched"]) == (-300, calling != "")


def test_of_two_legs_at_the_same_time_the_smaller_sip_call_id_wins(paths_engine, tmp_path):
    network = world(
        leg("TERM", upstream="MID"),
        leg("MID", T + 5, upstream="B", sip="b-1"),
        leg("MID", T + 5, upstream="A", sip="a-1"),
        leg("A"),
        leg("B"),
        calls=[listed()],
    )
    row, _ = trace_one(paths_engine, network, tmp_path)
    assert row["path"] == ["A", "MID", "TERM"]


@pytest.mark.parametrize("tolerance", [0, 1, 5_000])
def test_a_leg_at_the_tolerance_is_found_and_one_ms_beyond_is_not(
    paths_engine, tmp_path, tolerance
):
    far = 10 * tolerance + 10_000  # the calls to one number: apart, so none matches another's
    network = world(
        leg("TERM", T + tolerance),
        leg("TERM", T + far - tolerance),
        leg("TERM", T + 2 * far + tolerance + 1),
        leg("TERM", T + 3 * far - tolerance - 1),
        tolerance=tolerance,
        calls=[
            listed("after", T),
            listed("before", T + far),
            listed("after-beyond", T + 2 * far),
            listed("before-beyond", T + 3 * far),
        ],
    )
    traced = trace_network(paths_engine, network, tmp_path)
    rows = traced.by_call()
    assert {call_id: rows[call_id]["status"] for call_id in rows} == {
        "after": "origin",
        "before": "origin",
        "after-beyond": "no_match",
        "before-beyond": "no_match",
    }
    assert [traced.hop_rows(c)[0]["delta_ms"] for c in ("after", "before")] == [
        tolerance,
        -tolerance,
    ]
    assert traced.hop_rows("after")[0]["leg_ms"] == T + tolerance


def test_a_hand_over_to_a_provider_without_records_ends_there(paths_engine, tmp_path):
    network = world(leg("TERM", upstream="GONE"), calls=[listed()])
    row, hops = trace_one(paths_engine, network, tmp_path)
    assert (row["status"], row["path"], row["dead_end_provider"]) == (
        "no_records",
        ["GONE", "TERM"],
        "GONE",
    )
    assert [h["found"] for h in hops] == [True, False]


def test_a_provider_with_records_but_no_leg_in_time_is_no_match(paths_engine, tmp_path):
    network = world(
        leg("TERM", upstream="MID"),
        leg("MID", T + 60_000),  # the same number, a minute later: another call
        calls=[listed()],
    )
    row, _ = trace_one(paths_engine, network, tmp_path)
    assert (row["status"], row["path"], row["dead_end_provider"]) == (
        "no_match",
        ["MID", "TERM"],
        "MID",
    )


def test_a_terminating_provider_without_records_is_a_dead_end_at_once(paths_engine, tmp_path):
    network = world(leg("ELSE"), calls=[listed()])
    row, _ = trace_one(paths_engine, network, tmp_path)
    assert (row["status"], row["path"], row["legs_found"]) == ("no_records", ["TERM"], 0)


@pytest.mark.parametrize("back_to", ["TERM", "MID"])
def test_a_leg_naming_a_provider_already_on_the_path_is_a_loop(paths_engine, tmp_path, back_to):
    network = world(leg("TERM", upstream="MID"), leg("MID", upstream=back_to), calls=[listed()])
    row, hops = trace_one(paths_engine, network, tmp_path)
    assert (row["status"], row["path"]) == ("loop", ["MID", "TERM"])
    assert [(h["loop"], h["from_provider"]) for h in hops] == [(False, "MID"), (True, back_to)]


@pytest.mark.parametrize(
    ("max_hops", "status", "path"),
    [
        (2, "hop_limit", ["C", "TERM"]),
        (3, "hop_limit", ["B", "C", "TERM"]),
        (4, "origin", ["A", "B", "C", "TERM"]),
    ],
)
def test_a_path_longer_than_the_hop_limit_stops_at_it(
    paths_engine, tmp_path, max_hops, status, path
):
    network = world(
        leg("TERM", upstream="C"),
        leg("C", upstream="B"),
        leg("B", upstream="A"),
        leg("A"),
        calls=[listed()],
        max_hops=max_hops,
    )
    row, hops = trace_one(paths_engine, network, tmp_path)
    assert (row["status"], row["path"]) == (status, path)
    assert len(hops) == min(max_hops, 4)
