"""``robotrace trace`` over a simulated world, checked against the simulator's truth.json."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from robotrace.cli import main
from robotrace.simulate.runner import SimulationParams, simulate


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    simulate(SimulationParams(seed=11, providers=24, days=1, calls=3000), out)
    return out


def _truth(world: Path) -> dict:
    return json.loads((world / "truth.json").read_text())


def _honeypot(world: Path) -> list[dict[str, str]]:
    with open(world / "honeypot.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_trace(path: list[str], providers: dict) -> tuple[list[str], str | None, str | None]:
    """Walk the true path from the terminating end as `trace` must: a provider without
    records stops the chain. Returns (asked providers, originating, gateway)."""
    asked, gateway = [], None
    for position in range(len(path) - 1, -1, -1):
        ocn = path[position]
        asked.append(ocn)
        if providers[ocn]["behaviour"] == "no_records":
            return asked, None, gateway
        upstream = path[position - 1] if position else None
        if upstream and providers[upstream]["foreign"] and not providers[ocn]["foreign"]:
            gateway = ocn
    return asked, path[0], gateway


def _invoke(world: Path, *args: str):
    registry = [world / "provider-ids.csv", world / "providers.csv"]
    files = [
        *(a for path in registry for a in ("--providers", str(path))),
        "--cdrs",
        str(world / "cdrs"),
    ]
    return CliRunner().invoke(main, ["trace", *files, *args])


def _trace(world: Path, *args: str) -> list[dict]:
    result = _invoke(world, "--json", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def test_tracing_honeypot_calls_from_files_follows_their_true_paths(world: Path, tmp_path: Path):
    truth, rows = _truth(world), _honeypot(world)[:25]
    calls = tmp_path / "calls.csv"
    with open(calls, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["calling_number", "called_number", "call_time", "terminating_provider"])
        for row in rows:
            writer.writerow(
                [
                    row["calling_number"],
                    row["called_number"],
                    row["call_time"],
                    row["terminating_provider"],
                ]
            )
    results = _trace(world, "--calls", str(calls))
    assert len(results) == len(rows)
    for row, result in zip(rows, results, strict=True):
        path = truth["honeypot"][row["call_id"]]["path"]
        asked, originating, gateway = expected_trace(path, truth["providers"])
        assert [hop["provider"] for hop in result["hops"]] == asked
        assert result["originating_provider"] == originating
        assert result["gateway_provider"] == gateway
        if originating is None:
            assert result["non_cooperative"] == [asked[-1]]
            assert result["outcome"] in ("non_responsive", "foreign_origin")
        else:
            assert result["outcome"] == "origin_identified"


def test_a_single_call_prints_one_json_object_with_the_documented_keys(world: Path):
    truth, row = _truth(world), _honeypot(world)[0]
    [result] = _trace(
        world,
        "--calling",
        row["calling_number"],
        "--called",
        row["called_number"],
        "--time",
        row["call_time"],
        "--at",
        row["terminating_provider"],
    )
    for key in (
        "outcome",
        "hops",
        "originating_provider",
        "gateway_provider",
        "non_cooperative",
        "customer",
    ):
        assert key in result
    assert {"provider", "answer", "role"} <= set(result["hops"][0])
    assert result["hops"][0]["provider"] == truth["honeypot"][row["call_id"]]["path"][-1]


def test_a_call_the_terminating_provider_never_saw_is_not_found(world: Path):
    row = _honeypot(world)[0]
    [result] = _trace(
        world,
        "--calling",
        row["calling_number"],
        "--called",
        "+12125550123",
        "--time",
        row["call_time"],
        "--at",
        row["terminating_provider"],
    )
    assert result["outcome"] == "not_found"
    assert [hop["answer"] for hop in result["hops"]] == ["not_found"]


def test_a_calls_file_with_bad_rows_traces_nothing_and_names_each_line(world: Path, tmp_path: Path):
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "calling_number,called_number,call_time,terminating_provider\n"
        "+12025550143,+13125550199,2020-04-01T10:00:00Z,ABCD\n"
        "+12025550143,,2020-04-01T10:00:00Z,ABCD\n"
        "+12025550143,+13125550199,yesterday,ABCD\n"
    )
    result = _invoke(world, "--calls", str(calls))
    assert result.exit_code == 2
    assert f"{calls}:3: empty called_number" in result.output
    assert f"{calls}:4: call_time" in result.output
    assert "TR-1" not in result.output


def test_an_unregistered_terminating_provider_gets_an_error_line_in_its_place(world: Path):
    row = _honeypot(world)[0]
    result = _invoke(
        world,
        "--json",
        "--calling",
        row["calling_number"],
        "--called",
        row["called_number"],
        "--time",
        row["call_time"],
        "--at",
        "ZZZZ",
    )
    assert result.exit_code == 1
    assert json.loads(result.output) == {
        "id": "TR-1",
        "error": "terminating provider ZZZZ is not registered",
    }


def test_a_calling_number_that_is_no_number_is_an_error_not_a_not_found(world: Path, tmp_path):
    """Issue 22: `trace --calling hello` answered not_found with exit 0."""
    row = _honeypot(world)[0]
    result = _invoke(
        world,
        "--calling",
        "hello",
        "--called",
        row["called_number"],
        "--time",
        row["call_time"],
        "--at",
        row["terminating_provider"],
    )
    assert result.exit_code == 2
    assert "calling number 'hello' is not a telephone number" in result.output
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "calling_number,called_number,call_time,terminating_provider\n"
        f"hello,{row['called_number']},{row['call_time']},{row['terminating_provider']}\n"
    )
    from_file = _invoke(world, "--calls", str(calls))
    assert from_file.exit_code == 2 and f"{calls}:2: calling number 'hello'" in from_file.output
