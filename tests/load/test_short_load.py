"""Short load runs for CI: the portal under locust and the SIP blocker under SIPp, ~10 s each.

The full runs are ``benchmarks/load_portal.py`` and ``benchmarks/soak_blocker.py``
(docs/benchmarks.md, "Load"); these check that nothing fails under some concurrency, never
how fast. Without locust or sipp they skip, except where ``CI=true``: there they fail.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path
from types import ModuleType

from tests.support import missing

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SECONDS = 10


def benchmark(name: str) -> ModuleType:
    """A script of ``benchmarks/`` (a folder of scripts, not a package), imported."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


def need(tool: str, found: bool) -> None:
    if found:
        return
    missing(f"{tool} is not installed", f"CI must provide {tool} for the load tests")


def test_the_portal_under_load_fails_no_request_and_stores_every_answer_once(db_url):
    need("locust", Path(sys.executable).with_name("locust").exists())
    load_portal = benchmark("load_portal")
    args = load_portal.parse_args(
        ["--users", "6", "--coordinators", "2", "--seconds", str(SECONDS), "--spawn-rate", "6",
         "--open-tracebacks", "40", "--calls-to-open", "200", "--pg-workers", "2"]
    )  # fmt: skip

    result = load_portal.run_on(db_url, args)

    assert result["total"]["requests"] > 0
    assert result["failures"] == [], result["failures"]
    assert result["total"]["failures"] == 0
    assert result["server"]["5xx_lines"] == 0, result["server"]
    check = result["check"]
    assert check["answers_posted"] > 0, "the agents answered nothing"
    assert result["exactly_once"], check


def test_the_blocker_under_sipp_fails_no_call():
    need("sipp", shutil.which("sipp") is not None)
    soak = benchmark("soak_blocker").soak_blocker(
        minutes=SECONDS / 60, rate=400, warmup_s=4, every=2
    )

    assert soak.sipp_exit == 0
    assert soak.failed == 0
    assert soak.calls == soak.successful == 400 * SECONDS
