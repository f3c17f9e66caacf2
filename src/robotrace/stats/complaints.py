"""Complaint statistics over the analytics store, computed with DuckDB in two scans.

Every figure counts complaints by the day they were **filed** (``created_at``, UTC): every
complaint has that date, while the day of the call (``violation_at``) is often missing or only
roughly remembered. A period is ``[start, end)`` in whole UTC days.

The first scan groups the period and the previous one (of equal length; for a fiscal year,
the fiscal year before) with ``GROUPING SETS``: by day × robocall × subject × kind of number ×
campaign match × call type (tens of thousands of groups at most, from which days, ISO weeks,
months, the robocall share, subjects, call types, COVID-19 and the change are derived in
Python), and by state × area code (states then named in one vocabulary,
:mod:`robotrace.stats.states`, and counted per 100,000 residents). The second scan ranks the
reported numbers, leaving out complaints whose issue is that the consumer's own number is
being spoofed. See docs/statistics.md for what each figure means.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from robotrace.cdr.duck import connect, sql_text
from robotrace.evidence.analytics import complaints_relation
from robotrace.stats.states import populations, state_name

#: Keys shorter than this are fragments (``202``, ``202555``), not numbers.
MIN_KEY_DIGITS = 10
DEFAULT_TOP = 10
#: A subject is COVID-19 related when it matches this (case-insensitively).
COVID_SUBJECT = re.compile(r"covid|coronavirus", re.IGNORECASE)
EMPTY, FRAGMENT, FULL, SPOOFED = 0, 1, 2, 3  # kinds of reported number
#: The FCC's issue "My own number is being spoofed": the number reported is the consumer's
#: own, shown by someone else, so it names no caller (matched case-insensitively, by RE2 in
#: DuckDB and ``re`` in Python alike).
SPOOFED_OWN_NUMBER = r"\bown (phone )?number\b.*\bspoof"
_SPOOFED = re.compile(SPOOFED_OWN_NUMBER, re.IGNORECASE)
#: The US federal fiscal year N runs from 1 October of N - 1 to 30 September of N.
FISCAL_YEAR_START_MONTH = 10


@dataclass(frozen=True)
class Period:
    """The UTC days ``[start, end)``."""

    start: date
    end: date

    @classmethod
    def fiscal_year(cls, year: int) -> Period:
        """Fiscal year ``year``: FY2025 is 1 October 2024 to 30 September 2025."""
        if not 1971 <= year <= 2099:
            raise ValueError(f"fiscal year {year} is not one between 1971 and 2099")
        month = FISCAL_YEAR_START_MONTH
        return cls(date(year - 1, month, 1), date(year, month, 1))

    @property
    def fiscal_year_number(self) -> int | None:
        """The fiscal year this period is exactly, else None."""
        year = self.end.year
        return year if 1971 <= year <= 2099 and self == Period.fiscal_year(year) else None

    def previous(self) -> Period:
        """The period of equal length just before this one; for a fiscal year, the one before
        (365 or 366 days, as the Data Book compares fiscal years)."""
        year = self.fiscal_year_number
        if year is not None:
            return Period.fiscal_year(year - 1)
        return Period(self.start - (self.end - self.start), self.start)


@dataclass(frozen=True)
class Count:
    value: str | None
    complaints: int


@dataclass(frozen=True)
class Ranking:
    """The ``top`` values; ``rest``: complaints of the other values; ``unknown``: none given."""

    top: list[Count]
    rest: int
    unknown: int


@dataclass(frozen=True)
class Numbers:
    """Reported numbers by ``company_key``: only full numbers (10+ digits) are ranked;
    fragments and empty numbers are counted apart, and so are complaints whose issue is
    that the consumer's own number is being spoofed (``spoofed_own_number``, whatever
    number they give)."""

    top: list[Count]
    rest: int
    fragments: int
    empty: int
    spoofed_own_number: int


@dataclass(frozen=True)
class StateRate:
    """A state's complaints per 100,000 residents (population: Census, July 1, 2024)."""

    state: str
    code: str
    complaints: int
    population: int
    per_100k: float


