"""The period report: a period's tracebacks, providers and enforcement in the manner of the
traceback group's annual figures (docs/statistics.md#period-report), as JSON, HTML and PDF.

Tracebacks count by the moment they were **opened** (a year's report is about the
tracebacks the group initiated that year). Of those:

- *providers identified*: every provider a hop request went to or a hop answer named; *new*
  ones appear in no traceback opened before the period, *returning* ones do;
- *non-responsive providers*: those with a hop request marked ``no_response`` (a late
  answer after the mark does not undo it); *refusing* ones answered ``refused``; each
  refusal and silence listed with its reason, per provider (the annual TRACED Act report
  names the providers that refused) — :func:`robotrace.traceback.store.findings_for`;
- *refusals*: the providers that answered ``refused``, each with its stated reasons (the
  answer's note) and how often it gave each;
- *average hops* (closed tracebacks): providers asked, the terminating one included;
- *time to complete* (closed): from opened to closed, the median and the 90th percentile
  (nearest rank, as the scorecards' answer times:
  :func:`robotrace.stats.scorecards.nearest_rank`);
- *ending foreign* (closed): the chain's last provider — the origin, or the upstream a
  provider named last — is a foreign one;
- *foreign origin* (closed): the outcome ``foreign_origin``, or ``origin_identified`` at a
  foreign originating provider;
- *origin identified* (closed): the outcome ``origin_identified``;
- *top campaigns*: most tracebacks in the period.

Withdrawn tracebacks (opened by mistake) count nowhere. Subpoenas and civil investigative
demands count by the day they were issued (:func:`robotrace.legalprocess.log.issued_in`).

Enforcement steps count by the moment they were taken (letters issued and decided,
authorizations issued and lifted), each with its effect (:mod:`robotrace.stats.enforcement`).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.calendar import for_people
from robotrace.clock import as_utc, day_start, format_utc
from robotrace.enforcement import records
from robotrace.enforcement.letters import html_to_pdf, render_template
from robotrace.legalprocess.log import KINDS, IssuedCounts, issued_in
from robotrace.stats.enforcement import Effect, enforcement_effects
from robotrace.stats.origin_actions import OriginActions, origin_actions
from robotrace.stats.scorecards import nearest_rank
from robotrace.store import models
from robotrace.traceback.findings import Finding
from robotrace.traceback.model import Answer, Outcome, ProviderInfo, Status, Traceback
from robotrace.traceback.store import findings_for, provider_directory

TEMPLATE = Path(__file__).parent / "templates" / "period_report.html"
TOP_CAMPAIGNS = 10


@dataclass(frozen=True)
class CampaignLine:
    id: str
    name: str
    tracebacks: int


@dataclass(frozen=True)
class Share:
    count: int
    of: int

    @property
    def share(self) -> float | None:
        return self.count / self.of if self.of else None

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "of": self.of, "share": self.share}


@dataclass(frozen=True)
class ProviderFindings:
    """One provider's refusals and silences in the period, each with its reason."""

    key: str
    name: str
    findings: tuple[Finding, ...]

    @property
    def refusals(self) -> int:
        return sum(f.kind is Answer.REFUSED for f in self.findings)

    @property
    def silences(self) -> int:
        return sum(f.kind is Answer.NO_RESPONSE for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "refused": self.refusals,
            "no_response": self.silences,
            "findings": [f.as_json() for f in self.findings],
        }


@dataclass(frozen=True)
class ProviderRefusals:
    """One provider's refusals in the period: how many, and each stated reason with how
    often it was given (most often first, then alphabetically)."""

    key: str
    name: str
    refusals: int
    reasons: tuple[tuple[str, int], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "refusals": self.refusals,
            "reasons": [{"reason": r, "count": n} for r, n in self.reasons],
        }


def refusals_by_provider(
    findings: Iterable[Finding], directory: Mapping[str, ProviderInfo]
) -> list[ProviderRefusals]:
    """The refusals among ``findings``, per provider: most refusals first, then by key."""
    reasons: dict[str, Counter[str]] = {}
    for finding in findings:
        if finding.kind is Answer.REFUSED:
            reasons.setdefault(finding.provider, Counter())[finding.reason] += 1
    found = [
        ProviderRefusals(
            key,
            directory.get(key, ProviderInfo(key)).name or key,
            sum(counted.values()),
            tuple(sorted(counted.items(), key=lambda item: (-item[1], item[0]))),
        )
        for key, counted in reasons.items()
    ]
    return sorted(found, key=lambda p: (-p.refusals, p.key))


