"""The DuckDB engine on a simulated world at the simulator's default clock skew: every
robocall's path and every campaign's origin and gateway against truth.json."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pyarrow as pa
import pytest

from robotrace.paths.assemble import assemble_paths
from robotrace.paths.calls import read_calls
from robotrace.paths.duck import DuckEngine
from robotrace.paths.engine import trace_paths
from robotrace.paths.flows import campaign_flows
from tests.paths.world import expected_path, robocalls_csv, simulated_world, truth_of

TOLERANCE_MS = 5_000  # the cdr_skew_seconds default


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory):
    world = simulated_world(tmp_path_factory.mktemp("world"))
    calls = read_calls(robocalls_csv(world, world / "calls.csv"))
    engine = DuckEngine()
    try:
        hops = trace_paths(engine, world / "store", calls, TOLERANCE_MS)
        truth = truth_of(world)
        foreign = {ocn for ocn, p in truth["providers"].items() if p["foreign"]}
        paths = assemble_paths(hops, calls, engine.providers_with_records(world / "store"), foreign)
    finally:
        engine.close()
    return truth, paths


def test_at_least_995_in_1000_paths_equal_the_truth(traced):
    truth, paths = traced
    calls = truth["robocalls"]
    got = {row["call_id"]: row for row in paths.to_pylist()}
    assert len(got) == len(calls) > 1000
    right = 0
    for n, call in enumerate(calls):
        row = got[f"rc-{n}"]
        status, path = expected_path(truth, call["path"])
        right += (row["status"], row["path"]) == (status, path)
        if status == "origin":
            assert row["origin_provider"] == call["path"][0]
        else:
            assert row["dead_end_provider"] == path[0]
    assert right / len(calls) >= 0.995
    statuses = Counter(row["status"] for row in got.values())
    assert statuses["origin"] > 0 and statuses["no_records"] > 0  # both kinds of end occur


def test_each_campaigns_flow_names_its_true_origin_and_gateway(traced):
    truth, paths = traced
    flows = {flow.campaign: flow for flow in campaign_flows(paths)}
    checked = 0
    for campaign in truth["campaigns"]:
        flow = flows[campaign["id"]]
        assert flow.calls == campaign["calls"]
        if flow.status["origin"] == 0:
            continue  # every call crosses a provider without records
        checked += 1
        assert [v.provider for v in flow.origins] == [campaign["originating_provider"]]
        gateway = campaign["gateway_provider"]
        assert [v.provider for v in flow.gateways] == ([gateway] if gateway else [])
        assert flow.providers[0].calls <= flow.calls
    assert checked >= 2


def test_the_links_carry_every_hand_over_of_the_true_paths(traced):
    truth, paths = traced
    flows = {flow.campaign: flow for flow in campaign_flows(paths)}
    for campaign in truth["campaigns"]:
        counted: Counter[tuple[int, str, str]] = Counter()
        for call in truth["robocalls"]:
            if call["campaign"] != campaign["id"]:
                continue
            _, path = expected_path(truth, call["path"])
            counted.update((i, a, b) for i, (a, b) in enumerate(pairwise(path)))
        links = {
            (lk.source[0], lk.source[1], lk.target[1]): lk.calls
            for lk in flows[campaign["id"]].links
        }
        assert links == dict(counted), campaign["id"]


def test_without_a_provider_list_no_gateway_is_named(traced):
    _, paths = traced
    assert paths.column("gateway_provider").null_count < paths.num_rows  # with the list
    hops = pa.table(
        {
            "call_id": ["x"],
            "hop": pa.array([0], pa.int32()),
            "provider": ["T"],
            "found": [True],
            "leg_ms": pa.array([0], pa.int64()),
            "delta_ms": pa.array([0], pa.int64()),
            "from_provider": pa.array([None], pa.string()),
            "customer": ["Acme"],
            "calling_matched": [False],
            "loop": [False],
            "path": ["|T|"],
        }
    )
    one = pa.table(
        {
            "call_id": ["x"],
            "called_key": ["2025550143"],
            "calling_key": [""],
            "t_ms": pa.array([0], pa.int64()),
            "terminating_provider": ["T"],
            "called_number": ["+12025550143"],
            "calling_number": [""],
            "campaign": pa.array([None], pa.string()),
        }
    )
    (row,) = assemble_paths(hops, one, {"T"}, None).to_pylist()
    assert (row["status"], row["path"], row["gateway_provider"]) == ("origin", ["T"], None)
