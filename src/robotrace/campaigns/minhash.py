"""MinHash signatures of many texts at once, in numpy, interchangeable with datasketch's.

datasketch hashes every shingle in Python and updates one sketch at a time, which is too slow
for millions of transcripts. Here each distinct token is hashed once (BLAKE2b, 32 bits,
cached), a shingle's hash is mixed from its tokens' hashes, and the permutations of a batch
of texts run as one array operation. The permutations are datasketch's own (``affine32``
scheme: ``a·fmix32(h) + b mod 2³²`` with datasketch's seeded ``a``, ``b``), so a signature
here equals ``datasketch.MinHash(num_perm, seed, hashfunc=int)`` updated with the same shingle
hashes, and can be wrapped in a :class:`datasketch.LeanMinHash` for its LSH index.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from datasketch import LeanMinHash, MinHash

from robotrace.campaigns.text import SHINGLE_SIZE

NUM_PERM = 128
#: The permutations' seed: fixed, so that signatures (and campaign ids) never change.
SEED = 20200401
#: Shingles per array operation: 8192 × 128 permutations × 4 bytes = 4 MiB a batch, which
#: stays in the CPU caches (measured about 4× faster than batches of 65,536).
_BATCH_SHINGLES = 1 << 13
_MIX = np.uint32(0x01000193)
_U32 = np.uint32


def fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer on uint32 values (what datasketch applies before permuting)."""
    h = values.astype(np.uint32, copy=True)
    h ^= h >> _U32(16)
    h *= _U32(0x85EBCA6B)
    h ^= h >> _U32(13)
    h *= _U32(0xC2B2AE35)
    h ^= h >> _U32(16)
    return h


class Signer:
    """Signs normalised token lists; one instance caches its token hashes."""

    def __init__(self, num_perm: int = NUM_PERM, seed: int = SEED) -> None:
        self.num_perm = num_perm
        self.seed = seed
        a, b = MinHash(num_perm=num_perm, seed=seed).permutations
        self._a = a.astype(np.uint32)
        self._b = b.astype(np.uint32)
        self._token_hashes: dict[str, int] = {}

    def token_hashes(self, words: Sequence[str]) -> list[int]:
        cache = self._token_hashes
        found = []
        for word in words:
            value = cache.get(word)
            if value is None:
                digest = hashlib.blake2b(word.encode("utf-8"), digest_size=4).digest()
                value = cache[word] = int.from_bytes(digest, "little")
            found.append(value)
        return found

    def shingle_hashes(self, words: Sequence[str]) -> np.ndarray:
        """The 32-bit hash of each shingle of ``words`` (see :func:`text.shingles`)."""
        return self._shingle_hashes([words])[0]

    def signatures(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        """One row of ``num_perm`` uint32 minimums per token list (none may be empty)."""
        out = np.empty((len(docs), self.num_perm), dtype=np.uint32)
        start = 0
        while start < len(docs):
            stop = _batch_end(docs, start)
            hashes, starts = self._shingle_hashes(docs[start:stop])
            # permutations × shingles: reducing along rows is much faster than down columns
            permuted = self._a[:, None] * fmix32(hashes)[None, :] + self._b[:, None]
            out[start:stop] = np.minimum.reduceat(permuted, starts, axis=1).T
            start = stop
        return out

    def lean(self, signature: np.ndarray) -> LeanMinHash:
        """A datasketch sketch with this signature, for its LSH index."""
        return LeanMinHash(seed=self.seed, hashvalues=signature, scheme="affine32")

    def _shingle_hashes(self, docs: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """All shingle hashes of ``docs`` concatenated, and where each doc's shingles begin."""
        lengths = np.fromiter((len(words) for words in docs), dtype=np.int64, count=len(docs))
        if not lengths.all():
            raise ValueError("an empty text has no shingles to sign")
        flat = [value for words in docs for value in self.token_hashes(words)]
        prefixes = mix_prefixes(np.asarray(flat, dtype=np.uint32))
        counts = np.maximum(lengths - SHINGLE_SIZE + 1, 1)
        starts = np.cumsum(counts) - counts
        firsts = np.cumsum(lengths) - lengths
        positions = np.arange(counts.sum()) + np.repeat(firsts - starts, counts)
        widths = np.repeat(np.minimum(lengths, SHINGLE_SIZE), counts)
        return _pick(prefixes, widths, positions), starts


def mix_prefixes(tokens: np.ndarray, size: int = SHINGLE_SIZE) -> list[np.ndarray]:
    """``found[j][p]``: the hash of the ``j + 1`` tokens from position ``p``, each token mixed
    into the ones before it in order; a shingle of ``size`` tokens is ``found[size - 1]``."""
    found = [tokens]
    for offset in range(1, size):
        previous = found[-1][: len(tokens) - offset]
        found.append(fmix32((previous * _MIX) ^ tokens[offset:]))
    return found


def _pick(prefixes: list[np.ndarray], widths: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Each shingle's hash from the prefix of its width (short texts are one short shingle)."""
    hashes = np.empty(len(positions), dtype=np.uint32)
    for j, values in enumerate(prefixes):
        chosen = widths == j + 1
        hashes[chosen] = values[positions[chosen]]
    return hashes


def _batch_end(docs: Sequence[Sequence[str]], start: int) -> int:
    total = 0
    stop = start
    while stop < len(docs) and (stop == start or total + len(docs[stop]) <= _BATCH_SHINGLES):
        total += len(docs[stop])
        stop += 1
    return stop


def estimated_jaccard(signature: np.ndarray, others: np.ndarray) -> np.ndarray:
    """The share of equal minimums: the Jaccard similarity estimate against each row."""
    return np.asarray((others == signature).mean(axis=1), dtype=np.float64)
