"""Substantially similar traffic: what else, besides the calls a letter or notification named,
a provider must stop (47 CFR 64.1200(n): "the identified traffic and substantially similar
traffic"). The rule does not define it; robotrace's definition, from what it knows of a call
(docs/concepts.md, "Substantially similar traffic"):

- **the same campaign family**: a campaign that reads out one of the named campaigns'
  call-back numbers, or whose typical transcript shares at least ``family_jaccard`` of its
  word trigrams with a named campaign's (a lower bar than the campaign engine's own variant
  bar, which has already joined closer scripts into one campaign);
- **the same originating customer**: a call the originating provider said was placed by a
  customer named in the step, or by a customer the identified calls came from;
- **the same caller-ID pattern**: a caller ID of an identified call, or a number in an
  NPA-NXX block that at least ``prefix_min`` different identified caller IDs came from.

Pure functions: the profile is built from the step's rows and the campaigns' call-back
numbers and transcripts; :func:`similarity` says why a row matches, or None.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from robotrace.campaigns.text import shingles, tokens
from robotrace.enforcement.evidence import EvidenceRow

FAMILY_JACCARD = 0.2
PREFIX_MIN = 3


@dataclass(frozen=True)
class CampaignFacts:
    """What the similarity rule needs of a campaign."""

    callback_numbers: tuple[str, ...] = ()
    transcript: str = ""


@dataclass(frozen=True)
class TrafficProfile:
    """The identified traffic of one enforcement step, and what counts as like it."""

    campaigns: frozenset[str]
    #: Other campaigns of the same family, with why (``callback +1…`` or ``transcript 0.27``).
    family: Mapping[str, str] = field(default_factory=dict)
    originators: frozenset[str] = frozenset()
    caller_ids: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()

    def as_json(self) -> dict[str, Any]:
        return {
            "campaigns": sorted(self.campaigns),
            "family": dict(sorted(self.family.items())),
            "originators": sorted(self.originators),
            "caller_ids": sorted(self.caller_ids),
            "prefixes": sorted(self.prefixes),
        }


def originator_key(name: str) -> str:
    """Originator names compare without case and with runs of spaces collapsed."""
    return " ".join(name.split()).casefold()


def npa_nxx(number: str) -> str | None:
    """The NPA-NXX block of a NANP number in E.164 (``+1`` and ten digits), else None."""
    digits = number.removeprefix("+1")
    if number.startswith("+1") and len(digits) == 10 and digits.isascii() and digits.isdigit():
        return digits[:6]
    return None


def transcript_jaccard(left: str, right: str) -> float:
    """Jaccard similarity of two transcripts' word-trigram sets (0 when either is empty)."""
    a, b = set(shingles(tokens(left))), set(shingles(tokens(right)))
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def family_of(
    named: Iterable[str],
    campaigns: Mapping[str, CampaignFacts],
    threshold: float = FAMILY_JACCARD,
) -> dict[str, str]:
    """The campaigns (not named) of the named campaigns' family, each with its reason."""
    named = set(named)
    numbers = {n for c in named if c in campaigns for n in campaigns[c].callback_numbers}
    texts = [campaigns[c].transcript for c in sorted(named) if c in campaigns]
    family: dict[str, str] = {}
    for campaign_id, facts in sorted(campaigns.items()):
        if campaign_id in named:
            continue
        shared = sorted(numbers & set(facts.callback_numbers))
        if shared:
            family[campaign_id] = f"the same call-back number {shared[0]}"
            continue
        best = max((transcript_jaccard(facts.transcript, t) for t in texts), default=0.0)
        if best >= threshold:
            family[campaign_id] = f"a script like the named campaign's ({best:.2f} alike)"
    return family


def profile_of(
    rows: Sequence[EvidenceRow],
    campaigns: Sequence[str],
    originators: Sequence[str],
    facts: Mapping[str, CampaignFacts],
    prefix_min: int = PREFIX_MIN,
    family_threshold: float = FAMILY_JACCARD,
) -> TrafficProfile:
    """The profile of a step that named ``campaigns`` and ``originators``, from its evidence
    ``rows`` (the identified calls)."""
    callers = {row.caller_id for row in rows if row.caller_id}
    blocks = Counter(p for p in (npa_nxx(c) for c in callers) if p)
    customers = {originator_key(o) for o in originators if o.strip()}
    customers |= {originator_key(r.originator) for r in rows if r.originator}
    return TrafficProfile(
        campaigns=frozenset(campaigns),
        family=family_of(campaigns, facts, family_threshold),
        originators=frozenset(customers),
        caller_ids=frozenset(callers),
        prefixes=frozenset(p for p, n in blocks.items() if n >= prefix_min),
    )


def identified(row: EvidenceRow, profile: TrafficProfile) -> bool:
    """The row is a call of a named campaign (the identified traffic itself)."""
    return row.campaign is not None and row.campaign in profile.campaigns


def similarity(row: EvidenceRow, profile: TrafficProfile) -> str | None:
    """Why ``row`` is substantially similar to the identified traffic; None when it is not
    (nor identified: see :func:`identified`)."""
    if row.campaign is not None and row.campaign in profile.family:
        return f"campaign {row.campaign}: {profile.family[row.campaign]}"
    if row.originator and originator_key(row.originator) in profile.originators:
        return f"the same originating customer {row.originator!r}"
    if row.caller_id in profile.caller_ids:
        return f"the caller ID {row.caller_id} of an identified call"
    block = npa_nxx(row.caller_id)
    if block is not None and block in profile.prefixes:
        return f"a caller ID in the NPA-NXX {block} the identified calls came from"
    return None
