"""The atheris harnesses (fuzz/, docs/fuzzing.md), each for a short fixed number of runs.

Each harness runs in its own process from its seeds, with a fixed libFuzzer seed, and must end
without a crash. A harness with a planted bug shows that a crash is reported, with its input.
Without atheris these tests skip, except where ``CI=true``: there they fail.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from fuzz.run import CORPUS, Figures, figures_of, run_harness

from fuzz import HARNESSES
from tests.support import missing

#: Inputs per harness, seeds included: the parsers that start DuckDB for each file are slower.
RUNS = {
    "sip_messages": 5000,
    "identity": 20000,
    "ftc_complaints": 300,
    "fcc_complaints": 300,
    "rmd_providers": 1500,
    "evidence_calls": 1500,
    "cdr_files": 200,
    "calls_files": 200,
    "api_bodies": 400,
}
FIXED_SEED = "-seed=1"


@pytest.fixture(autouse=True)
def _atheris_installed() -> None:
    if importlib.util.find_spec("atheris") is not None:
        return
    missing(
        "atheris is not installed (pip install -e '.[test]')",
        "CI must run the fuzz harnesses: install atheris (the test extra)",
    )


def fuzz(
    harness: str, runs: int, artifacts: Path, seeds: Path | None = None
) -> tuple[Figures, str]:
    """``harness`` run for ``runs`` inputs from its seeds: its figures and libFuzzer's output."""
    return run_harness(harness, [f"-runs={runs}", FIXED_SEED], None, artifacts, seeds)


def test_every_harness_has_a_run_count_and_seeds():
    assert set(RUNS) == set(HARNESSES)
    assert all(any((CORPUS / h).iterdir()) for h in HARNESSES)


@pytest.mark.parametrize("harness", HARNESSES)
def test_the_harness_runs_without_a_crash(harness, tmp_path):
    figures, output = fuzz(harness, RUNS[harness], tmp_path)
    assert not figures.crashed, f"{figures.line()}\n{figures.exception or output[-3000:]}"
    assert figures.runs == RUNS[harness]
    assert figures.coverage > 0, "nothing of robotrace was instrumented"


def test_a_planted_crash_is_reported_with_its_input(tmp_path):
    figures, _output = fuzz("tests.fuzz.planted_crash", 100, tmp_path, CORPUS / "sip_messages")
    assert figures.crashed and figures.exit_code != 0
    assert "PlantedCrash: planted crash on 'sip:+1" in figures.exception
    (crash,) = figures.crashes
    assert b"INVITE sip:+1" in Path(crash).read_bytes()
    assert Path(crash).parent == tmp_path


LIBFUZZER_OUTPUT = """\
INFO: seed corpus: files: 6 min: 296b max: 566b total: 2339b rss: 80Mb
#7\tINITED cov: 270 ft: 560 corp: 6/2339b exec/s: 0 rss: 81Mb
#1024\tpulse  cov: 280 ft: 690 corp: 120/9Kb lim: 570 exec/s: 512 rss: 85Mb
#2000\tDONE   cov: 282 ft: 703 corp: 131/10Kb lim: 580 exec/s: 869 rss: 86Mb
Done 2000 runs in 2 second(s)
"""


def test_figures_are_read_from_libfuzzer_output():
    figures = figures_of("sip_messages", LIBFUZZER_OUTPUT, 0)
    assert (figures.runs, figures.seconds, figures.corpus) == (2000, 2, 131)
    assert (figures.coverage, figures.features) == (282, 703) and not figures.crashed
