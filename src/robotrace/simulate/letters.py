"""Warning letters in the simulated world: who stops after one, who keeps sending, and when.

The simulator cannot know which letters a regulator will send. It gives every provider a
response to a letter (``stops`` or ``continues``) and acts as if each campaign's **warned
provider** — the gateway of a foreign-origin campaign, the originating provider of a
domestic one, the roles tracebacks name — got a letter at ``letters_at``. After the
mitigation deadline a campaign whose warned provider stops sends no more calls: every call of
a campaign crosses its one gateway, so dropping the calls through that gateway ends the
campaign's US traffic. Other roles are untouched: a provider that stops originating one
campaign still carries other campaigns' calls as an intermediate.

Traffic is generated in periods (before the letters, the grace period, after the deadline),
each with its share of the calls, so that every campaign reaches honeypots both before the
letters and, if it keeps sending, after the deadline.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from robotrace.simulate.campaigns import Campaign
from robotrace.simulate.network import SimProvider

STOPS, CONTINUES = "stops", "continues"
RESPONSES = (STOPS, CONTINUES)
#: No call leaves in the last second before the deadline, so every call either arrives
#: (a path takes under 0.3 s) before the deadline or leaves after it.
DEADLINE_LULL_MS = 1000


#: The periods without a honeypot minimum: the short waits before a deadline.
WAITS = ("grace", "notice period")


@dataclass(frozen=True)
class Period:
    """A stretch of traffic with its own share of the calls and its own honeypot minimum."""

    name: str
    start_ms: int
    span_ms: int
    calls: int
    robocalls: int
    #: The letters' mitigation deadline has passed (the warned providers that stop, stopped).
    after_deadline: bool = False
    #: The notification's respond-by has passed (``simulate.notices``).
    after_respond_by: bool = False

    @property
    def needs_honeypot_minimum(self) -> bool:
        return self.name not in WAITS


def split_periods(
    start_ms: int, span_ms: int, calls: int, robocalls: int, letters_ms: int | None,
    deadline_ms: int, notice_ms: int | None = None, respond_ms: int = 0,
) -> list[Period]:  # fmt: skip
    """One period without letters or a notification; else, by time: before the letters,
    grace, after the deadline (the letters), then notice period and after the respond-by (the
    notification, which comes after the letters' deadline)."""
    bounds: list[tuple[int, str]] = []
    if letters_ms is not None:
        bounds += [(letters_ms, "before letters"), (deadline_ms, "grace")]
    if notice_ms is not None:
        if letters_ms is None:
            bounds.append((notice_ms, "before notification"))
        else:
            bounds.append((notice_ms, "after deadline"))
        bounds.append((respond_ms, "notice period"))
        bounds.append((start_ms + span_ms, "after respond-by"))
    elif letters_ms is not None:
        bounds.append((start_ms + span_ms, "after deadline"))
    if not bounds:
        return [Period("traffic", start_ms, span_ms, calls, robocalls)]
    periods, begin = [], 0
    for end_ms, name in bounds:
        end = end_ms - start_ms
        share = _share(calls, span_ms, begin, end)
        robo = min(_share(robocalls, span_ms, begin, end), share)
        lull = DEADLINE_LULL_MS if name in WAITS else 0
        after_deadline = letters_ms is not None and start_ms + begin >= deadline_ms
        after_respond_by = notice_ms is not None and start_ms + begin >= respond_ms
        periods.append(Period(name, start_ms + begin, end - begin - lull, share, robo,
                              after_deadline, after_respond_by))  # fmt: skip
        begin = end
    return periods


def _share(total: int, span_ms: int, begin_ms: int, end_ms: int) -> int:
    """``total`` spread evenly over the span: the part between two offsets (no rounding drift)."""
    return round(total * end_ms / span_ms) - round(total * begin_ms / span_ms)


def warned_provider(campaign: Campaign) -> SimProvider:
    """The provider a letter about this campaign goes to: its gateway, or a US origin."""
    return campaign.gateway or campaign.origin


def letter_candidates(campaigns: Iterable[Campaign]) -> list[SimProvider]:
    """Warned providers of the traceable campaigns, the ones tracebacks will name."""
    found: dict[str, SimProvider] = {}
    for campaign in campaigns:
        if campaign.traceable:
            provider = warned_provider(campaign)
            found.setdefault(provider.key, provider)
    return list(found.values())


def choose_responses(
    rng: random.Random, providers: list[SimProvider], campaigns: list[Campaign]
) -> dict[str, str]:
    """A response per provider key; among the candidates (gateways first) at least one of
    each."""
    responses = {p.key: rng.choice(RESPONSES) for p in providers}
    candidates = letter_candidates(campaigns)
    gateways = [p for p in candidates if p.kind == "gateway"]
    for group in (gateways, candidates):
        if len(group) >= 2 and len({responses[p.key] for p in group}) == 1:
            flipped = rng.choice(group).key
            responses[flipped] = CONTINUES if responses[flipped] == STOPS else STOPS
    return responses


def stopping_campaigns(campaigns: list[Campaign], responses: dict[str, str]) -> set[str]:
    """Ids of the campaigns that send nothing after the deadline."""
    return {c.id for c in campaigns if responses[warned_provider(c).key] == STOPS}


def campaign_letter_truth(campaign: Campaign, responses: dict[str, str]) -> dict[str, Any]:
    """The members ``truth.json`` adds to a campaign when letters are simulated."""
    warned = warned_provider(campaign).key
    return {
        "warned_provider": warned,
        "after_letter": responses[warned],
        "calls_after_deadline": campaign.calls_since("after deadline")[0],
        "honeypot_calls_after_deadline": campaign.calls_since("after deadline")[1],
    }
