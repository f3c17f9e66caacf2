"""A simulated world for bulk tracing, and what its truth says each traced call's path is."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from robotrace.cdr.store import write_provider_store
from robotrace.simulate.runner import SimulationParams, simulate


def simulated_world(out: Path, seed: int = 7, calls: int = 20_000) -> Path:
    """A world (30 providers, a day) with its canonical store in ``out/store``."""
    simulate(SimulationParams(seed=seed, providers=30, days=1, calls=calls, shaken="off"), out)
    write_provider_store([out / "cdrs"], out / "store")
    return out


def truth_of(world: Path) -> dict[str, Any]:
    return json.loads((world / "truth.json").read_text())


def robocalls_csv(world: Path, path: Path) -> Path:
    """Every robocall of the truth as a calls file: listed from its terminating provider at
    the true time, with its campaign."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["call_id", "called_number", "calling_number", "call_time",
             "terminating_provider", "campaign"]
        )  # fmt: skip
        for n, call in enumerate(truth_of(world)["robocalls"]):
            row = [call["called"], call["calling"], call["t"], call["path"][-1], call["campaign"]]
            writer.writerow([f"rc-{n}", *row])
    return path


def expected_path(truth: dict[str, Any], path: list[str]) -> tuple[str, list[str]]:
    """``(status, path)`` a trace must find for a call whose true path (origin first) is
    ``path``: from the terminating provider up, it stops at the first provider that keeps no
    records (``no_records``, the path from it on); else it reaches the origin."""
    behaviour = {ocn: p["behaviour"] for ocn, p in truth["providers"].items()}
    for index in range(len(path) - 1, -1, -1):
        if behaviour[path[index]] == "no_records":
            return "no_records", path[index:]
    return "origin", path