@dataclass(frozen=True)
class Robocalls:
    """``share`` = yes / (yes + no); unknown (no answer) is left out of it. None: no answers."""

    yes: int
    no: int
    unknown: int
    share: float | None


@dataclass(frozen=True)
class Covid:
    """COVID-19 related complaints: subject mentions it, or the number is a ``covid-19``
    campaign's. ``by_campaign_only``: those found only by the number; ``campaign_rule``:
    whether campaign numbers were given at all."""

    complaints: int
    by_subject: int
    by_campaign_only: int
    campaign_rule: bool


@dataclass(frozen=True)
class Change:
    """This period against the previous one; ``relative`` is None when that had none."""

    current: int
    previous: int
    absolute: int
    relative: float | None


@dataclass(frozen=True)
class ComplaintStats:
    """The statistics page's data; ``period`` is None for an empty store and no dates."""

    period: Period | None
    previous_period: Period | None
    complaints: int
    per_day: list[Count]
    per_week: list[Count]
    per_month: list[Count]
    robocalls: Robocalls
    subjects: Ranking
    states: Ranking
    area_codes: Ranking
    numbers: Numbers
    covid: Covid
    change: dict[str, Change] = field(default_factory=dict)
    #: The FCC's type of call or message, as written (NULL: none given, as in FTC rows).
    call_types: Ranking = field(default_factory=lambda: Ranking([], 0, 0))
    #: Every state with complaints and a population, most complaints per resident first.
    per_100k: list[StateRate] = field(default_factory=list)
    #: The fiscal year the period is exactly, else None.
    fiscal_year: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types (dates as ISO text)."""
        plain: dict[str, Any] = _jsonable(asdict(self))
        return plain


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


# --- Computing ----------------------------------------------------------------------------


def complaint_stats(
    analytics_dir: str | Path,
    start: date | None = None,
    end: date | None = None,
    top: int = DEFAULT_TOP,
    covid_keys: Iterable[str] | None = None,
) -> ComplaintStats:
    """The statistics of the complaints filed in ``[start, end)`` (UTC days; a missing bound
    is the first day, or the day after the last, with a complaint).

    ``covid_keys``: number keys of campaigns tagged ``covid-19``
    (:func:`robotrace.stats.covid.covid_campaign_keys`); None counts by subject only.
    """
    if start is not None and end is not None and end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    keys = None if covid_keys is None else sorted(set(covid_keys))
    connection = connect()
    try:
        relation = complaints_relation(analytics_dir)
        period = _period(connection, relation, start, end)
        if period is None:
            return _figures(None, [], top, [], keys is not None)
        rows = _grouped(connection, relation, period, keys or [])
        numbers = _top_numbers(connection, relation, period, top)
    finally:
        connection.close()
    return _figures(period, rows, top, numbers, keys is not None)


def latest_period(analytics_dir: str | Path, days: int) -> Period | None:
    """The ``days`` UTC days that end with the last day a stored complaint was filed on."""
    connection = connect()
    try:
        relation = complaints_relation(analytics_dir)
        (last,) = connection.sql(
            f"SELECT max(created_at)::DATE FROM {relation} AS c"
        ).fetchone() or (None,)
    finally:
        connection.close()
    if last is None:
        return None
    end = last + timedelta(days=1)
    return Period(end - timedelta(days=days), end)


def _period(
    connection: duckdb.DuckDBPyConnection, relation: str, start: date | None, end: date | None
) -> Period | None:
    """The period asked for, its open bounds taken from the stored complaints."""
    if start is not None and end is not None:
        return Period(start, end)
    first, last = connection.sql(
        f"SELECT min(created_at)::DATE, max(created_at)::DATE FROM {relation} AS c"
    ).fetchone() or (None, None)
    start = start or first or end
    end = end or (last + timedelta(days=1) if last else start)
    if start is None or end is None:
        return None
    return Period(start, max(start, end))


def _moment(day: date) -> str:
    return f"TIMESTAMPTZ '{day.isoformat()} 00:00:00+00'"


def _grouped(
    connection: duckdb.DuckDBPyConnection, relation: str, period: Period, keys: list[str]
) -> list[tuple[Any, ...]]:
    """``(set, day, robocall, subject, kind, campaign, call_type, current, state, area_code,
    n)`` of the period and the previous one: set 0 by day (days since 1970) × robocall ×
    subject × kind × campaign × call type, set 1 by current × state × area code (the two go
    together: one small set).

    Days are computed from epoch microseconds: casting a TIMESTAMPTZ to DATE goes through
    the time zone library and costs most of the scan."""
    campaign = "false"
    if keys:
        connection.register("covid_keys", pa.table({"key": keys}))
        campaign = "coalesce(company_key IN (SELECT key FROM covid_keys), false)"
    return connection.sql(
        f"""WITH c AS (
          SELECT epoch_us(created_at) // 86400000000 AS day, robocall, subject, state, area_code,
            call_type,
            CASE WHEN coalesce(company_key, '') = '' THEN {EMPTY}
                 WHEN length(company_key) < {MIN_KEY_DIGITS} THEN {FRAGMENT}
                 ELSE {FULL} END AS kind,
            {campaign} AS campaign,
            created_at >= {_moment(period.start)} AS current
          FROM {relation} AS c
          WHERE created_at >= {_moment(period.previous().start)}
            AND created_at < {_moment(period.end)})
        SELECT GROUPING(day), day, robocall, subject, kind, campaign, call_type, current,
          state, area_code, count(*)
        FROM c
        GROUP BY GROUPING SETS ((day, robocall, subject, kind, campaign, call_type),
          (current, state, area_code))"""
    ).fetchall()


def _top_numbers(
    connection: duckdb.DuckDBPyConnection, relation: str, period: Period, top: int
) -> list[Count]:
    """The ``top`` full numbers (10+ digit keys) of the period, most complaints first; a
    complaint that the consumer's own number is being spoofed names no caller."""
    spoofed = f"regexp_matches(subject, {sql_text(SPOOFED_OWN_NUMBER)}, 'i')"
    rows = connection.sql(
        f"""SELECT company_key, count(*) AS n FROM {relation} AS c
        WHERE created_at >= {_moment(period.start)} AND created_at < {_moment(period.end)}
          AND length(company_key) >= {MIN_KEY_DIGITS} AND NOT coalesce({spoofed}, false)
        GROUP BY company_key ORDER BY n DESC, company_key LIMIT {int(top)}"""
    ).fetchall()
    return [Count(str(key), int(n)) for key, n in rows]


