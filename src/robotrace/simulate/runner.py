"""One simulation run: build the world from the seed, stream the calls, write the answer key.

Every random choice comes from ``random.Random`` streams derived from the seed and a part
name (network, routes, campaigns, traffic, complaints), so the same seed and parameters give
byte-identical files, and the network does not change when only ``calls`` or ``days`` do.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from robotrace.clock import as_utc, format_utc
from robotrace.simulate.callbacks import (
    NUMBER_BLOCKS_FILE,
    SUBSCRIBERS_FILE,
    rent_local_callbacks,
    write_number_blocks,
    write_subscribers,
)
from robotrace.simulate.calls import Counts, Evidence, Traffic
from robotrace.simulate.campaigns import HONEYPOT_MINIMUM, Campaign, build_campaigns, plan_calls
from robotrace.simulate.letters import (
    Period,
    campaign_letter_truth,
    choose_responses,
    split_periods,
    stopping_campaigns,
)
from robotrace.simulate.network import Network, SimProvider, build_network
from robotrace.simulate.notices import (
    NOTIFIED_RESPONSES,
    Notice,
    campaign_notice_truth,
    choose_answers,
    notice_truth,
    plan_notice,
)
from robotrace.simulate.numbering import TimeText
from robotrace.simulate.outputs import ComplaintWriter, HoneypotWriter, TruthWriter
from robotrace.simulate.registry import PROVIDER_IDS_FILE, PROVIDERS_FILE, write_registry
from robotrace.simulate.routing import Route, Router, legit_routes
from robotrace.simulate.scripts import KINDS
from robotrace.simulate.shaken import (
    ROOT_FILE,
    CallSigner,
    build_signer,
    resolve_mode,
    signs_calls,
)
from robotrace.simulate.writers import open_cdr_writers

FILE_FORMATS = ("csv", "parquet")
OUTPUT_FILES = (PROVIDERS_FILE, PROVIDER_IDS_FILE, "honeypot.csv", "complaints.csv", "truth.json")


@dataclass(frozen=True)
class SimulationParams:
    seed: int
    providers: int = 40
    days: float = 7.0
    calls: int = 10_000
    file_format: str = "csv"
    start: datetime = datetime(2020, 4, 1, tzinfo=UTC)
    robocall_share: float = 0.3
    #: When warning letters go out; ``None`` simulates no letters (and writes no letter keys).
    letters_at: datetime | None = None
    mitigation_hours: float = 48.0
    #: STIR/SHAKEN signing: ``all`` calls, only the calls that reach honeypots (``evidence``),
    #: ``off``, or ``auto`` (``all`` up to 200,000 calls, else ``evidence``).
    shaken: str = "auto"
    #: When the Notification of Suspected Illegal Traffic goes out (``simulate.notices``);
    #: ``None`` simulates none (and writes no notification keys). After the letters' deadline.
    notifications_at: datetime | None = None
    #: Days the notification gives its provider (robotrace's notification_response_days).
    notification_days: float = 14.0
    #: How the notified provider answers: blocks_named_only, blocks or ignores.
    notified_response: str = "blocks_named_only"

    def __post_init__(self) -> None:
        for name in ("letters_at", "notifications_at"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, as_utc(value))

    @property
    def robocalls(self) -> int:
        return round(self.calls * self.robocall_share)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(milliseconds=_span_ms(self)[1])

    @property
    def mitigation_deadline(self) -> datetime | None:
        if self.letters_at is None:
            return None
        return self.letters_at + timedelta(hours=self.mitigation_hours)

    @property
    def respond_by(self) -> datetime | None:
        if self.notifications_at is None:
            return None
        return self.notifications_at + timedelta(days=self.notification_days)

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["start"] = format_utc(self.start)
        if self.shaken == "off":
            del values["shaken"]  # so that unsigned runs write what they wrote before signing
        if self.letters_at is None:
            del values["letters_at"], values["mitigation_hours"]
        else:
            values["letters_at"] = format_utc(self.letters_at)
        if self.notifications_at is None:
            del values["notifications_at"], values["notification_days"]
            del values["notified_response"]
        else:
            values["notifications_at"] = format_utc(self.notifications_at)
        return values

    def periods(self) -> list[Period]:
        start_ms, span_ms = _span_ms(self)
        deadline = self.mitigation_deadline
        letters_ms = None if self.letters_at is None else _ms(self.letters_at)
        deadline_ms = 0 if deadline is None else _ms(deadline)
        notice_ms = None if self.notifications_at is None else _ms(self.notifications_at)
        respond_ms = 0 if self.respond_by is None else _ms(self.respond_by)
        return split_periods(
            start_ms, span_ms, self.calls, self.robocalls, letters_ms, deadline_ms, notice_ms,
            respond_ms,
        )  # fmt: skip

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
        resolve_mode(self.shaken, self.calls)
        if self.letters_at is not None:
            self._check_letters(self.letters_at)
        if self.notifications_at is not None:
            self._check_notifications(self.notifications_at)
        needed = (len(KINDS) + (self.notifications_at is not None)) * HONEYPOT_MINIMUM
        short = [p for p in self.periods() if p.needs_honeypot_minimum and p.robocalls < needed]
        if short:
            where = "" if self.letters_at is None else " before the letters and after the deadline"
            if self.notifications_at is not None:
                where = f" in the period {short[0].name!r}"
            raise ValueError(f"calls: too few for {needed} robocalls{where} at this robocall share")

    def _check_letters(self, letters_at: datetime) -> None:
        """The letters fall inside the traffic, and a day of traffic follows the deadline."""
        if self.mitigation_hours * 60 < 1:
            raise ValueError("mitigation_hours must be at least a minute")
        if letters_at <= self.start:
            raise ValueError(
                f"letters_at {format_utc(letters_at)} must come after the start of the traffic "
                f"({format_utc(self.start)})"
            )
        deadline = letters_at + timedelta(hours=self.mitigation_hours)
        if deadline + timedelta(days=1) > self.end:
            days = (deadline + timedelta(days=1) - self.start) / timedelta(days=1)
            raise ValueError(
                f"letters_at: the mitigation deadline {format_utc(deadline)} (letters_at + "
                f"{self.mitigation_hours:g} h) needs at least a day of traffic after it, but "
                f"the traffic ends at {format_utc(self.end)}; make days at least "
                f"{math.ceil(days * 100) / 100:g}"
            )

    def _check_notifications(self, notifications_at: datetime) -> None:
        """The notification follows the letters' deadline, and a day of traffic its
        respond-by; the notified provider's answer is one the world knows."""
        if self.notified_response not in NOTIFIED_RESPONSES:
            raise ValueError(
                f"notified_response must be one of {', '.join(NOTIFIED_RESPONSES)}, "
                f"not {self.notified_response!r}"
            )
        if self.notification_days * 1440 < 1:
            raise ValueError("notification_days must be at least a minute")
        after = self.mitigation_deadline or self.start
        if notifications_at <= after:
            what = "the letters' mitigation deadline" if self.letters_at else "the start"
            raise ValueError(
                f"notifications_at {format_utc(notifications_at)} must come after {what} "
                f"({format_utc(after)})"
            )
        respond_by = notifications_at + timedelta(days=self.notification_days)
        if respond_by + timedelta(days=1) > self.end:
            days = (respond_by + timedelta(days=1) - self.start) / timedelta(days=1)
            raise ValueError(
                f"notifications_at: the respond-by {format_utc(respond_by)} (notifications_at "
                f"+ {self.notification_days:g} days) needs at least a day of traffic after it, "
                f"but the traffic ends at {format_utc(self.end)}; make days at least "
                f"{math.ceil(days * 100) / 100:g}"
            )


