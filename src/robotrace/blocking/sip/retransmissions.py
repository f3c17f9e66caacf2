"""Answers to UDP requests kept for a while, so that a retransmission is answered again
without being parsed and decided again.

Over UDP a caller that hears nothing within T1 (500 ms) sends the same INVITE again, and again
at 1, 2, 4 … s, for up to 64·T1 = 32 s (RFC 3261 §17.1.1.2). A server transaction answers a
retransmission with the response it already sent (§17.2.1). Answering it from memory is what
keeps a blocker that fell behind — a burst, a pause while a new block list loads — from
being pushed further behind by the retransmissions its own lag caused: each costs a hash
and a dictionary lookup instead of a parse, a decision and a response.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

Address = tuple[str, int]

#: 64·T1: after this a caller has given up on the transaction (RFC 3261 Timer B).
KEEP_SECONDS = 32.0
#: At most this many answers are kept (the oldest go first): about 7 s of calls at
#: 4,800 calls/s, for some 15 MiB.
MOST = 32_768


class RecentAnswers:
    """The last answers sent, keyed by the request's exact bytes and its source address: a
    retransmission is the same datagram from the same place."""

    def __init__(
        self,
        keep_seconds: float = KEEP_SECONDS,
        most: int = MOST,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.keep_seconds = keep_seconds
        self.most = most
        self.now = now
        self._answers: OrderedDict[bytes, tuple[float, bytes, Address]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, data: bytes, source: Address) -> tuple[bytes, Address] | None:
        """The response sent to this very request, and where it went; None when not kept."""
        kept = self._answers.get(_key(data, source))
        if kept is None or self.now() - kept[0] > self.keep_seconds:
            return None
        return kept[1], kept[2]

    def put(self, data: bytes, source: Address, response: bytes, sent_to: Address) -> None:
        now = self.now()
        key = _key(data, source)
        self._answers.pop(key, None)  # kept in the order sent, oldest first
        self._answers[key] = (now, response, sent_to)
        self._forget_old(now)

    def _forget_old(self, now: float) -> None:
        answers = self._answers
        while answers:
            sent_at = next(iter(answers.values()))[0]
            if len(answers) <= self.most and now - sent_at <= self.keep_seconds:
                return
            answers.popitem(last=False)


def _key(data: bytes, source: Address) -> bytes:
    digest = hashlib.blake2b(data, digest_size=16)
    digest.update(f"{source[0]}:{source[1]}".encode())
    return digest.digest()
