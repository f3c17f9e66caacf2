"""Tracebacks straight from files: a provider registry and a folder of CDRs, no server.

Every provider with records answers from its own records only; a provider without records
counts as non-responsive.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from robotrace.clock import SimulatedClock, parse_utc
from robotrace.numbers import traced_numbers
from robotrace.providers.registry import Provider
from robotrace.providers.zones import provider_zone
from robotrace.rows import BadRowsError, RowError
from robotrace.traceback.answerer import Answerer, LegLookup, RecordsAnswerer
from robotrace.traceback.model import CallUnderTrace, ProviderInfo, SignerLead
from robotrace.traceback.runner import Run, no_delay, run_to_outcome
from robotrace.traceback.workflow import Policy, open_traceback

CALLS_COLUMNS = ("calling_number", "called_number", "call_time", "terminating_provider")


@dataclass(frozen=True)
class CallToTrace:
    call: CallUnderTrace
    terminating_provider: str


def info_of(provider: Provider, default_zone: str) -> ProviderInfo:
    """What the workflow knows of a registry row; its zone from its address's state, else
    ``default_zone`` (the ``business_zone`` setting; robotrace.providers.zones)."""
    zone = provider_zone(None, provider.business_address, provider.foreign, default_zone)
    return ProviderInfo(
        key=provider.key,
        name=provider.business_name,
        country=provider.country,
        foreign=provider.foreign,
        contact_email=provider.contact_email,
        time_zone=zone.zone,
    )


def answerers_for(
    records: Mapping[str, LegLookup],
    directory: Mapping[str, ProviderInfo],
    skew_s: float,
) -> dict[str, Answerer]:
    """An answerer for each provider's records, matching legs within ``skew_s``."""
    return {key: RecordsAnswerer(r, directory, skew_s=skew_s) for key, r in records.items()}


def trace_call(
    traceback_id: str,
    target: CallToTrace,
    directory: dict[str, ProviderInfo],
    answerers: Mapping[str, Answerer],
    clock: SimulatedClock,
    policy: Policy,
    actor: str = "robotrace:trace",
    campaign: str | None = None,
    response_delay: Callable[[str], timedelta] = no_delay,
    signer: SignerLead | None = None,
    shortcut: bool = True,
) -> Run:
    """Open a traceback for one call and follow it to an outcome; with a ``signer`` (from the
    call's verified Identity header) and ``shortcut``, an A/B signer is asked directly."""
    terminating = directory.get(target.terminating_provider)
    if terminating is None:
        raise ValueError(f"terminating provider {target.terminating_provider} is not registered")
    step = open_traceback(
        traceback_id, target.call, terminating, clock.now(), actor, policy, campaign, signer
    )
    run = Run(step.traceback, list(step.events))
    return run_to_outcome(
        run, answerers, directory, clock, policy, response_delay, shortcut=shortcut
    )


def _call_from_row(row: dict[str, str]) -> CallToTrace:
    missing = [c for c in CALLS_COLUMNS if not (row.get(c) or "").strip()]
    if missing and missing != ["calling_number"]:
        raise ValueError(f"empty {', '.join(missing)}")
    try:
        when = parse_utc(row["call_time"])
    except ValueError as exc:
        raise ValueError(f"call_time: {exc}") from None
    calling, called = traced_numbers(row.get("calling_number"), row["called_number"])
    call = CallUnderTrace(calling, called, when)
    return CallToTrace(call, row["terminating_provider"].strip().upper())


def read_calls_csv(path: Path) -> list[CallToTrace]:
    """Read a calls file; every bad row is reported and then nothing is returned."""
    calls, errors = [], []
    for line, row in _rows(path):
        try:
            calls.append(_call_from_row(row))
        except ValueError as exc:
            errors.append(RowError(str(path), line, str(exc)))
    if errors:
        raise BadRowsError(errors)
    return calls


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CALLS_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise BadRowsError([RowError(str(path), 1, f"missing column(s): {', '.join(missing)}")])
        for row in reader:
            yield reader.line_num, row