#: What an originating provider does with its customer when a traceback finds it, and how
#: often: about the consortium's 2024 figure, 69% of completed tracebacks with the caller
#: warned or terminated (docs/statistics.md#caller-warned-or-terminated).
ORIGIN_ACTION_WEIGHTS = {
    "warned": 40, "terminated": 30, "suspended": 10, "consent_shown": 8, "no_action": 10,
    "other": 2,
}  # fmt: skip


def origin_actions(seed: int, providers: list[SimProvider]) -> dict[str, str]:
    """Each provider's action at the origin (truth.json's ``on_traceback_origin``), from its
    own random stream so that nothing else in the world changes."""
    rng = part_rng(seed, "origin-actions")
    actions, weights = list(ORIGIN_ACTION_WEIGHTS), list(ORIGIN_ACTION_WEIGHTS.values())
    return {p.key: rng.choices(actions, weights)[0] for p in providers}


def part_rng(seed: int, part: str) -> random.Random:
    """An independent random stream for one part of the world (str seeds use SHA-512)."""
    return random.Random(f"robotrace-simulate:{seed}:{part}")


def prepare_out_dir(out: Path, force: bool) -> None:
    """Refuse to mix runs: earlier simulator files are replaced only with ``force``."""
    cdrs = out / "cdrs"
    old = [out / name for name in OUTPUT_FILES if (out / name).exists()]
    if cdrs.is_dir():
        old += sorted(cdrs.glob("*.csv")) + sorted(cdrs.glob("*.parquet"))
    if (out / "certs").is_dir():
        old += sorted((out / "certs").glob("*.pem"))
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
    #: Each provider's response to a warning letter (``stops`` or ``continues``), by key.
    responses: dict[str, str]
    #: The attestation (A or B) a campaign's US originating provider signs it with, by id.
    campaign_attest: dict[str, str]
    #: The notification the world reacts to, and every provider's answer to one, by key.
    notice: Notice | None = None
    answers: dict[str, str] = field(default_factory=dict)


