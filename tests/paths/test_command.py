"""``robotrace paths`` end to end on a simulated world: the files it writes, read back with
pyarrow, json and the PNG header; bad input refused with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from robotrace.cli import main
from robotrace.paths.flows import load_flow
from tests.paths.world import expected_path, robocalls_csv, simulated_world, truth_of
from tests.stats.test_charts import png_size


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simulated_world(tmp_path_factory.mktemp("world"), seed=11, calls=6_000)


def run(*arguments: str):
    return CliRunner().invoke(main, ["paths", *arguments])


def test_the_paths_flows_and_charts_of_the_robocalls(world, tmp_path):
    calls = robocalls_csv(world, tmp_path / "calls.csv")
    out, analytics = tmp_path / "out", tmp_path / "analytics"
    result = run(
        "--cdrs", str(world / "store"), "--calls", str(calls), "--out", str(out),
        "--providers", str(world / "provider-ids.csv"), "--providers", str(world / "providers.csv"),
        "--analytics-dir", str(analytics), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    truth = truth_of(world)
    robocalls = truth["robocalls"]
    assert summary["calls"] == len(robocalls)
    table = pq.read_table(out / "paths.parquet").to_pylist()
    by_id = {row["call_id"]: row for row in table}
    for n, call in enumerate(robocalls):
        status, path = expected_path(truth, call["path"])
        assert (by_id[f"rc-{n}"]["status"], by_id[f"rc-{n}"]["path"]) == (status, path)
    flows = {f["campaign"]: f for f in json.loads((out / "flows.json").read_text())}
    assert set(flows) == {c["id"] for c in truth["campaigns"]}
    for campaign in truth["campaigns"]:
        stored = load_flow(analytics, campaign["id"])
        assert stored is not None and stored.calls == campaign["calls"]
        if stored.status.get("origin"):  # the registry (--providers) says who is foreign
            gateway = campaign["gateway_provider"]
            assert [v.provider for v in stored.gateways] == ([gateway] if gateway else [])
        chart = out / "flows" / f"{campaign['id']}.png"
        assert chart.exists() and png_size(chart)[0] >= 900
    assert sorted(Path(p).name for p in summary["published"]) == sorted(
        f"{c['id']}.json" for c in truth["campaigns"]
    )


def test_raw_cdrs_and_the_honeypot_file_work_as_they_are(world, tmp_path):
    out = tmp_path / "out"
    result = run(
        "--cdrs", str(world / "cdrs"), "--calls", str(world / "honeypot.csv"),
        "--out", str(out), "--no-publish", "--no-png", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    truth = truth_of(world)
    rows = pq.read_table(out / "paths.parquet").to_pylist()
    assert len(rows) == len(truth["honeypot"])
    for row in rows:
        status, path = expected_path(truth, truth["honeypot"][row["call_id"]]["path"])
        assert (row["status"], row["path"]) == (status, path)
    assert not (out / "flows").exists()


def test_a_bad_calls_file_is_refused_and_nothing_is_written(world, tmp_path):
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "call_id,called_number,calling_number,call_time,terminating_provider\n"
        "a,+12025550143,,2020-04-01T00:00:05Z,TERM\n"
        "b,+12025550144,,noon,TERM\n"
    )
    out = tmp_path / "out"
    result = run("--cdrs", str(world / "store"), "--calls", str(calls), "--out", str(out))
    assert result.exit_code == 1
    assert f"{calls}:3: call_time is not a time: noon" in result.output
    assert not out.exists()


def test_an_empty_store_is_refused(tmp_path):
    (tmp_path / "store").mkdir()
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "call_id,called_number,calling_number,call_time,terminating_provider\n"
        "a,+12025550143,,2020-04-01T00:00:05Z,TERM\n"
    )
    result = run(
        "--cdrs", str(tmp_path / "store"), "--calls", str(calls), "--out", str(tmp_path / "o")
    )
    assert result.exit_code == 1
    assert f"{tmp_path / 'store'}: no CDR files (.csv or .parquet)" in result.output
