"""One simulation run: build the world from the seed, stream the calls, write the answer key.

Every random choice comes from ``random.Random`` streams derived from the seed and a part
name (network, routes, campaigns, traffic, complaints), so the same seed and parameters give
byte-identical files, and the network does not change when only ``calls`` or ``days`` do.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from robotrace.clock import format_utc
from robotrace.providers.registry import write_providers_csv
from robotrace.simulate.calls import Counts, Evidence, Traffic
from robotrace.simulate.campaigns import HONEYPOT_MINIMUM, Campaign, build_campaigns, plan_calls
from robotrace.simulate.network import Network, build_network
from robotrace.simulate.numbering import TimeText
from robotrace.simulate.outputs import ComplaintWriter, HoneypotWriter, TruthWriter
from robotrace.simulate.routing import Route, Router, legit_routes
from robotrace.simulate.scripts import KINDS
from robotrace.simulate.writers import open_cdr_writers

FILE_FORMATS = ("csv", "parquet")
OUTPUT_FILES = ("providers.csv", "honeypot.csv", "complaints.csv", "truth.json")


@dataclass(frozen=True)
class SimulationParams:
    seed: int
    providers: int = 40
    days: float = 7.0
    calls: int = 10_000
    file_format: str = "csv"
    start: datetime = datetime(2020, 4, 1, tzinfo=UTC)
    robocall_share: float = 0.3

    @property
    def robocalls(self) -> int:
        return round(self.calls * self.robocall_share)

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["start"] = format_utc(self.start)
        return values

    def check(self) -> None:
        """Raise ``ValueError`` naming the parameter that cannot make a network."""
        if self.providers < 8:
            raise ValueError("providers: at least 8 are needed")
        if self.days <= 0:
            raise ValueError("days must be positive")
        if not 0 < self.robocall_share <= 1:
            raise ValueError("robocall_share must be in (0, 1]")
        if self.file_format not in FILE_FORMATS:
            raise ValueError(f"format must be one of {', '.join(FILE_FORMATS)}")
        needed = len(KINDS) * HONEYPOT_MINIMUM
        if self.robocalls < needed:
            raise ValueError(f"calls: too few for {needed} robocalls at this robocall share")


def part_rng(seed: int, part: str) -> random.Random:
    """An independent random stream for one part of the world (str seeds use SHA-512)."""
    return random.Random(f"robotrace-simulate:{seed}:{part}")


def prepare_out_dir(out: Path, force: bool) -> None:
    """Refuse to mix runs: earlier simulator files are replaced only with ``force``."""
    cdrs = out / "cdrs"
    old = [out / name for name in OUTPUT_FILES if (out / name).exists()]
    if cdrs.is_dir():
        old += sorted(cdrs.glob("*.csv")) + sorted(cdrs.glob("*.parquet"))
    if old and not force:
        raise FileExistsError(f"{out} already holds simulator output (use --force to replace)")
    for path in old:
        path.unlink()
    cdrs.mkdir(parents=True, exist_ok=True)


@dataclass
class World:
    """Everything decided before the first call: the network, its routes and campaigns."""

    network: Network
    ordinary_routes: dict[int, list[Route]]
    campaigns: list[Campaign]


def build_world(params: SimulationParams) -> World:
    network = build_network(part_rng(params.seed, "network"), params.providers, params.start)
    router = Router(part_rng(params.seed, "routes"))
    ordinary = legit_routes(network, router, part_rng(params.seed, "routes-pick"))
    campaigns = build_campaigns(part_rng(params.seed, "campaigns"), network, router)
    plan_calls(campaigns, params.robocalls)
    return World(network, ordinary, campaigns)


def simulate(
    params: SimulationParams,
    out: Path,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Write the whole output directory; returns the run's summary."""
    params.check()
    prepare_out_dir(out, force)
    world = build_world(params)
    providers = world.network.providers
    write_providers_csv(out / "providers.csv", [p.record for p in providers])
    times = TimeText()
    writers = open_cdr_writers(out / "cdrs", providers, params.file_format, times)
    evidence = open_evidence(out, params, times)
    traffic = Traffic(
        world.network, world.campaigns, world.ordinary_routes, writers, evidence, times,
        part_rng(params.seed, "traffic"),
    )  # fmt: skip
    try:
        counts = traffic.run(params.calls, params.robocalls, *_span_ms(params), progress)
    except BaseException:
        evidence.truth.abort()
        raise
    finally:
        for writer in writers.values():
            writer.close()
        evidence.close()
    counts.complaints = evidence.complaints.count
    evidence.truth.finish(truth_head(params, world.network, world.campaigns))
    return summary(out, params, counts, [w.path for w in writers.values()])


def open_evidence(out: Path, params: SimulationParams, times: TimeText) -> Evidence:
    return Evidence(
        HoneypotWriter(out / "honeypot.csv", times),
        ComplaintWriter(out / "complaints.csv", times, part_rng(params.seed, "complaints")),
        TruthWriter(out / "truth.json"),
    )


def _span_ms(params: SimulationParams) -> tuple[int, int]:
    start_ms = int(params.start.timestamp() * 1000)
    return start_ms, int(params.days * 86_400_000)


def truth_head(
    params: SimulationParams, network: Network, campaigns: list[Campaign]
) -> dict[str, Any]:
    """Everything in ``truth.json`` before the streamed honeypot and robocall members."""
    return {
        "seed": params.seed,
        "params": params.as_dict(),
        "start": format_utc(params.start),
        "providers": {
            p.ocn: {
                "behaviour": p.behaviour,
                "clock_skew_s": p.skew_ms / 1000,
                "number_format": p.number_format,
                "time_format": p.time_format,
                "foreign": p.foreign,
                "country": p.record.country,
                "region": p.region,
                "kind": p.kind,
            }
            for p in network.providers
        },
        "campaigns": [campaign_truth(c) for c in campaigns],
    }


def campaign_truth(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.kind.name,
        "topic": campaign.kind.key,
        "subject": campaign.kind.subject,
        "originating_provider": campaign.origin.ocn,
        "gateway_provider": campaign.gateway.ocn if campaign.gateway else None,
        "customer": campaign.customer,
        "traceable": campaign.traceable,
        "callback_number": "+1" + campaign.callback,
        "calls": campaign.calls,
        "honeypot_calls": campaign.honeypot_calls,
    }


def summary(
    out: Path, params: SimulationParams, counts: Counts, cdr_files: list[Path]
) -> dict[str, Any]:
    return {
        "out": str(out),
        "seed": params.seed,
        "providers": params.providers,
        "providers_with_cdrs": len(cdr_files),
        **asdict(counts),
        "files": {
            "providers": str(out / "providers.csv"),
            "cdrs": [str(p) for p in cdr_files],
            "honeypot": str(out / "honeypot.csv"),
            "complaints": str(out / "complaints.csv"),
            "truth": str(out / "truth.json"),
        },
    }
