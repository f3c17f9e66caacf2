"""Values the store shares with the parts: the states of a traceback and of a hop's answer,
the call under trace, and the audit log's record.

They are the vocabulary of stored rows (:mod:`robotrace.store.models` guards them with CHECK
constraints) and of the traceback's rules, which read them as
:mod:`robotrace.traceback.model` (it re-exports them). Kept free of SQLAlchemy so that
importing the traceback model stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from robotrace.clock import format_utc


class Answer(StrEnum):
    """What a provider said about a hop request (``no_response`` is set, never said)."""

    UPSTREAM = "upstream"
    ORIGIN = "origin"
    NOT_FOUND = "not_found"
    REFUSED = "refused"
    NO_RESPONSE = "no_response"


class Outcome(StrEnum):
    ORIGIN_IDENTIFIED = "origin_identified"
    FOREIGN_ORIGIN = "foreign_origin"
    NON_RESPONSIVE = "non_responsive"
    NOT_FOUND = "not_found"
    LOOP = "loop"
    #: Closed by a coordinator (opened by mistake): no finding, no evidence, not counted.
    WITHDRAWN = "withdrawn"


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class CallUnderTrace:
    """The read model of the sample call: numbers as the terminating provider saw them, time
    in UTC. Here, below the parts, so that the notices (robotrace.notify) show it as the
    traceback does."""

    calling_number: str
    called_number: str
    call_time: datetime

    def as_json(self) -> dict[str, str]:
        """The call as notices show it: its time as UTC text (``2024-03-01T14:05:09Z``)."""
        return {
            "calling_number": self.calling_number,
            "called_number": self.called_number,
            "call_time": format_utc(self.call_time),
        }


@dataclass(frozen=True)
class AuditEvent:
    """One transition, with who did it and when; the store appends these to the audit log."""

    at: datetime
    actor: str
    action: str
    traceback_id: str
    provider: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)
