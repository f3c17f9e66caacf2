"""How well a grouping matches the truth: the adjusted Rand index (Hubert and Arabie, 1985).

ARI counts the pairs of items that two partitions put together, corrected for the agreement
two random partitions of the same sizes would reach: 1 for identical partitions, about 0 for
chance, negative for worse than chance.

``ARI = (Σ C(n_ij, 2) − E) / (½ (Σ C(a_i, 2) + Σ C(b_j, 2)) − E)`` with
``E = Σ C(a_i, 2) · Σ C(b_j, 2) / C(n, 2)``, where ``n_ij`` counts the items in cluster *i* of
one partition and *j* of the other, and ``a_i``, ``b_j`` are the cluster sizes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def adjusted_rand_index(truth: Sequence[Hashable], found: Sequence[Hashable]) -> float:
    """ARI of two labelings of the same items (``truth[i]`` and ``found[i]`` label item i)."""
    if len(truth) != len(found):
        raise ValueError(f"{len(truth)} true labels but {len(found)} found ones")
    n = len(truth)
    together = sum(_pairs(c) for c in Counter(zip(truth, found, strict=True)).values())
    true_pairs = sum(_pairs(c) for c in Counter(truth).values())
    found_pairs = sum(_pairs(c) for c in Counter(found).values())
    expected = true_pairs * found_pairs / _pairs(n) if n > 1 else 0.0
    best = (true_pairs + found_pairs) / 2
    if best == expected:  # both partitions all singletons or one cluster: they agree
        return 1.0
    return (together - expected) / (best - expected)
