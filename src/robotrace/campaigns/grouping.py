"""Group transcripts into campaigns: plain functions over data, no store.

``group_texts(texts)`` reads the transcripts once (normalising and deduplicating them,
:mod:`~robotrace.campaigns.corpus`), groups the distinct texts in two levels
(:mod:`~robotrace.campaigns.clusters`) and describes each campaign: its stable id, name,
tags, typical transcript, two sample transcripts, call-back numbers and size
(:mod:`~robotrace.campaigns.naming`, :mod:`~robotrace.campaigns.tags`). Rows map to
campaigns by their position in the input. See ``docs/campaigns.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from itertools import zip_longest

import numpy as np

from robotrace.campaigns.clusters import Leaders, Thresholds, near_duplicates, variants
from robotrace.campaigns.corpus import Corpus
from robotrace.campaigns.minhash import Signer
from robotrace.campaigns.naming import (
    campaign_id,
    campaign_name,
    core_of,
    shingle_shares,
    typical_index,
)
from robotrace.campaigns.tags import tags_of
from robotrace.campaigns.text import shingles
from robotrace.numbers import try_normalize

#: Distinct texts of a campaign read to find its core, typical transcript and tags.
SAMPLE_TEXTS = 200
MAX_CALLBACK_NUMBERS = 10

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class FoundCampaign:
    id: str
    name: str
    tags: tuple[str, ...]
    #: The most typical transcript, as first heard.
    representative: str
    #: Up to two transcripts: the typical one and the most frequent other one.
    samples: tuple[str, ...]
    #: Call-back numbers read out in its calls, E.164, most frequent first.
    callback_numbers: tuple[str, ...]
    calls: int


@dataclass
class Grouping:
    campaigns: list[FoundCampaign]
    #: Per input row, the index of its campaign in ``campaigns`` (-1: the row had no words).
    row_campaign: np.ndarray

    def campaign_of(self, row: int) -> FoundCampaign | None:
        index = int(self.row_campaign[row])
        return self.campaigns[index] if index >= 0 else None

    def members(self) -> list[list[int]]:
        """The row indices of each campaign, in input order."""
        found: list[list[int]] = [[] for _ in self.campaigns]
        for row, index in enumerate(self.row_campaign.tolist()):
            if index >= 0:
                found[index].append(row)
        return found


def group_texts(
    texts: Iterable[str],
    callers: Iterable[str | None] = (),
    thresholds: Thresholds | None = None,
    progress: Progress | None = None,
) -> Grouping:
    """Group transcripts. ``callers`` (optional, aligned with ``texts``): each call's caller
    ID in E.164, ``None`` where it is invalid — a supporting signal only."""
    return group_calls(_aligned(texts, callers), thresholds, progress)


def group_calls(
    calls: Iterable[tuple[str, str | None]],
    thresholds: Thresholds | None = None,
    progress: Progress | None = None,
) -> Grouping:
    """Group ``(transcript, caller ID or None)`` pairs, read once (a generator streams)."""
    return group_corpus(read_corpus(calls, progress), thresholds or Thresholds(), progress)


def _aligned(
    texts: Iterable[str], callers: Iterable[str | None]
) -> Iterator[tuple[str, str | None]]:
    for row, (text, caller) in enumerate(zip_longest(texts, callers)):
        if text is None:
            raise ValueError(f"more caller IDs than texts (row {row + 1})")
        yield text, caller


def read_corpus(
    calls: Iterable[tuple[str, str | None]], progress: Progress | None = None
) -> Corpus:
    corpus = Corpus()
    for row, (text, caller) in enumerate(calls):
        corpus.add(text, caller)
        if progress is not None and row % 50_000 == 0:
            progress("reading", row, 0)
    return corpus


def group_corpus(
    corpus: Corpus, thresholds: Thresholds, progress: Progress | None = None
) -> Grouping:
    signer = Signer()
    tick = None if progress is None else (lambda done, total: progress("grouping", done, total))
    leaders = near_duplicates(corpus, signer, thresholds, tick)
    groups = variants(corpus, leaders, signer, thresholds)
    members = _texts_of(groups, leaders)
    described = [describe(corpus, texts) for texts in members]
    order = sorted(range(len(described)), key=lambda i: (-described[i].calls, described[i].id))
    campaigns = unique_ids([described[i] for i in order])
    return Grouping(campaigns, _row_campaigns(corpus, members, order))


def _texts_of(groups: list[list[int]], leaders: Leaders) -> list[list[int]]:
    """Text indices of each campaign (from its level-1 clusters)."""
    campaign_of_cluster = np.empty(len(leaders.texts), dtype=np.int64)
    for campaign, clusters in enumerate(groups):
        campaign_of_cluster[clusters] = campaign
    campaign_of_text = campaign_of_cluster[leaders.cluster_of]
    found: list[list[int]] = [[] for _ in groups]
    for text, campaign in enumerate(campaign_of_text.tolist()):
        found[campaign].append(text)
    return found


def _row_campaigns(corpus: Corpus, members: list[list[int]], order: list[int]) -> np.ndarray:
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    of_text = np.empty(len(corpus) + 1, dtype=np.int32)
    of_text[-1] = -1  # row value -1 (no words) indexes this last slot
    for campaign, texts in enumerate(members):
        of_text[texts] = rank[campaign]
    rows = np.frombuffer(corpus.rows, dtype=np.int32) if len(corpus.rows) else np.empty(0, np.int32)
    return of_text[rows]


def describe(corpus: Corpus, texts: Sequence[int]) -> FoundCampaign:
    """A campaign from its distinct texts (see :mod:`robotrace.campaigns.naming`)."""
    ranked = corpus.by_frequency(list(texts))
    sample = ranked[:SAMPLE_TEXTS]
    normalised = [corpus.texts[i] for i in sample]
    weights = [corpus.counts[i] for i in sample]
    shares = shingle_shares(normalised, weights)
    core = core_of(shares) or set(shingles(normalised[0].split()))
    typical = sample[typical_index(normalised, weights, core, [corpus.raw[i] for i in sample])]
    others = [corpus.raw[i] for i in ranked[:3] if i != typical][:1]
    return FoundCampaign(
        id=campaign_id(shares),
        name=campaign_name(corpus.raw[typical]),
        tags=tuple(tags_of([corpus.raw[i] for i in sample], weights)),
        representative=corpus.raw[typical],
        samples=(corpus.raw[typical], *others),
        callback_numbers=callback_numbers(corpus, texts),
        calls=sum(corpus.counts[i] for i in texts),
    )


def callback_numbers(corpus: Corpus, texts: Iterable[int]) -> tuple[str, ...]:
    """The valid numbers read out in these texts' calls, E.164, most frequent first."""
    tally: Counter[str] = Counter()
    for text in texts:
        tally.update(corpus.numbers.get(text, {}))
    valid = [(e164, count) for number, count in tally.items() if (e164 := _e164(number))]
    ranked = sorted(valid, key=lambda item: (-item[1], item[0]))
    return tuple(e164 for e164, _count in ranked[:MAX_CALLBACK_NUMBERS])


@cache
def _e164(national: str) -> str | None:
    return try_normalize("+1" + national)


def unique_ids(campaigns: list[FoundCampaign]) -> list[FoundCampaign]:
    """The first of campaigns with the same id keeps it; later ones get ``-2``, ``-3`` …"""
    seen: Counter[str] = Counter()
    found = []
    for campaign in campaigns:
        seen[campaign.id] += 1
        if seen[campaign.id] > 1:
            campaign = replace(campaign, id=f"{campaign.id}-{seen[campaign.id]}")
        found.append(campaign)
    return found
