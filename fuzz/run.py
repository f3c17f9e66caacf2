"""Run harnesses for a number of inputs or seconds, and print what they found.

::

    python -m fuzz.run sip_messages --runs 2000      # 2,000 inputs
    python -m fuzz.run identity --seconds 300        # five minutes
    python -m fuzz.run all --runs 300 --json         # every harness, figures as JSON

Each harness runs in its own process (``python -m fuzz.engine``): libFuzzer ends the process
when it stops, and a crash ends it early. Its seeds (``fuzz/corpus/NAME/``) are read but never
written: new inputs go to a scratch folder, or to ``--corpus DIR`` to keep them. A crash's
input is written to ``--artifacts`` (default ``fuzz/crashes/``) and named in the figures.
The exit status is 1 when any harness crashed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fuzz import HARNESSES
from fuzz.scratch import WORK_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
CRASHES = ROOT / "fuzz" / "crashes"
#: libFuzzer's limits per input: a slow or memory-hungry input counts as a crash.
LIMITS = ("-timeout=60", "-rss_limit_mb=4096", "-max_len=8192")

_STATUS = re.compile(r"^#(\d+)\s+\w+\s+(?:cov: (\d+) ft: (\d+) )?corp: (\d+)/", re.MULTILINE)
_DONE = re.compile(r"^Done (\d+) runs in (\d+) second", re.MULTILINE)
_ARTIFACT = re.compile(r"Test unit written to (\S+)")
_EXCEPTION = re.compile(r"=== Uncaught Python exception: ===\n(.*?)\n\n", re.DOTALL)


@dataclass
class Figures:
    """What one run of one harness did. ``coverage`` and ``features`` are libFuzzer's
    ``cov`` (edges of instrumented code reached) and ``ft`` (features) at the end."""

    harness: str
    runs: int = 0
    seconds: int = 0
    coverage: int = 0
    features: int = 0
    corpus: int = 0
    exit_code: int = 0
    crashes: list[str] = field(default_factory=list)
    exception: str = ""

    @property
    def crashed(self) -> bool:
        return bool(self.crashes) or self.exit_code != 0

    def line(self) -> str:
        said = f"{len(self.crashes)} crash(es) {' '.join(self.crashes)}".rstrip()
        if self.exit_code and not self.crashes:
            said = f"exit code {self.exit_code}, no input saved"
        return (
            f"{self.harness}: {self.runs} runs in {self.seconds} s, cov {self.coverage}, "
            f"ft {self.features}, corpus {self.corpus}, {said}"
        )


def figures_of(harness: str, output: str, exit_code: int) -> Figures:
    """Read libFuzzer's output (its status lines, ``Done …``, crash artifacts)."""
    figures = Figures(harness, exit_code=exit_code)
    for status in _STATUS.finditer(output):
        runs, cov, ft, corpus = status.groups()
        figures.runs, figures.corpus = int(runs), int(corpus)
        if cov is not None:
            figures.coverage, figures.features = int(cov), int(ft)
    if done := _DONE.search(output):
        figures.runs, figures.seconds = int(done.group(1)), int(done.group(2))
    figures.crashes = _ARTIFACT.findall(output)
    if exception := _EXCEPTION.search(output):
        figures.exception = exception.group(1)
    return figures


def engine_command(
    harness: str, budget: list[str], corpus: Path, artifacts: Path, seeds: Path | None = None
) -> list[str]:
    """The ``python -m fuzz.engine`` command line; ``seeds`` defaults to the harness's own."""
    seeds = seeds or CORPUS / harness
    folders = [str(corpus), *([str(seeds)] if seeds.is_dir() else [])]
    flags = [*budget, *LIMITS, f"-artifact_prefix={artifacts}{os.sep}", "-print_final_stats=1"]
    return [sys.executable, "-m", "fuzz.engine", harness, *flags, *folders]


def run_harness(
    harness: str,
    budget: list[str],
    corpus: Path | None = None,
    artifacts: Path = CRASHES,
    seeds: Path | None = None,
) -> tuple[Figures, str]:
    """Fuzz one harness within ``budget`` (libFuzzer flags); its figures and raw output."""
    artifacts = artifacts.resolve()  # the engine runs in the repository root
    artifacts.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{harness}-") as scratch:
        folder = corpus.resolve() if corpus else Path(scratch, "corpus")
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            engine_command(harness, budget, folder, artifacts, seeds),
            cwd=ROOT,
            env=_child_environment(Path(scratch, "work")),
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
    output = done.stdout + done.stderr
    return figures_of(harness, output, done.returncode), output


def _child_environment(work: Path) -> dict[str, str]:
    """This environment with the repository root importable (``fuzz``, ``tests``) and
    :data:`fuzz.scratch.WORK_VARIABLE` naming a folder removed after the run."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, WORK_VARIABLE: str(work)}


def budget_of(runs: int | None, seconds: int | None) -> list[str]:
    flags = [f"-runs={runs}"] if runs is not None else []
    return flags + ([f"-max_total_time={seconds}"] if seconds is not None else [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz.run", description=__doc__.split("\n")[0])
    parser.add_argument("harness", choices=[*HARNESSES, "all"])
    parser.add_argument("--runs", type=int, help="stop after this many inputs")
    parser.add_argument("--seconds", type=int, help="stop after this many seconds")
    parser.add_argument("--corpus", type=Path, help="keep new inputs here (DIR/NAME per harness)")
    parser.add_argument("--artifacts", type=Path, default=CRASHES, help="crash inputs go here")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--verbose", action="store_true", help="print libFuzzer's output too")
    args = parser.parse_args(argv)
    if args.runs is None and args.seconds is None:
        parser.error("give --runs, --seconds or both")
    chosen = HARNESSES if args.harness == "all" else (args.harness,)
    results = []
    for harness in chosen:
        corpus = args.corpus / harness if args.corpus else None
        figures, output = run_harness(
            harness, budget_of(args.runs, args.seconds), corpus, args.artifacts
        )
        if args.verbose or figures.crashed:
            print(output, file=sys.stderr)
        print(json.dumps(asdict(figures)) if args.json else figures.line(), flush=True)
        results.append(figures)
    return 1 if any(f.crashed for f in results) else 0


if __name__ == "__main__":
    sys.exit(main())
