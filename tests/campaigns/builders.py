"""Transcripts for campaign tests: rendered from the simulator's scripts, and the real FTC
sample where this machine has it."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from robotrace.simulate.scripts import KINDS, render

#: The real transcripts (never copied into the repository); tests skip where absent.
REAL_TRANSCRIPTS = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "ftc-robocall-transcripts.csv"
)


def rendered(kind: str, count: int, callback: str, template: int = 0, seed: int = 1) -> list[str]:
    """``count`` spoken variants of one of a campaign kind's scripts."""
    rng = random.Random(f"{kind}:{template}:{seed}")
    return [render(KINDS[kind].templates[template], rng, callback) for _ in range(count)]


def real_rows() -> list[dict[str, str]]:
    if not REAL_TRANSCRIPTS.exists():
        pytest.skip(f"the real transcripts are not on this machine ({REAL_TRANSCRIPTS})")
    with open(REAL_TRANSCRIPTS, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
