"""Benchmark campaign grouping: ``robotrace campaigns group`` on 10^5 and 10^6 transcripts.

The transcripts are rendered with the simulator's script renderer
(``robotrace.simulate.scripts``): all eight campaign kinds, both scripts of each (70/30),
each with its own call-back number, plus 1 % legitimate messages, written to a CSV first (not
timed). Each size then runs the command in its own child process with ``--json`` (output to
a file), so the figure is end to end — reading the CSV, grouping, writing one JSON line per
row — and its peak RSS is measured alone (``os.wait4``). The quality of the grouping is
scored against the labels the generator knows (adjusted Rand index).

``--noise P`` makes a share P of the transcripts look like speech-recognition output (a word
dropped, another doubled), so that most texts stay distinct after normalisation: the case
that deduplication cannot help.

    .venv/bin/python benchmarks/bench_campaigns.py                  # 10^5 and 10^6
    .venv/bin/python benchmarks/bench_campaigns.py --sizes 100000 --noise 0.3 --json
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from robotrace.campaigns.quality import adjusted_rand_index
from robotrace.simulate.scripts import KINDS, LEGIT_TEMPLATES, pick_template, render

LEGIT_SHARE = 0.01


@dataclass
class Result:
    transcripts: int
    noise: float
    wall_s: float
    transcripts_per_s: int
    peak_rss_mib: float
    campaigns: int
    campaigns_of_10_or_more: int
    ari: float


def transcripts(count: int, seed: int, noise: float) -> Iterator[tuple[str, str]]:
    """``(true label, transcript)``: the campaign kind, or ``legit`` for ordinary calls."""
    rng = random.Random(f"bench-campaigns:{seed}")
    kinds = sorted(KINDS)
    callbacks = {
        kind: f"8{rng.randrange(33, 89)}{rng.randrange(2_000_000, 10**7)}" for kind in kinds
    }
    weights = [rng.uniform(0.5, 2.0) for _ in kinds]
    for _ in range(count):
        if rng.random() < LEGIT_SHARE:
            caller = f"{rng.randrange(201, 990)}{rng.randrange(2_000_000, 10**7)}"
            yield "legit", render(rng.choice(LEGIT_TEMPLATES), rng, caller)
            continue
        kind = rng.choices(kinds, weights)[0]
        text = render(pick_template(rng, KINDS[kind].templates), rng, callbacks[kind])
        yield kind, garble(text, rng) if rng.random() < noise else text


def garble(text: str, rng: random.Random) -> str:
    """Speech-recognition-like damage: one word dropped, another said twice."""
    words = text.split()
    if len(words) < 4:
        return text
    del words[rng.randrange(len(words))]
    doubled = rng.randrange(len(words))
    return " ".join([*words[: doubled + 1], *words[doubled:]])


def write_input(path: Path, count: int, seed: int, noise: float) -> list[str]:
    labels = []
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "transcript"])
        for number, (label, text) in enumerate(transcripts(count, seed, noise)):
            writer.writerow([f"t{number}", text])
            labels.append(label)
    return labels


def run_group(source: Path, out: Path) -> tuple[float, float]:
    """Run the command in a child; returns wall seconds and peak RSS in MiB."""
    command = [sys.executable, "-m", "robotrace.cli", "campaigns", "group",
               "--transcripts", str(source), "--json"]  # fmt: skip
    started = time.perf_counter()
    with open(out, "w", encoding="utf-8") as handle:
        child = subprocess.Popen(command, stdout=handle)
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("robotrace campaigns group failed")
    return wall, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def measure(workdir: Path, count: int, args: argparse.Namespace) -> Result:
    source, out = workdir / f"transcripts-{count}.csv", workdir / f"campaigns-{count}.jsonl"
    labels = write_input(source, count, args.seed, args.noise)
    wall, rss = run_group(source, out)
    with open(out, encoding="utf-8") as handle:
        found = [json.loads(line)["campaign"] for line in handle]
    sizes: dict[str, int] = {}
    for campaign in found:
        sizes[campaign] = sizes.get(campaign, 0) + 1
    robocalls = [i for i, label in enumerate(labels) if label != "legit"]
    ari = adjusted_rand_index([labels[i] for i in robocalls], [found[i] for i in robocalls])
    return Result(count, args.noise, round(wall, 1), round(count / wall), round(rss, 1),
                  len(sizes), sum(1 for n in sizes.values() if n >= 10), round(ari, 4))  # fmt: skip


def table(results: list[Result]) -> str:
    lines = [f"{'transcripts':>12} {'noise':>6} {'wall s':>8} {'per s':>9} {'peak RSS MiB':>13} "
             f"{'campaigns':>10} {'≥10 calls':>10} {'ARI':>7}"]  # fmt: skip
    for r in results:
        lines.append(
            f"{r.transcripts:>12,} {r.noise:>6.2f} {r.wall_s:>8.1f} {r.transcripts_per_s:>9,} "
            f"{r.peak_rss_mib:>13.1f} {r.campaigns:>10,} {r.campaigns_of_10_or_more:>10} "
            f"{r.ari:>7.4f}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--noise", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-campaigns-") as tmp:
        results = [measure(Path(tmp), count, args) for count in args.sizes]
    if args.json:
        print(json.dumps([asdict(r) for r in results]))
    else:
        print(f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
        print(table(results))


if __name__ == "__main__":
    main()
