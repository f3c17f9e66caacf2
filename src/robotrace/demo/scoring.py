"""Score what the tracebacks found against the simulator's ground truth (``truth.json``).

Plain functions over the traceback summaries (``traceback.findings.summary_of``) and the truth.
A campaign's provider counts as *right* when the tracebacks name exactly the true one, as
*stopped* when none was named because every chain stopped at a non-cooperative provider that
really is on the call's true path (and that provider is then named), and as *wrong* otherwise.
On the mandatory ladder, a notified provider's decision is scored against its true answer
(:data:`EXPECTED_DECISION`) and a final order's downstream providers against the calls' true
paths (:func:`true_downstream`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

RIGHT, STOPPED, WRONG = "right", "stopped", "wrong"

Summary = Mapping[str, Any]


@dataclass(frozen=True)
class CampaignScore:
    campaign: str
    name: str
    tracebacks: tuple[str, ...]
    true_originating: str
    true_gateway: str | None
    found_originating: tuple[str, ...]
    found_gateway: tuple[str, ...]
    non_cooperative: tuple[str, ...]
    originating: str
    gateway: str
    chains_on_true_path: int
    notes: tuple[str, ...] = field(default=())


def _found(summaries: Sequence[Summary], key: str) -> tuple[str, ...]:
    return tuple(sorted({s[key] for s in summaries if s[key]}))


def chain_follows_true_path(summary: Summary, true_path: Sequence[str]) -> bool:
    """The asked providers, read upstream, are the true path from the terminating end."""
    asked = [hop["provider"] for hop in summary["hops"]]
    backwards = list(reversed(true_path))
    return asked == backwards[: len(asked)]


def stopped_at_non_cooperative(summary: Summary, true_path: Sequence[str]) -> bool:
    """The chain ended at a provider that refused or stayed silent, and it is on the path."""
    last = summary["hops"][-1]
    return last["answer"] in ("refused", "no_response") and last["provider"] in true_path


def _verdict(found: tuple[str, ...], truth: str | None, all_stopped: bool) -> str:
    if found == ((truth,) if truth else ()):
        return RIGHT
    if not found and all_stopped:
        return STOPPED
    return WRONG


def score_campaign(
    campaign: Mapping[str, Any],
    name: str,
    summaries: Sequence[Summary],
    true_paths: Mapping[str, Sequence[str]],
) -> CampaignScore:
    """``true_paths`` maps each traceback id to its sample call's true path (origin first)."""
    stopped = [stopped_at_non_cooperative(s, true_paths[s["id"]]) for s in summaries]
    followed = sum(chain_follows_true_path(s, true_paths[s["id"]]) for s in summaries)
    found_originating = _found(summaries, "originating_provider")
    found_gateway = _found(summaries, "gateway_provider")
    all_stopped = bool(summaries) and all(stopped)
    non_cooperative = sorted({p for s in summaries for p in s["non_cooperative"]})
    return CampaignScore(
        campaign=campaign["id"],
        name=name,
        tracebacks=tuple(s["id"] for s in summaries),
        true_originating=campaign["originating_provider"],
        true_gateway=campaign["gateway_provider"],
        found_originating=found_originating,
        found_gateway=found_gateway,
        non_cooperative=tuple(non_cooperative),
        originating=_verdict(found_originating, campaign["originating_provider"], all_stopped),
        gateway=_verdict(found_gateway, campaign["gateway_provider"], all_stopped),
        chains_on_true_path=followed,
    )


def tally(scores: Sequence[CampaignScore], part: str) -> dict[str, int]:
    """How many campaigns got ``part`` (originating/gateway) right, stopped or wrong."""
    counts = {RIGHT: 0, STOPPED: 0, WRONG: 0}
    for score in scores:
        counts[getattr(score, part)] += 1
    return counts


# --- The mandatory ladder ------------------------------------------------------------------

#: The decision a notified provider's true answer (``on_notification``) should get: one that
#: blocks the identified and substantially similar traffic complied; one that blocks only the
#: named campaign still carries its variant after the respond-by; one that ignores the
#: notification never responded; an intermediate names its upstream and is referred.
EXPECTED_DECISION = {
    "blocks": "complied",
    "blocks_named_only": "noncompliant",
    "ignores": "no_response",
    "names_upstream": "referred",
}


def family_of(campaigns: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each true campaign's family: the campaign a variant is a second script of, else its
    own id (the campaign engine joins a variant to its base by their call-back number)."""
    return {c["id"]: c.get("variant_of") or c["id"] for c in campaigns}


def true_downstream(paths: Iterable[Sequence[str]], key: str) -> set[str]:
    """The providers immediately after ``key`` on the calls' true paths (origin first)."""
    return {path[i + 1] for path in paths for i in range(len(path) - 1) if path[i] == key}


def true_upstreams(paths: Iterable[Sequence[str]], key: str) -> set[str]:
    """The providers immediately before ``key`` on the calls' true paths (origin first)."""
    return {path[i - 1] for path in paths for i in range(1, len(path)) if path[i] == key}
