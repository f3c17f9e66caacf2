"""The two levels of grouping, over a :class:`~robotrace.campaigns.corpus.Corpus`.

**Level 1 — near-duplicates.** Distinct texts, most frequent first, each join the most
similar *leader* whose estimated Jaccard similarity (MinHash, 128 permutations, over word
trigram shingles) is at least ``near_duplicate``; a text with none becomes a leader itself.
Candidates come from a datasketch ``MinHashLSH`` index of the leaders, queried below the
threshold so that pairs just above it are not missed, and are then checked on the
signatures. Processing the most frequent texts first makes each script's commonest wording
its leader; the order is fixed, so the result is deterministic.

**Level 2 — variants of one script.** Level-1 clusters are joined (union–find) when

- their calls read out the same call-back number (``spoken_numbers``): a campaign's scripts
  differ, its number does not;
- their leaders' Jaccard similarity is at least ``variant`` (a lower bar than level 1);
- the shorter leader is at least ``contained`` contained in the longer (a recording that
  starts mid-sentence): such a cluster joins only its best container, never several;
- they share a caller ID *and* their similarity is at least ``shared_caller``: caller IDs
  are spoofed and recycled, so they only ever lower the bar for texts that already look
  alike, and never join on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from datasketch import MinHashLSH

from robotrace.campaigns.corpus import MAX_CALLER_TEXTS, Corpus
from robotrace.campaigns.minhash import Signer, estimated_jaccard

#: The LSH index is asked at this share of a threshold, for recall; signatures then decide.
LSH_MARGIN = 0.8
_CHUNK = 4096

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Thresholds:
    near_duplicate: float = 0.5
    variant: float = 0.3
    contained: float = 0.75
    shared_caller: float = 0.15
    #: A text shorter than this (in shingles) is never joined by containment alone.
    min_contained_shingles: int = 8


@dataclass
class Leaders:
    """Level 1's result: each text's cluster, each cluster's leader text and signature."""

    cluster_of: np.ndarray
    texts: list[int]
    signatures: np.ndarray


def near_duplicates(
    corpus: Corpus, signer: Signer, thresholds: Thresholds, progress: Progress | None = None
) -> Leaders:
    """Level 1 (see the module docstring)."""
    order = corpus.by_frequency()
    cluster_of = np.full(len(corpus), -1, dtype=np.int32)
    index = MinHashLSH(threshold=thresholds.near_duplicate * LSH_MARGIN, num_perm=signer.num_perm)
    leaders: list[int] = []
    signatures = _Rows(signer.num_perm)
    for start in range(0, len(order), _CHUNK):
        chunk = order[start : start + _CHUNK]
        for text, signature in zip(chunk, _sign(corpus, signer, chunk), strict=True):
            sketch = signer.lean(signature)
            found = _best(index.query(sketch), signature, signatures, thresholds.near_duplicate)
            if found is None:
                found = len(leaders)
                leaders.append(text)
                signatures.append(signature)
                index.insert(found, sketch)
            cluster_of[text] = found
        if progress is not None:
            progress(start + len(chunk), len(order))
    return Leaders(cluster_of, leaders, signatures.array())


def _sign(corpus: Corpus, signer: Signer, texts: Sequence[int]) -> np.ndarray:
    return signer.signatures([corpus.texts[i].split() for i in texts])


def _best(
    candidates: list[int], signature: np.ndarray, signatures: _Rows, threshold: float
) -> int | None:
    if not candidates:
        return None
    ordered = np.array(sorted(candidates))
    similarity = estimated_jaccard(signature, signatures.rows(ordered))
    best = int(np.argmax(similarity))
    return int(ordered[best]) if similarity[best] >= threshold else None


class _Rows:
    """A growing 2-D uint32 array (amortised appends)."""

    def __init__(self, width: int) -> None:
        self._data = np.empty((1024, width), dtype=np.uint32)
        self._size = 0

    def append(self, row: np.ndarray) -> None:
        if self._size == len(self._data):
            self._data = np.concatenate((self._data, np.empty_like(self._data)))
        self._data[self._size] = row
        self._size += 1

    def rows(self, indices: np.ndarray) -> np.ndarray:
        chosen: np.ndarray = self._data[indices]
        return chosen

    def array(self) -> np.ndarray:
        return self._data[: self._size].copy()