# --- Deriving the figures -------------------------------------------------------------------

_BY_DAY, _BY_PLACE = 0, 1  # GROUPING(day) of each grouping set
_EPOCH = date(1970, 1, 1)


def _figures(
    period: Period | None,
    rows: list[tuple[Any, ...]],
    top: int,
    numbers: list[Count],
    campaign_rule: bool,
) -> ComplaintStats:
    start = period.start if period else date.min
    days = {r[1]: _EPOCH + timedelta(days=r[1]) for r in rows if r[0] == _BY_DAY}
    daily = [(days[r[1]], *r[2:7], int(r[10])) for r in rows if r[0] == _BY_DAY]
    current = [r for r in daily if r[0] >= start]
    previous = [r for r in daily if r[0] < start]
    kinds = _sum(current, _kind)
    states = _state_counts(_place_counts(rows, 8))
    return ComplaintStats(
        period=period,
        previous_period=period.previous() if period else None,
        complaints=_total(current),
        per_day=_series(current, lambda day: day.isoformat()),
        per_week=_series(current, _iso_week),
        per_month=_series(current, lambda day: f"{day:%Y-%m}"),
        robocalls=_robocalls(_sum(current, lambda r: r[1])),
        subjects=_ranking(_sum(current, lambda r: r[2]), top),
        states=_ranking(states, top),
        area_codes=_ranking(_place_counts(rows, 9), top),
        numbers=Numbers(
            numbers,
            kinds[FULL] - sum(c.complaints for c in numbers),
            kinds[FRAGMENT],
            kinds[EMPTY],
            kinds[SPOOFED],
        ),
        covid=_covid(current, campaign_rule),
        change=_changes(current, previous),
        call_types=_ranking(_sum(current, lambda r: r[5]), top),
        per_100k=_per_100k(states),
        fiscal_year=period.fiscal_year_number if period else None,
    )


