"""The input of a grouping, deduplicated: each distinct normalised transcript once.

Real evidence repeats itself — one recording played to millions, about 40 % exact
duplicates in the FTC sample, and many more once names and numbers are masked — so
everything after reading works on distinct normalised texts with a count, and each row keeps
only the index of its text. Memory grows with the distinct texts, not with the rows.
"""

from __future__ import annotations

from array import array
from collections import Counter

from robotrace.campaigns.text import normalize, spoken_numbers

#: A caller ID seen with more distinct texts than this is a shared or junk number, no signal.
MAX_CALLER_TEXTS = 32


class Corpus:
    """Distinct normalised texts with their first raw text, counts, spoken numbers and the
    caller IDs they came from; ``rows[r]`` is row ``r``'s text index (-1 for an empty text)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.raw: list[str] = []
        self.counts: list[int] = []
        self.rows = array("i")
        #: Per text index: spoken call-back number (10 digits) → rows reading it out.
        self.numbers: dict[int, Counter[str]] = {}
        #: Per caller ID: the text indices of its calls (at most MAX_CALLER_TEXTS + 1).
        self.callers: dict[str, set[int]] = {}
        self._index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.texts)

    def add(self, text: str, caller: str | None = None) -> int:
        """Take one row; returns its text index (-1 when the text has no words)."""
        normalised = normalize(text)
        if not normalised:
            self.rows.append(-1)
            return -1
        index = self._index.get(normalised)
        if index is None:
            index = self._index[normalised] = len(self.texts)
            self.texts.append(normalised)
            self.raw.append(text)
            self.counts.append(0)
        self.counts[index] += 1
        self.rows.append(index)
        self._note_numbers(index, text)
        if caller:
            self._note_caller(index, caller)
        return index

    def _note_numbers(self, index: int, text: str) -> None:
        found = spoken_numbers(text)
        if found:
            self.numbers.setdefault(index, Counter()).update(found)

    def _note_caller(self, index: int, caller: str) -> None:
        texts = self.callers.setdefault(caller, set())
        if len(texts) <= MAX_CALLER_TEXTS:
            texts.add(index)

    def by_frequency(self, indices: list[int] | range | None = None) -> list[int]:
        """Text indices, most frequent first, ties in order of first appearance."""
        chosen = range(len(self.texts)) if indices is None else indices
        return sorted(chosen, key=lambda i: (-self.counts[i], i))
