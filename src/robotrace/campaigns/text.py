"""What grouping compares: transcripts reduced to the words a script is made of.

One script reaches people with a different agent name, call-back number, amount and order
number in every call, and speech recognition writes numbers as digits, digit by digit or as
words. :func:`normalize` lower-cases a transcript and masks what varies between calls of one
script: every number (a run of digits, spoken digit by digit or not, and the number words
``zero`` … ``twelve``) becomes ``#``, a person's name becomes ``@``. Two calls that differ only
there normalise to the same text, so ``call 833-555-0143`` and ``call 8 4 4 …`` are the same
shingle.

Text in scripts without spaces between words (the Mandarin rows of the FTC sample) is taken
one character per token, so its shingles are character trigrams.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SHINGLE_SIZE = 3
NUMBER = "#"
NAME = "@"

# A number (digits with separators inside), a Latin word (with an apostrophe part), or any
# other single letter (CJK and other scripts written without spaces).
_TOKEN = re.compile(
    r"\d[\d,.:/\-]*|[A-Za-z\u00C0-\u024F]+(?:['’][A-Za-z]+)?|[^\W\d_A-Za-z\u00C0-\u024F]"
)
#: Token of each word as written, for speed (a transcript is mostly the same few words).
_TOKEN_OF: dict[str, str] = {}
_TOKEN_CACHE_SIZE = 200_000


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string (long lists read better)."""
    return frozenset(words.split())


_NUMBER_WORDS = word_set("zero one two three four five six seven eight nine ten eleven twelve")
#: Words before a capitalised word that make it a name: "Officer Amanda Barnes".
_NAME_CUES = frozenset(("officer", "agent", "detective", "sergeant"))
#: Common US first names, capitalised as transcripts write them; words that are also
#: ordinary nouns (Bill, Grace, Will, May, Summer …) are left out on purpose.
FIRST_NAMES = word_set(
    """
    Aaron Adam Alan Alex Alexa Alice Alicia Amanda Amber Amy Ami Andrea Andrew Angela Anna
    Anthony Ashley Barbara Becky Ben Benjamin Betty Brandon Brenda Brian Carol Caroline
    Catherine Charles Charlie Chris Christina Christine Christopher Cindy Claire Daniel David
    Deborah Debra Dennis Diana Donald Donna Dorothy Edward Elizabeth Emily Emma Eric Ethan
    Frank Gary George Helen Henry Jack Jacob James Jane Janet Jason Jeff Jennifer Jenny Jerry
    Jessica Jim John Jonathan Joseph Joshua Judy Julia Julie Justin Karen Kate Katherine Kathy
    Kelly Kevin Kim Laura Lauren Linda Lisa Lily Lucy Maria Marie Mark Martha Mary Matthew
    Megan Melissa Michael Michelle Molly Nancy Nicole Olivia Pamela Patricia Paul Peter
    Rachel Rebecca Richard Robert Ryan Samantha Sandra Sara Sarah Scott Sharon Sophia
    Stephanie Steve Steven Susan Susie Thomas Timothy Tom Tony Tyler William
    """
)


def tokens(text: str) -> list[str]:
    """The normalised tokens of ``text``: lower-case words, ``#`` for a number, ``@`` for a
    name; a run of numbers (``8 3 3 …``) is one ``#``, a first name and surname one ``@``."""
    found: list[str] = []
    last = ""
    after_name = False  # the previous word was a first name or "Officer": a surname may follow
    for word in _TOKEN.findall(text):
        token = _TOKEN_OF.get(word) or _token(word)
        if after_name and word[0].isupper() and token != NUMBER:
            token = NAME
        after_name = word in FIRST_NAMES or token in _NAME_CUES
        if token != last or (token != NAME and token != NUMBER):
            found.append(token)
        last = token
    return found


def _token(word: str) -> str:
    if word[0].isdigit():
        token = NUMBER
    elif word in FIRST_NAMES:
        token = NAME
    else:
        lowered = word.lower()
        token = NUMBER if lowered in _NUMBER_WORDS else lowered
    if len(_TOKEN_OF) < _TOKEN_CACHE_SIZE:
        _TOKEN_OF[word] = token
    return token


def normalize(text: str) -> str:
    """``text`` as its normalised tokens joined by spaces (``""`` when it has none)."""
    return " ".join(tokens(text))


def shingles(words: Sequence[str], size: int = SHINGLE_SIZE) -> list[str]:
    """Overlapping ``size``-token shingles; a shorter text is one shingle of all its tokens."""
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


# A run of digits, spoken one by one ("8 3 3 7 …") or written with separators.
_DIGIT_RUN = re.compile(r"\d(?:[\s\-.()]*\d)+")


def spoken_numbers(text: str) -> frozenset[str]:
    """Call-back numbers read out in a transcript, as 10-digit NANP national numbers.

    A run longer than a number (``press 2. 8 3 3 …`` runs the option into the number) is
    read from its end, then from its start.
    """
    found = set()
    for run in _DIGIT_RUN.findall(text):
        digits = "".join(ch for ch in run if ch.isdigit())
        for candidate in _number_candidates(digits):
            if _is_nanp(candidate):
                found.add(candidate)
                break
    return frozenset(found)


def _number_candidates(digits: str) -> list[str]:
    if len(digits) == 10:
        return [digits]
    if len(digits) == 11 and digits[0] == "1":
        return [digits[1:]]
    if len(digits) > 10:
        return [digits[-10:], digits[:10], digits[1:11]]
    return []


def _is_nanp(digits: str) -> bool:
    """A plausible NANP number: area code and exchange do not start with 0 or 1."""
    return digits[0] in "23456789" and digits[3] in "23456789"