_Row = tuple[Any, ...]  # (day, robocall, subject, kind, campaign, call_type, n)


def _kind(row: _Row) -> int:
    """The row's kind of number; any number is ``SPOOFED`` when the issue says it is the
    consumer's own."""
    subject = row[2]
    return SPOOFED if subject and _SPOOFED.search(subject) else int(row[3])


def _state_counts(counts: Mapping[str | None, int]) -> Counter[str | None]:
    """Counts by the state's full name, however the source wrote it."""
    named: Counter[str | None] = Counter()
    for value, n in counts.items():
        named[state_name(value)] += n
    return named


def _per_100k(states: Mapping[str | None, int]) -> list[StateRate]:
    known = populations()
    rates = [
        StateRate(name, known[name].code, n, known[name].residents, n * 1e5 / known[name].residents)
        for name, n in states.items()
        if name in known and n
    ]
    return sorted(rates, key=lambda r: (-r.per_100k, r.state))


def _total(rows: Iterable[_Row]) -> int:
    return sum(r[-1] for r in rows)


def _sum(rows: Iterable[_Row], key: Any) -> Counter[Any]:
    counts: Counter[Any] = Counter()
    for row in rows:
        counts[key(row)] += row[-1]
    return counts


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _series(rows: Iterable[_Row], label: Any) -> list[Count]:
    """Complaints per ``label(day)``, in time order; days without complaints are left out."""
    counts = _sum(rows, lambda r: label(r[0]))
    return [Count(value, n) for value, n in sorted(counts.items())]


def _robocalls(answers: Mapping[bool | None, int]) -> Robocalls:
    yes, no = answers.get(True, 0), answers.get(False, 0)
    share = yes / (yes + no) if yes + no else None
    return Robocalls(yes, no, answers.get(None, 0), share)


def _ranking(counts: Mapping[str | None, int], top: int) -> Ranking:
    """The ``top`` values by complaints (ties by value); None and empty text are unknown."""
    known = sorted(((v, n) for v, n in counts.items() if v), key=lambda vn: (-vn[1], vn[0]))
    shown = [Count(v, n) for v, n in known[:top]]
    rest = sum(n for _, n in known[top:])
    unknown = sum(n for v, n in counts.items() if not v)
    return Ranking(shown, rest, unknown)


def _place_counts(rows: Iterable[tuple[Any, ...]], column: int) -> Counter[Any]:
    """The period's complaints per state (column 8) or area code (column 9)."""
    counts: Counter[Any] = Counter()
    for row in rows:
        if row[0] == _BY_PLACE and row[7]:
            counts[row[column]] += int(row[10])
    return counts


def _is_covid(row: _Row) -> tuple[bool, bool]:
    """Whether the row's subject, and whether its number, say COVID-19."""
    subject = row[2]
    return bool(subject and COVID_SUBJECT.search(subject)), bool(row[4])


def _covid(rows: Iterable[_Row], campaign_rule: bool) -> Covid:
    by_subject = by_campaign_only = 0
    for row in rows:
        subject, campaign = _is_covid(row)
        by_subject += row[-1] if subject else 0
        by_campaign_only += row[-1] if campaign and not subject else 0
    return Covid(by_subject + by_campaign_only, by_subject, by_campaign_only, campaign_rule)


def _changes(current: list[_Row], previous: list[_Row]) -> dict[str, Change]:
    """Complaints, robocalls (answered yes) and COVID-19 complaints against the previous
    period."""
    figures: dict[str, Callable[[list[_Row]], int]] = {
        "complaints": lambda rows: _total(rows),
        "robocalls": lambda rows: _total(r for r in rows if r[1] is True),
        "covid": lambda rows: _total(r for r in rows if any(_is_covid(r))),
    }
    return {name: _change(count(current), count(previous)) for name, count in figures.items()}


def _change(current: int, previous: int) -> Change:
    relative = (current - previous) / previous if previous else None
    return Change(current, previous, current - previous, relative)