@dataclass(frozen=True)
class TimeToComplete:
    """Hours from opened to closed over ``count`` closed tracebacks: the median (the middle
    one, or the mean of the two middle ones) and the 90th percentile (nearest rank);
    None when none closed."""

    count: int
    median_hours: float | None
    p90_hours: float | None

    @classmethod
    def of(cls, closed: Sequence[Traceback]) -> TimeToComplete:
        hours = [
            (as_utc(tb.closed_at) - as_utc(tb.opened_at)).total_seconds() / 3600
            for tb in closed
            if tb.closed_at is not None
        ]
        if not hours:
            return cls(0, None, None)
        return cls(len(hours), statistics.median(hours), nearest_rank(hours, 90))

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "median_hours": self.median_hours, "p90_hours": self.p90_hours}


def by_provider(
    findings: Iterable[Finding], directory: Mapping[str, ProviderInfo]
) -> list[ProviderFindings]:
    """The findings grouped by provider: most findings first, then by key."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.provider, []).append(finding)
    found = [
        ProviderFindings(key, directory.get(key, ProviderInfo(key)).name or key, tuple(each))
        for key, each in grouped.items()
    ]
    return sorted(found, key=lambda p: (-len(p.findings), p.key))


@dataclass(frozen=True)
class PeriodReport:
    start: date
    end: date
    generated_at: datetime
    tracebacks: int
    closed: int
    outcomes: dict[str, int]
    providers_identified: int
    new_providers: int
    returning_providers: int
    non_responsive_providers: list[str]
    refusing_providers: list[str]
    average_hops: float | None
    ending_foreign: Share
    origin_identified: Share
    top_campaigns: list[CampaignLine]
    enforcement: dict[str, int]
    effects: list[Effect] = field(default_factory=list)
    refusals_and_silences: list[ProviderFindings] = field(default_factory=list)
    refusals: list[ProviderRefusals] = field(default_factory=list)
    time_to_complete: TimeToComplete = field(default_factory=lambda: TimeToComplete(0, None, None))
    foreign_origin: Share = field(default_factory=lambda: Share(0, 0))
    legal_process: IssuedCounts = field(
        default_factory=lambda: IssuedCounts(0, dict.fromkeys(KINDS, 0), [])
    )
    #: The consortium's "completed tracebacks with caller warned or terminated" (issue 23).
    origin_actions: OriginActions = field(default_factory=lambda: origin_actions([]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "generated_at": format_utc(self.generated_at),
            "tracebacks": self.tracebacks,
            "closed": self.closed,
            "outcomes": dict(self.outcomes),
            "providers_identified": self.providers_identified,
            "new_providers": self.new_providers,
            "returning_providers": self.returning_providers,
            "non_responsive_providers": list(self.non_responsive_providers),
            "refusing_providers": list(self.refusing_providers),
            "refusals_and_silences": [p.as_dict() for p in self.refusals_and_silences],
            "refusals": [p.as_dict() for p in self.refusals],
            "average_hops": self.average_hops,
            "time_to_complete": self.time_to_complete.as_dict(),
            "ending_foreign": self.ending_foreign.as_dict(),
            "foreign_origin": self.foreign_origin.as_dict(),
            "origin_identified": self.origin_identified.as_dict(),
            "top_campaigns": [vars(c) for c in self.top_campaigns],
            "enforcement": dict(self.enforcement),
            "effects": [e.as_dict() for e in self.effects],
            "legal_process": self.legal_process.as_dict(),
            "caller_warned_or_terminated": self.origin_actions.as_dict(),
        }


def period_report(
    session: Session,
    analytics_dir: str | Path,
    start: date,
    end: date,
    now: datetime,
    window: timedelta,
) -> PeriodReport:
    """The report of ``[start, end)`` (UTC days) as the store holds it at ``now``."""
    if end <= start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    since, until = day_start(start), day_start(end)
    directory = provider_directory(session)
    everything = records.tracebacks_after(session, None)
    earlier = [tb for tb in everything if as_utc(tb.opened_at) < since]
    period = [tb for tb in everything if since <= as_utc(tb.opened_at) < until]
    closed = [tb for tb in period if tb.status is Status.CLOSED]
    seen_before = set().union(*(providers_in(tb) for tb in earlier))
    identified = set().union(*(providers_in(tb) for tb in period))
    findings = findings_for(session, since=since, until=until, window_on="opened_at")
    return PeriodReport(
        start=start,
        end=end,
        generated_at=as_utc(now),
        tracebacks=len(period),
        closed=len(closed),
        outcomes=_outcomes(closed),
        providers_identified=len(identified),
        new_providers=len(identified - seen_before),
        returning_providers=len(identified & seen_before),
        non_responsive_providers=_providers_of(findings, Answer.NO_RESPONSE),
        refusing_providers=_providers_of(findings, Answer.REFUSED),
        average_hops=sum(len(tb.hops) for tb in closed) / len(closed) if closed else None,
        ending_foreign=Share(sum(_ends_foreign(tb, directory) for tb in closed), len(closed)),
        origin_identified=Share(
            sum(tb.outcome is Outcome.ORIGIN_IDENTIFIED for tb in closed), len(closed)
        ),
        top_campaigns=_top_campaigns(session, period),
        enforcement=_enforcement_steps(session, since, until),
        effects=enforcement_effects(session, analytics_dir, now, window, since, until),
        refusals_and_silences=by_provider(findings, directory),
        refusals=refusals_by_provider(findings, directory),
        time_to_complete=TimeToComplete.of(closed),
        foreign_origin=Share(sum(_foreign_origin(tb, directory) for tb in closed), len(closed)),
        legal_process=issued_in(session, start, end),
        origin_actions=origin_actions(closed),
    )


def _providers_of(findings: Iterable[Finding], kind: Answer) -> list[str]:
    return sorted({f.provider for f in findings if f.kind is kind})


def providers_in(tb: Traceback) -> set[str]:
    """Every provider asked in ``tb`` or named by an answer (upstream, signer)."""
    found = {hop.provider for hop in tb.hops}
    found.update(hop.upstream for hop in tb.hops if hop.upstream)
    if tb.signer is not None:
        found.add(tb.signer.provider)
    return found


def last_provider(tb: Traceback) -> str | None:
    """Where the chain ends: the upstream the last hop named, else the last provider asked."""
    if not tb.hops:
        return None
    last = tb.hops[-1]
    return last.upstream if last.answer is Answer.UPSTREAM and last.upstream else last.provider


def _ends_foreign(tb: Traceback, directory: Mapping[str, ProviderInfo]) -> bool:
    key = last_provider(tb)
    return key is not None and directory.get(key, ProviderInfo(key)).foreign


def _foreign_origin(tb: Traceback, directory: Mapping[str, ProviderInfo]) -> bool:
    """Whether ``tb`` found a foreign origin: it ended ``foreign_origin`` (a provider named a
    foreign upstream), or a foreign provider answered ``origin`` (its customer placed it)."""
    if tb.outcome is Outcome.FOREIGN_ORIGIN:
        return True
    if tb.outcome is not Outcome.ORIGIN_IDENTIFIED:
        return False
    origins = [hop.provider for hop in tb.hops if hop.answer is Answer.ORIGIN]
    return bool(origins) and directory.get(origins[-1], ProviderInfo(origins[-1])).foreign


#: The outcomes a period counts: a withdrawn traceback (opened by mistake) counts nowhere.
COUNTED_OUTCOMES = tuple(o for o in Outcome if o is not Outcome.WITHDRAWN)


def _outcomes(closed: Iterable[Traceback]) -> dict[str, int]:
    counts = Counter(tb.outcome.value for tb in closed if tb.outcome)
    return {outcome.value: counts[outcome.value] for outcome in COUNTED_OUTCOMES}


def _top_campaigns(session: Session, tracebacks: Sequence[Traceback]) -> list[CampaignLine]:
    counts = Counter(tb.campaign for tb in tracebacks if tb.campaign)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_CAMPAIGNS]
    named = select(models.Campaign.id, models.Campaign.name).where(
        models.Campaign.id.in_([c for c, _ in ranked])
    )
    names = dict(session.execute(named).tuples().all())
    return [CampaignLine(c, names.get(c, c), n) for c, n in ranked]


def _enforcement_steps(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    """Letters issued and decided, authorizations issued and lifted, in ``[since, until)``."""
    action = models.EnforcementAction
    rows = session.execute(
        select(action.kind, action.status, action.issued_at, action.decided_at, action.lifted_at)
    ).all()

    def within(moment: datetime | None) -> bool:
        return moment is not None and since <= as_utc(moment) < until

    letters = [r for r in rows if r.kind == records.LETTER]
    authorizations = [r for r in rows if r.kind == records.AUTHORIZATION]
    return {
        "letters_issued": sum(within(r.issued_at) for r in letters),
        "letters_complied": sum(within(r.decided_at) and r.status == "complied" for r in letters),
        "letters_noncompliant": sum(
            within(r.decided_at) and r.status == "noncompliant" for r in letters
        ),
        "authorizations_issued": sum(within(r.issued_at) for r in authorizations),
        "authorizations_lifted": sum(within(r.lifted_at) for r in authorizations),
    }


# --- Rendering ------------------------------------------------------------------------------


def hours_for_people(hours: float | None) -> str:
    """``3 d 4 h``, ``5 h 12 min``, ``40 min``; "–" for None."""
    if hours is None:
        return "–"
    minutes = round(hours * 60)
    days, minutes = divmod(minutes, 24 * 60)
    whole_hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {whole_hours} h"
    return f"{whole_hours} h {minutes} min" if whole_hours else f"{minutes} min"


def report_html(
    report: PeriodReport, display_zone: str, title: str = "robotrace period report"
) -> str:
    """The report as one self-contained HTML document (its own styles, no scripts), its
    times written in ``display_zone``."""
    return render_template(
        TEMPLATE.read_text(encoding="utf-8"),
        {
            "r": report,
            "title": title,
            "when": partial(for_people, zone=display_zone),
            "hours": hours_for_people,
            "kinds": KINDS,
        },
    )


def report_pdf(report: PeriodReport, display_zone: str) -> bytes:
    """The report as a PDF (the HTML document, printed)."""
    return html_to_pdf(report_html(report, display_zone))


def annual_figures_text(report: PeriodReport) -> list[str]:
    """The annual report's figures as lines for the terminal (``robotrace period-report``):
    time to complete, the foreign-origin share, refusals with their reasons, legal process."""
    time = report.time_to_complete
    share = report.foreign_origin.share
    lines = [
        f"time to complete: median {hours_for_people(time.median_hours)}, 90th percentile "
        f"{hours_for_people(time.p90_hours)} ({time.count} closed); reaching a foreign origin: "
        f"{'–' if share is None else f'{share:.0%}'} ({report.foreign_origin.count} of "
        f"{report.foreign_origin.of})"
    ]
    for each in report.refusals:
        reasons = "; ".join(f"{reason} ({n})" for reason, n in each.reasons)
        lines.append(f"refused: {each.key} {each.name}, {each.refusals}: {reasons}")
    issued = report.legal_process
    kinds = ", ".join(f"{issued.by_kind[kind]} {label}" for kind, label in KINDS.items())
    agencies = "; ".join(f"{agency} {n}" for agency, n in issued.by_agency)
    lines.append(
        f"legal process issued: {issued.total} ({kinds}){': ' + agencies if agencies else ''}"
    )
    lines.append(caller_warned_or_terminated_text(report.origin_actions))
    return lines


def caller_warned_or_terminated_text(figure: OriginActions) -> str:
    """The consortium's figure as one line, with the actions stated behind it."""
    share = "–" if figure.share is None else f"{figure.share:.0%}"
    stated = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in figure.by_action.items() if n)
    return (
        f"caller warned or terminated: {share} of completed tracebacks "
        f"({figure.warned_or_terminated} of {figure.completed}){'; ' + stated if stated else ''}"
    )