def build_world(params: SimulationParams) -> World:
    """The world depends on the seed and ``providers`` only (and on whether a notification
    is simulated, which adds a campaign); calls are planned per period."""
    network = build_network(part_rng(params.seed, "network"), params.providers, params.start)
    router = Router(part_rng(params.seed, "routes"))
    ordinary = legit_routes(network, router, part_rng(params.seed, "routes-pick"))
    campaigns = build_campaigns(part_rng(params.seed, "campaigns"), network, router)
    rent_local_callbacks(part_rng(params.seed, "callbacks"), campaigns, network)
    responses = choose_responses(part_rng(params.seed, "letters"), network.providers, campaigns)
    attest_rng = part_rng(params.seed, "shaken-campaigns")
    attest = {c.id: attest_rng.choice("ABB") for c in campaigns}
    world = World(network, ordinary, campaigns, responses, attest)
    if params.notifications_at is not None:
        add_notice(world, params)
    return world


def add_notice(world: World, params: SimulationParams) -> None:
    """Pick the notification's subject, add the variant campaign, draw every answer."""
    rng = part_rng(params.seed, "notifications")
    letters = world.responses if params.letters_at is not None else None
    notice = plan_notice(rng, world.campaigns, letters, params.notified_response)
    world.campaigns.append(notice.variant)
    world.campaign_attest[notice.variant.id] = world.campaign_attest[notice.campaign.id]
    world.notice = notice
    world.answers = choose_answers(rng, world.network.providers, world.campaigns, notice)


def open_signer(params: SimulationParams, world: World, out: Path) -> CallSigner | None:
    """The signing providers' certificates in ``out/certs``, and the signer (None: off)."""
    if resolve_mode(params.shaken, params.calls) == "off":
        return None
    return build_signer(world.network.providers, params.seed, params.start, out / "certs")


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
    write_registry(out, providers, part_rng(params.seed, "registry"), params.start)
    write_number_blocks(out, world.network)
    write_subscribers(out, world.campaigns)
    times = TimeText()
    writers = open_cdr_writers(out / "cdrs", providers, params.file_format, times)
    evidence = open_evidence(out, params, times)
    traffic = Traffic(
        world.network, world.campaigns, world.ordinary_routes, writers, evidence, times,
        part_rng(params.seed, "traffic"), open_signer(params, world, out),
        resolve_mode(params.shaken, params.calls) == "all", world.campaign_attest,
    )  # fmt: skip
    try:
        counts = run_periods(traffic, world, params.periods(), progress)
    except BaseException:
        evidence.truth.abort()
        raise
    finally:
        for writer in writers.values():
            writer.close()
        evidence.close()
    counts.complaints = evidence.complaints.count
    evidence.truth.finish(truth_head(params, world))
    return summary(out, params, counts, [w.path for w in writers.values()])


def open_evidence(out: Path, params: SimulationParams, times: TimeText) -> Evidence:
    signing = resolve_mode(params.shaken, params.calls) != "off"
    return Evidence(
        HoneypotWriter(out / "honeypot.csv", times),
        ComplaintWriter(out / "complaints.csv", times, part_rng(params.seed, "complaints")),
        TruthWriter(out / "truth.json", signing),
    )


def run_periods(
    traffic: Traffic, world: World, periods: list[Period],
    progress: Callable[[int], None] | None = None,
) -> Counts:  # fmt: skip
    """Calls period by period; after the deadline (and the respond-by), stopping campaigns'
    calls are not sent."""
    stopped = stopping_campaigns(world.campaigns, world.responses)
    blocked = world.notice.stopping() if world.notice is not None else set()
    for period in periods:
        halted = (stopped if period.after_deadline else set()) | (
            blocked if period.after_respond_by else set()
        )
        withheld = plan_calls(world.campaigns, period.robocalls, halted, period.name)
        calls = period.calls - withheld
        if calls > 0:
            traffic.run(calls, period.robocalls - withheld, period.start_ms, period.span_ms,
                        progress)  # fmt: skip
        if progress is not None and withheld:
            progress(withheld)
    return traffic.counts


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _span_ms(params: SimulationParams) -> tuple[int, int]:
    return _ms(params.start), int(params.days * 86_400_000)


