"""The Spark engine: a simulated world traced as DuckDB traces it and as truth.json says,
the sessions it may and may not stop, and the masters it understands."""

from __future__ import annotations

import os

import pyarrow as pa
import pytest

from robotrace.paths.assemble import assemble_paths
from robotrace.paths.calls import read_calls
from robotrace.paths.duck import DuckEngine
from robotrace.paths.engine import HOP_SCHEMA, TracingEngine, engine_named, trace_paths
from robotrace.paths.spark import local_cores
from tests.paths.world import expected_path, robocalls_csv, simulated_world, truth_of

TOLERANCE_MS = 5_000  # the cdr_skew_seconds default


def traced_world(engine: TracingEngine, world, calls: pa.Table) -> tuple[pa.Table, pa.Table]:  # type: ignore[no-untyped-def]
    store = world / "store"
    hops = trace_paths(engine, store, calls, TOLERANCE_MS)
    foreign = {ocn for ocn, p in truth_of(world)["providers"].items() if p["foreign"]}
    paths = assemble_paths(hops, calls, engine.providers_with_records(store), foreign)
    return hops.sort_by([("call_id", "ascending"), ("hop", "ascending")]), paths


@pytest.fixture(scope="module")
def world_traced(spark, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A small world (5,000 calls) traced by both engines: ``(world, duckdb's, spark's)``."""
    from robotrace.paths.spark import SparkEngine

    world = simulated_world(tmp_path_factory.mktemp("world"), seed=1, calls=5_000)
    calls = read_calls(robocalls_csv(world, world / "calls.csv"))
    by_engine = []
    for engine in (DuckEngine(), SparkEngine(session=spark)):
        try:
            by_engine.append(traced_world(engine, world, calls))
        finally:
            engine.close()
    return world, *by_engine


@pytest.mark.spark
def test_spark_finds_the_same_hops_and_paths_as_duckdb(world_traced):
    _, (duck_hops, duck_paths), (spark_hops, spark_paths) = world_traced
    assert spark_hops.schema == HOP_SCHEMA
    assert spark_hops.num_rows > duck_paths.num_rows > 1000
    assert spark_hops.equals(duck_hops)
    assert spark_paths.equals(duck_paths)


@pytest.mark.spark
def test_spark_paths_equal_the_simulators_truth(world_traced):
    world, _, (_, paths) = world_traced
    truth = truth_of(world)
    got = {row["call_id"]: row for row in paths.to_pylist()}
    right = sum(
        (got[f"rc-{n}"]["status"], got[f"rc-{n}"]["path"]) == expected_path(truth, call["path"])
        for n, call in enumerate(truth["robocalls"])
    )
    assert len(got) == len(truth["robocalls"])
    assert right / len(got) >= 0.995


@pytest.mark.spark
def test_closing_a_spark_engine_leaves_a_session_it_did_not_start_running(spark):
    from robotrace.paths.spark import SparkEngine

    SparkEngine(session=spark).close()
    engine = engine_named("spark", "local[1]")  # finds the running session: not its own
    assert engine.name == "spark"
    engine.close()
    assert spark.range(3).count() == 3


@pytest.mark.spark
def test_spark_hands_back_no_steps_as_an_empty_hop_table(spark):
    from robotrace.paths.spark import SparkEngine

    assert SparkEngine(session=spark).hops([]).equals(HOP_SCHEMA.empty_table())


@pytest.mark.parametrize(
    ("master", "cores"),
    [
        ("local", 1),
        ("local[3]", 3),
        ("local[2, 4]", 2),
        ("local[*]", os.cpu_count()),
        ("k8s://https://head:6443", None),
        ("yarn", None),
        ("local-cluster[2,1,1024]", None),
    ],
)
def test_only_a_local_master_counts_its_cores(master, cores):
    assert local_cores(master) == cores
