"""The demo's blocking part: the calls made after the block authorization go through the
decision engine (batch screening of every provider's records), and the complaints show what
that blocking would have spared consumers.

The simulated world is generated before the demo decides anything, so its providers never
block: the demo replays the post-authorization traffic against the published list instead.
Only the list's own rules apply (``block_invalid`` off): each blocked call is counted once,
at the hop where it leaves the listed provider, and not again at every later hop. A
complaint counts as spared when a blocked hand-over matches the call it reports: the
consumer's area code is the called number's NPA and the violation time is the call's time
within the CDR skew tolerance. Complaints are compared as daily rates (by violation date):
before the letters, and after the authorization with and without the list applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from robotrace.blocking.decide import Policy
from robotrace.blocking.listfile import parse
from robotrace.blocking.model import Reason
from robotrace.blocking.screen import screen
from robotrace.cdr.duck import connect, sql_text
from robotrace.numbers import digits_key_sql


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)


@dataclass(frozen=True)
class BlockingStory:
    before: Window  # the world's start until the letters
    after: Window  # the authorization until the world's end
    calls_screened: int
    blocked_by_reason: dict[str, int] = field(default_factory=dict)
    complaints_before: int = 0  # violations in the window before
    complaints_after: int = 0  # violations in the window after
    complaints_spared: int = 0  # of those after, about a call the list blocks

    @property
    def blocked(self) -> int:
        return sum(self.blocked_by_reason.values())

    def per_day(self) -> tuple[float, float, float]:
        """Complaints a day: before, after, after with the list applied."""
        after = self.after.days or 1.0
        return (
            self.complaints_before / (self.before.days or 1.0),
            self.complaints_after / after,
            (self.complaints_after - self.complaints_spared) / after,
        )


def run_blocking(
    out: Path, list_body: bytes, before: Window, until: datetime, skew_s: float
) -> BlockingStory | None:
    """Screen the world's CDRs (``out/cdrs``) against the published list; ``None`` when the
    list blocks no provider. A complaint is spared when a blocked call to its area code came
    within ``skew_s`` (the ``cdr_skew_seconds`` setting) of it."""
    blocklist = parse(list_body)
    starts = [e.effective_at for e in blocklist.providers.values()]
    if not starts:
        return None
    after = Window(min(starts), until)
    marked = out / "screened.parquet"
    result = screen([out / "cdrs"], blocklist, Policy(block_invalid=False), out=marked)
    blocked = {k: n for k, n in result.by_reason.items() if k != Reason.ALLOWED.value}
    counts = _complaints(out / "complaints.csv", marked, before, after, skew_s)
    return BlockingStory(before, after, result.rows, blocked, *counts)


def _complaints(
    complaints: Path, marked: Path, before: Window, after: Window, skew: float
) -> tuple[int, int, int]:
    connection = connect()
    connection.execute(
        f"""CREATE TEMP TABLE blocked AS
        SELECT call_time, left({digits_key_sql("called_number")}, 3) AS npa
        FROM read_parquet({sql_text(str(marked))}) WHERE reason <> 'allowed'"""
    )
    connection.execute(
        f"""CREATE TEMP TABLE complaint AS
        SELECT row_number() OVER () AS id, Consumer_Area_Code AS npa,
          CAST(Violation_Date AS TIMESTAMP) AT TIME ZONE 'UTC' AS violated_at
        FROM read_csv({sql_text(str(complaints))}, header = true, all_varchar = true)"""
    )
    between = "SELECT count(*) FROM complaint WHERE violated_at >= $1 AND violated_at < $2"
    spared = _count(
        connection,
        f"""SELECT count(DISTINCT c.id) FROM complaint c JOIN blocked b ON b.npa = c.npa
        AND b.call_time BETWEEN c.violated_at - INTERVAL {int(skew) + 1} SECOND
                            AND c.violated_at + INTERVAL {int(skew) + 1} SECOND
        WHERE c.violated_at >= $1 AND c.violated_at < $2""",
        after.start,
        after.end,
    )
    return (
        _count(connection, between, before.start, before.end),
        _count(connection, between, after.start, after.end),
        spared,
    )


def _count(
    connection: duckdb.DuckDBPyConnection, query: str, start: datetime, end: datetime
) -> int:
    row = connection.execute(query, [start, end]).fetchone()
    return int(row[0]) if row else 0
