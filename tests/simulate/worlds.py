"""Small simulated worlds and readers for their files, as any consumer would read them."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from robotrace.clock import parse_utc
from robotrace.simulate.runner import SimulationParams, simulate

SMALL = SimulationParams(seed=7, providers=24, days=1.0, calls=4000)
#: Letters a day in, the deadline two days later, two days of traffic after it. Seed 1 has
#: gateways that stop and continue, and a domestic originator that stops.
LETTERS = SimulationParams(
    seed=1, providers=24, days=5.0, calls=10_000, letters_at=datetime(2020, 4, 2, tzinfo=UTC)
)

#: LETTERS, then a notification the day after the deadline with 14 days to respond, and two
#: days of traffic after the respond-by.
NOTICE = SimulationParams(
    seed=1, providers=24, days=20.0, calls=10_000, letters_at=datetime(2020, 4, 2, tzinfo=UTC),
    notifications_at=datetime(2020, 4, 5, tzinfo=UTC),
)  # fmt: skip


@dataclass
class World:
    """The files of one simulator run, read back the way any consumer would read them."""

    out: Path
    _cdrs: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @cached_property
    def truth(self) -> dict[str, Any]:
        return json.loads((self.out / "truth.json").read_text())

    @cached_property
    def honeypot(self) -> list[dict[str, str]]:
        return read_csv(self.out / "honeypot.csv")

    @cached_property
    def complaints(self) -> list[dict[str, str]]:
        return read_csv(self.out / "complaints.csv")

    def cdrs(self, key: str) -> list[dict[str, str]]:
        if key not in self._cdrs:
            self._cdrs[key] = read_csv(self.out / "cdrs" / f"{key}.csv")
        return self._cdrs[key]

    def provider(self, key: str) -> dict[str, Any]:
        return self.truth["providers"][key]

    def campaign(self, campaign_id: str) -> dict[str, Any]:
        return next(c for c in self.truth["campaigns"] if c["id"] == campaign_id)

    @property
    def deadline(self) -> datetime:
        return parse_utc(self.truth["mitigation_deadline"])

    def warned_provider(self, path: list[str]) -> str:
        """Who a letter about this call goes to: the gateway, or the origin of a US call."""
        if not self.provider(path[0])["foreign"]:
            return path[0]
        return next(o for o in path if not self.provider(o)["foreign"])

    def paths(self) -> list[list[str]]:
        """Every true path: all robocalls and all honeypot calls."""
        robocalls = [r["path"] for r in self.truth["robocalls"]]
        return robocalls + [h["path"] for h in self.truth["honeypot"].values()]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def cdr_time(text: str) -> datetime:
    return parse_utc(text)


def run_world(out: Path, params: SimulationParams = SMALL) -> World:
    simulate(params, out)
    return World(out)
