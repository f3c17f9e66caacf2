"""A campaign's stable id, its most typical transcript, and a readable name taken from it.

**Core.** The shingles (normalised word trigrams) found in at least half of a campaign's
calls: what every variant of the script says. Fillers (names, numbers, the synonyms one
variant picks) fall below half; a script's fixed wording stays.

**Id.** ``C-`` and 8 base-32 characters of a BLAKE2b digest of the campaign's two commonest
shingles: the shingles ordered by their share of the calls, rounded to tenths, ties broken by
a fixed hash (a bottom-2 MinHash of the script's most common wording). Grouping the same
input again gives the same ids; more calls of the same script keep the same commonest
wording and so, mostly, the same id — in simulated worlds grouped at 2 and 4 times the
calls, 51 of 54 campaign ids stayed (the three that changed had a shingle cross a tenth).
Two campaigns with the same id (a fragment that stayed apart from its script) are told apart
by ``-2``, ``-3`` … in order of size.

**Typical transcript.** Among the distinct transcripts that cover the most of the core (in
steps of a tenth, so that a recording cut short does not win), one that starts like a
sentence (a capital letter: recordings often start mid-sentence), then the most frequent,
then the closest to the core (Jaccard similarity of its shingles with the core).

**Name.** The most telling stretch of the typical transcript: within its first four
sentences, the window of at most :data:`NAME_WORDS` words with the most content words —
words that are not function words, greetings, dates or call-to-action words (``press``,
``please``), capitalised ones (Amazon, Social Security) counting double, people's names not
at all — a window that starts its sentence scoring :data:`SENTENCE_START_BONUS` more.
Words that say nothing are dropped from both ends. A transcript in a script without spaces
(Mandarin) is named by its first :data:`NAME_CHARACTERS` characters.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Sequence

from robotrace.campaigns.text import FIRST_NAMES, shingles, word_set

CORE_SHARE = 0.5
NAME_WORDS = 10
#: A window that starts its sentence gets this much more, so names rarely start mid-phrase.
SENTENCE_START_BONUS = 2
NAME_CHARACTERS = 20
_ID_SHINGLES = 2


def shingle_shares(texts: Sequence[str], weights: Sequence[int]) -> dict[str, float]:
    """Each shingle's share of the calls (``texts`` are normalised; ``texts[i]`` stands for
    ``weights[i]`` calls)."""
    tally: Counter[str] = Counter()
    for text, weight in zip(texts, weights, strict=True):
        for shingle in set(shingles(text.split())):
            tally[shingle] += weight
    total = sum(weights)
    return {shingle: count / total for shingle, count in tally.items()}


def core_of(shares: dict[str, float]) -> set[str]:
    """The shingles of at least :data:`CORE_SHARE` of the calls."""
    return {shingle for shingle, share in shares.items() if share >= CORE_SHARE}


def _rank(shingle: str) -> bytes:
    return hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()


def campaign_id(shares: dict[str, float]) -> str:
    """``C-`` + 8 base-32 characters from the campaign's two commonest shingles (see the
    module docstring)."""
    commonest = sorted(shares, key=lambda s: (-round(shares[s], 1), _rank(s)))[:_ID_SHINGLES]
    digest = hashlib.blake2b("\n".join(commonest).encode("utf-8"), digest_size=5).digest()
    return "C-" + base64.b32encode(digest).decode("ascii")


def typical_index(
    texts: Sequence[str], weights: Sequence[int], core: set[str], raw: Sequence[str]
) -> int:
    """Index of the text that covers the most of ``core`` (in tenths), then starts like a
    sentence (``raw``: the texts as heard), then is the most frequent, then the closest."""

    def closeness(i: int) -> tuple[float, bool, int, float, int]:
        own = set(shingles(texts[i].split()))
        shared = len(own & core)
        coverage = round(shared / len(core), 1) if core else 0.0
        union = len(own | core)
        whole = raw[i].lstrip()[:1].isupper()
        return (coverage, whole, weights[i], shared / union if union else 0.0, -i)

    return max(range(len(texts)), key=closeness)


# --- Names -------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
_WORD = re.compile(r"\S+")
_EDGE_PUNCTUATION = " ,.;:!?\"'()-"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: Words that say nothing about the script: function words, greetings, calls to action.
STOPWORDS = word_set(
    """
    a about after again all also am an and any are as at be because been before being but by
    can could did do does for from get go got had has have he her here hi hello hey him his how
    i if i'm in into is it it's its just kindly let like may me more my no not now of on once
    one only or our out over please press per repeat she so some than thank thanks that that's
    the their them then there there's these they this those to today too two up us very was we
    we're we've were what when where which while who will with would yes you you're your yours
    call calling oh ok okay well dear good day again sir madam ma'am hold line
    monday tuesday wednesday thursday friday saturday sunday january february march april
    june july august september october november december
    """
)


def campaign_name(text: str) -> str:
    """A short readable name from a transcript (see the module docstring)."""
    text = " ".join(text.split())
    if not text:
        return ""
    if len(_CJK.findall(text)) * 2 > len(text.replace(" ", "")):
        return _clip_characters(text)
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()][:4]
    best: tuple[int, list[str], list[int]] = (-1, [], [])
    for sentence in sentences:
        words = _WORD.findall(sentence)
        scores = _content_scores(words)
        for start in range(max(len(words) - NAME_WORDS, 0) + 1):
            window = slice(start, start + NAME_WORDS)
            score = sum(scores[window]) + (SENTENCE_START_BONUS if start == 0 else 0)
            if score > best[0]:
                best = (score, words[window], scores[window])
    phrase = " ".join(_trim(best[1], best[2])).strip(_EDGE_PUNCTUATION)
    return phrase[:1].upper() + phrase[1:]


def _content_scores(words: list[str]) -> list[int]:
    """Per word: 0 for a function word, number or person's name, 2 for a capitalised word
    inside the sentence (a brand or an agency), else 1."""
    scores = []
    previous = ""
    for position, word in enumerate(words):
        bare = word.strip(_EDGE_PUNCTUATION)
        name = bare in FIRST_NAMES or (previous in FIRST_NAMES and bare[:1].isupper())
        if not bare or bare.lower() in STOPWORDS or name or not bare[0].isalpha():
            scores.append(0)
        else:
            scores.append(2 if bare[0].isupper() and position > 0 else 1)
        previous = bare
    return scores


def _trim(words: list[str], scores: list[int]) -> list[str]:
    """Drop the words that say nothing (function words, names, numbers) from both ends."""
    start, stop = 0, len(words)
    while start < stop and scores[start] == 0:
        start += 1
    while stop > start and scores[stop - 1] == 0:
        stop -= 1
    return words[start:stop]


def _clip_characters(text: str) -> str:
    first = text.split()[0] if len(text.split()[0]) >= 8 else text
    clipped = first[:NAME_CHARACTERS].rstrip("，,。 ")
    return clipped + ("…" if len(first) > NAME_CHARACTERS else "")