def truth_head(params: SimulationParams, world: World) -> dict[str, Any]:
    """Everything in ``truth.json`` before the streamed honeypot and robocall members."""
    letters = params.letters_at is not None
    head: dict[str, Any] = {
        "seed": params.seed,
        "params": params.as_dict(),
        "start": format_utc(params.start),
    }
    deadline = params.mitigation_deadline
    if params.letters_at is not None and deadline is not None:
        head["letters_at"] = format_utc(params.letters_at)
        head["mitigation_deadline"] = format_utc(deadline)
    notice = world.notice
    if params.notifications_at is not None and params.respond_by and notice is not None:
        at, respond_by = format_utc(params.notifications_at), format_utc(params.respond_by)
        head["notification"] = notice_truth(notice, at, respond_by)
    mode = resolve_mode(params.shaken, params.calls)
    signing = mode != "off"
    head["providers"] = providers_truth(world, letters, signing)
    for key, action in origin_actions(params.seed, world.network.providers).items():
        head["providers"][key]["on_traceback_origin"] = action
    head["campaigns"] = [
        campaign_truth(c)
        | (campaign_shaken_truth(c, world.campaign_attest) if signing else {})
        | (campaign_letter_truth(c, world.responses) if letters else {})
        | (campaign_notice_truth(c, notice) if notice is not None else {})
        for c in world.campaigns
    ]
    if signing:
        head["shaken"] = {"mode": mode, "anchor": f"certs/{ROOT_FILE}"}
    return head


def providers_truth(world: World, letters: bool, signing: bool) -> dict[str, dict[str, Any]]:
    answers = world.answers or None
    return {
        p.key: provider_truth(p, world.responses if letters else None, signing, answers)
        for p in world.network.providers
    }


def provider_truth(
    provider: SimProvider,
    responses: dict[str, str] | None,
    signing: bool = True,
    answers: dict[str, str] | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ocn": provider.ocn or None,
        "rmd_number": provider.record.rmd_numbers[0],
        "behaviour": provider.behaviour,
        "clock_skew_s": provider.skew_ms / 1000,
        "number_format": provider.number_format,
        "time_format": provider.time_format,
        "foreign": provider.foreign,
        "country": provider.record.country,
        "region": provider.region,
        "kind": provider.kind,
    }
    if signing:
        entry["shaken"] = signs_calls(provider)
    if responses is not None:
        entry["after_letter"] = responses[provider.key]
    if answers is not None:
        entry["on_notification"] = answers[provider.key]
    return entry


def campaign_truth(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.kind.name,
        "topic": campaign.kind.key,
        "subject": campaign.kind.subject,
        "originating_provider": campaign.origin.key,
        "gateway_provider": campaign.gateway.key if campaign.gateway else None,
        "customer": campaign.customer,
        "traceable": campaign.traceable,
        "callback_number": "+1" + campaign.callback,
        "callback_holder": campaign.callback_holder.key if campaign.callback_holder else None,
        "calls": campaign.calls,
        "honeypot_calls": campaign.honeypot_calls,
    }


def campaign_shaken_truth(campaign: Campaign, attest: dict[str, str]) -> dict[str, Any]:
    """Who signs the campaign's calls: its US origin (A/B), or its gateway (C) — if capable."""
    if not campaign.origin.foreign:
        signed = signs_calls(campaign.origin)
        return {"signer": campaign.origin.key if signed else None,
                "attest": attest[campaign.id] if signed else None}  # fmt: skip
    gateway = campaign.gateway
    if gateway is None or not signs_calls(gateway):
        return {"signer": None, "attest": None}
    return {"signer": gateway.key, "attest": "C"}


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
            "providers": str(out / PROVIDERS_FILE),
            "provider_ids": str(out / PROVIDER_IDS_FILE),
            "cdrs": [str(p) for p in cdr_files],
            "honeypot": str(out / "honeypot.csv"),
            "complaints": str(out / "complaints.csv"),
            "truth": str(out / "truth.json"),
            "number_blocks": str(out / NUMBER_BLOCKS_FILE),
            "subscribers": str(out / SUBSCRIBERS_FILE),
        },
    }