# --- Level 2 -------------------------------------------------------------------------------


class UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def root(self, item: int) -> int:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        """Members per group, groups in order of their smallest member."""
        found: dict[int, list[int]] = {}
        for item in range(len(self.parent)):
            found.setdefault(self.root(item), []).append(item)
        return list(found.values())


def variants(
    corpus: Corpus, leaders: Leaders, signer: Signer, thresholds: Thresholds
) -> list[list[int]]:
    """Level 2: the level-1 clusters of each campaign (see the module docstring)."""
    joined = UnionFind(len(leaders.texts))
    for clusters in _numbers_by_cluster(corpus, leaders).values():
        first, *rest = sorted(clusters)
        for other in rest:
            joined.union(first, other)
    callers = set(_sharing(_callers_by_cluster(corpus, leaders)))
    sizes = np.array([_shingle_count(corpus, signer, text) for text in leaders.texts])
    for cluster, others, similarity in _similar_leaders(leaders, signer, thresholds):
        for other, value in zip(others, similarity, strict=True):
            alike = value >= thresholds.variant
            if alike or (value >= thresholds.shared_caller and (cluster, other) in callers):
                joined.union(cluster, other)
        container = _best_container(cluster, others, similarity, sizes, thresholds)
        if container is not None:
            joined.union(cluster, container)
    return joined.groups()


def _shingle_count(corpus: Corpus, signer: Signer, text: int) -> int:
    return len(np.unique(signer.shingle_hashes(corpus.texts[text].split())))


def _similar_leaders(
    leaders: Leaders, signer: Signer, thresholds: Thresholds
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """For each cluster, the other clusters the LSH index offers and their similarity."""
    lowest = min(thresholds.variant, thresholds.shared_caller)
    index = MinHashLSH(threshold=lowest * LSH_MARGIN, num_perm=signer.num_perm)
    sketches = [signer.lean(signature) for signature in leaders.signatures]
    for cluster, sketch in enumerate(sketches):
        index.insert(cluster, sketch)
    for cluster, sketch in enumerate(sketches):
        others = np.array(sorted(k for k in index.query(sketch) if k != cluster), dtype=np.int64)
        if len(others):
            signature = leaders.signatures[cluster]
            yield cluster, others, estimated_jaccard(signature, leaders.signatures[others])


def _best_container(
    cluster: int,
    others: np.ndarray,
    similarity: np.ndarray,
    sizes: np.ndarray,
    thresholds: Thresholds,
) -> int | None:
    """The longer leader that contains this one most, if enough (containment estimated
    from the Jaccard estimate and both shingle counts)."""
    own = sizes[cluster]
    if own < thresholds.min_contained_shingles:
        return None
    longer = sizes[others] >= own
    if not longer.any():
        return None
    j = similarity[longer]
    containment = j * (own + sizes[others][longer]) / ((1 + j) * own)
    best = int(np.argmax(containment))
    return int(others[longer][best]) if containment[best] >= thresholds.contained else None


def _numbers_by_cluster(corpus: Corpus, leaders: Leaders) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for text, numbers in corpus.numbers.items():
        for number in numbers:
            found.setdefault(number, set()).add(int(leaders.cluster_of[text]))
    return found


def _callers_by_cluster(corpus: Corpus, leaders: Leaders) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for caller, texts in corpus.callers.items():
        clusters = {int(leaders.cluster_of[t]) for t in texts}
        if len(texts) <= MAX_CALLER_TEXTS and len(clusters) > 1:
            found[caller] = clusters
    return found


def _sharing(groups: dict[str, set[int]]) -> Iterator[tuple[int, int]]:
    """Both orders of every pair of clusters that share a key."""
    for clusters in groups.values():
        for a, b in combinations(sorted(clusters), 2):
            yield a, b
            yield b, a
