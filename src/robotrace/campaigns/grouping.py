"""The first grouping, kept only until the demo moves to :mod:`robotrace.campaigns.service`.

It compares word shingles (Jaccard similarity) against each group's first member, in
quadratic time; :mod:`robotrace.campaigns.engine` replaces it (MinHash/LSH, two levels,
stable ids, tags). Remove this module and its tests once nothing imports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from robotrace.campaigns.text import spoken_numbers

_WORD = re.compile(r"[a-z]+")
SHINGLE = 3


def shingles(text: str, size: int = SHINGLE) -> frozenset[str]:
    """Word ``size``-grams of the lower-cased letters-only text; digits and names vary too much."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Group:
    members: tuple[str, ...]
    representative: str
    name: str


def group_transcripts(items: Iterable[tuple[str, str]], threshold: float = 0.3) -> list[Group]:
    """Group ``(id, transcript)`` pairs; biggest group first, ties by first member id."""
    leaders: list[frozenset[str]] = []
    members: list[list[tuple[str, str, frozenset[str]]]] = []
    for item_id, text in items:
        sig = shingles(text)
        scores = [jaccard(sig, leader) for leader in leaders]
        best = max(range(len(scores)), key=scores.__getitem__, default=None)
        if best is not None and scores[best] >= threshold:
            members[best].append((item_id, text, sig))
        else:
            leaders.append(sig)
            members.append([(item_id, text, sig)])
    groups = [_finish(group) for group in members]
    return sorted(groups, key=lambda g: (-len(g.members), g.members[0]))


def _finish(group: list[tuple[str, str, frozenset[str]]]) -> Group:
    typical = max(group, key=lambda m: sum(jaccard(m[2], other[2]) for other in group))
    return Group(
        members=tuple(m[0] for m in group),
        representative=typical[1],
        name=campaign_name(typical[1]),
    )


def campaign_name(text: str, words: int = 8) -> str:
    """A readable name: the transcript's opening words."""
    tokens = text.split()
    name = " ".join(tokens[:words]).strip(" ,.;:")
    return name + ("…" if len(tokens) > words else "")


def join_by_callback(groups: list[Group], texts: dict[str, str]) -> list[Group]:
    """Join groups whose calls read out the same call-back number: variants of one script."""
    parent = list(range(len(groups)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, group in enumerate(groups):
        for member in group.members:
            for number in spoken_numbers(texts[member]):
                parent[root(index)] = root(owner.setdefault(number, index))
    joined: dict[int, list[Group]] = {}
    for index, group in enumerate(groups):
        joined.setdefault(root(index), []).append(group)
    merged = [_merge(parts) for parts in joined.values()]
    return sorted(merged, key=lambda g: (-len(g.members), g.members[0]))


def _merge(parts: list[Group]) -> Group:
    biggest = max(parts, key=lambda g: len(g.members))
    members = tuple(sorted(m for g in parts for m in g.members))
    return Group(members=members, representative=biggest.representative, name=biggest.name)
