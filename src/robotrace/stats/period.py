"""The period report: a period's tracebacks, providers and enforcement in the manner of the
traceback group's annual figures (docs/statistics.md#period-report), as JSON, HTML and PDF.

Tracebacks count by the moment they were **opened** (a year's report is about the
tracebacks the group initiated that year). Of those:

- *providers identified*: every provider a hop request went to or a hop answer named; *new*
  ones appear in no traceback opened before the period, *returning* ones do;
- *non-responsive providers*: those with a hop request marked ``no_response`` (a late
  answer after the mark does not undo it); *refusing* ones answered ``refused``; each
  refusal and silence listed with its reason, per provider (the annual TRACED Act report
  names the providers that refused) — :func:`robotrace.store.tracebacks.findings_for`;
- *average hops* (closed tracebacks): providers asked, the terminating one included;
- *ending foreign* (closed): the chain's last provider — the origin, or the upstream a
  provider named last — is a foreign one;
- *origin identified* (closed): the outcome ``origin_identified``;
- *top campaigns*: most tracebacks in the period.

Enforcement steps count by the moment they were taken (letters issued and decided,
authorizations issued and lifted), each with its effect (:mod:`robotrace.stats.enforcement`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.calendar import for_people
from robotrace.clock import as_utc, day_start, format_utc
from robotrace.enforcement import records
from robotrace.enforcement.letters import html_to_pdf, render_template
from robotrace.stats.enforcement import Effect, enforcement_effects
from robotrace.store import models
from robotrace.store.providers import provider_directory
from robotrace.store.tracebacks import findings_for
from robotrace.traceback.findings import Finding
from robotrace.traceback.model import Answer, Outcome, ProviderInfo, Status, Traceback

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
            "average_hops": self.average_hops,
            "ending_foreign": self.ending_foreign.as_dict(),
            "origin_identified": self.origin_identified.as_dict(),
            "top_campaigns": [vars(c) for c in self.top_campaigns],
            "enforcement": dict(self.enforcement),
            "effects": [e.as_dict() for e in self.effects],
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


def _outcomes(closed: Iterable[Traceback]) -> dict[str, int]:
    counts = Counter(tb.outcome.value for tb in closed if tb.outcome)
    return {outcome.value: counts[outcome.value] for outcome in Outcome}


def _top_campaigns(session: Session, tracebacks: Sequence[Traceback]) -> list[CampaignLine]:
    counts = Counter(tb.campaign for tb in tracebacks if tb.campaign)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_CAMPAIGNS]
    names = dict(
        session.execute(
            select(models.Campaign.id, models.Campaign.name).where(
                models.Campaign.id.in_([c for c, _ in ranked])
            )
        ).all()
    )
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


def report_html(report: PeriodReport, title: str = "robotrace period report") -> str:
    """The report as one self-contained HTML document (its own styles, no scripts)."""
    return render_template(
        TEMPLATE.read_text(encoding="utf-8"),
        {"r": report, "title": title, "when": for_people},
    )


def report_pdf(report: PeriodReport) -> bytes:
    return html_to_pdf(report_html(report))
