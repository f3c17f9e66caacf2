"""Fixtures of the bulk-tracing tests: the engines, and when the Spark tests run.

Tests that need Spark carry the ``spark`` marker (``-m "not spark"`` leaves them out). They
run only where ``ROBOTRACE_TEST_SPARK=1`` (``.ci/run`` sets it); otherwise they are skipped
with the reason. With the variable set but pyspark or Java missing they are skipped too,
except where ``CI=true``: there they fail, because CI must test the Spark engine.

``spark``
    One local Spark session (``local[2]``) for the whole test session.
``paths_engine``
    Each engine in turn — ids ``[duckdb]`` and ``[spark]`` — closed after the test; the
    Spark one on the shared session.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from robotrace.paths.duck import DuckEngine
from robotrace.paths.engine import TracingEngine
from tests.support import missing

SPARK_VARIABLE = "ROBOTRACE_TEST_SPARK"


def spark_unavailable() -> str | None:
    """Why Spark cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed: pip install -e '.[spark]'"
    java_home = os.environ.get("JAVA_HOME", "")
    if shutil.which("java") is None and not (java_home and os.path.exists(java_home)):
        return "no Java runtime: install a JRE (Debian: default-jre-headless) or set JAVA_HOME"
    return None


def require_spark() -> None:
    """Skip (or, in CI, fail) the calling test unless the Spark tests can and should run."""
    if os.environ.get(SPARK_VARIABLE, "").strip() != "1":
        pytest.skip(f"Spark tests are off: set {SPARK_VARIABLE}=1 to run them (.ci/run does)")
    why = spark_unavailable()
    if why is None:
        return
    missing(why, f"CI must run the Spark tests ({SPARK_VARIABLE}=1): {why}")


@pytest.fixture(autouse=True)
def _spark_tests_switch(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("spark") is not None:
        require_spark()


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    require_spark()
    from robotrace.paths.spark import spark_session

    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def paths_engine(request: pytest.FixtureRequest) -> Iterator[TracingEngine]:
    engine = make_engine(request.param, request)
    yield engine
    engine.close()


def make_engine(name: str, request: pytest.FixtureRequest) -> TracingEngine:
    if name == "duckdb":
        return DuckEngine()
    from robotrace.paths.spark import SparkEngine

    return SparkEngine(session=request.getfixturevalue("spark"))
