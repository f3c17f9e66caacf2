"""Names that look like a known provider's: a downstream provider names an unknown upstream
as "Вravo Wholesale" (a Cyrillic В) and a coordinator should see that it looks like Bravo
Wholesale before trusting it (issue 24, item 5). Identifiers are ASCII only and refuse
look-alikes where they enter (``robotrace.providers.identity``); names may be any script, so
they are compared here by a *skeleton*: each character that Unicode's confusables data
(``confusable-homoglyphs``) says looks like a Latin one is replaced by it, then case,
spaces and punctuation are folded away."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from confusable_homoglyphs import confusables


def skeleton(name: str) -> str:
    """What ``name`` looks like: Latin look-alikes replaced, case and separators folded."""
    text = unicodedata.normalize("NFKC", name)
    found = confusables.is_confusable(text, preferred_aliases=["latin"], greedy=True) or []
    swap = {item["character"]: item["homoglyphs"][0]["c"] for item in found if item["homoglyphs"]}
    latin = "".join(swap.get(ch, ch) for ch in text)
    return "".join(ch for ch in latin.casefold() if ch.isalnum())


def looks_like(name: str, known: Iterable[tuple[str, str]]) -> list[str]:
    """The keys of the ``(key, name)`` pairs whose name looks like ``name`` without being
    it, character for character."""
    wanted = skeleton(name)
    if not wanted:
        return []
    return sorted({key for key, other in known if other != name and skeleton(other) == wanted})
