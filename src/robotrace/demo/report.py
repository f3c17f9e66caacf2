"""The demo's report: chains, then per campaign the providers found, scored against truth."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table

from robotrace.demo.blocking import BlockingStory
from robotrace.demo.enforcement import EnforcementStory
from robotrace.demo.scoring import RIGHT, STOPPED, CampaignScore, tally
from robotrace.demo.story import Story
from robotrace.traceback.render import print_chain

_MARK = {RIGHT: "[green]✓[/]", STOPPED: "[yellow]stopped[/]"}


def _cell(found: tuple[str, ...], truth: str | None, verdict: str) -> str:
    shown = ", ".join(found) or "—"
    mark = _MARK.get(verdict, f"[red]✗ truth {truth or '—'}[/]")
    return f"{shown} {mark}"


def campaign_table(scores: list[CampaignScore]) -> Table:
    table = Table(title="Campaigns: what the tracebacks found", title_justify="left")
    for column in ("campaign", "tracebacks", "originating", "gateway", "non-cooperative"):
        table.add_column(column)
    for s in scores:
        table.add_row(
            s.name,
            str(len(s.tracebacks)),
            _cell(s.found_originating, s.true_originating, s.originating),
            _cell(s.found_gateway, s.true_gateway, s.gateway),
            ", ".join(s.non_cooperative) or "—",
        )
    return table


def score_lines(scores: list[CampaignScore]) -> list[str]:
    lines = []
    for part, label in (("originating", "originating providers"), ("gateway", "gateways")):
        counts = tally(scores, part)
        line = f"{counts[RIGHT]} of {len(scores)} {label} right"
        if counts[STOPPED]:
            line += f", {counts[STOPPED]} stopped at a non-cooperative provider (named above)"
        if counts["wrong"]:
            line += f", [red]{counts['wrong']} wrong[/]"
        lines.append(line)
    chains = sum(s.chains_on_true_path for s in scores)
    total = sum(len(s.tracebacks) for s in scores)
    lines.append(f"{chains} of {total} chains follow the calls' true paths")
    return lines


def print_report(console: Console, story: Story) -> None:
    console.rule("Tracebacks")
    for summary in story.summaries:
        print_chain(console, summary)
    console.rule("Campaigns")
    console.print(campaign_table(story.scores))
    for line in score_lines(story.scores):
        console.print(line)
    if story.enforcement is not None:
        console.rule("Enforcement")
        print_enforcement(console, story.enforcement)


def print_enforcement(console: Console, result: EnforcementStory) -> None:
    table = Table(title="Warning letters and the 48-hour deadline", title_justify="left")
    for column in ("provider", "campaigns", "letter", "deadline", "after it", "decision"):
        table.add_column(column)
    for o in result.letters:
        mark = "[green]✓[/]" if o.status == o.expected else f"[red]✗ truth {o.expected}[/]"
        table.add_row(
            f"{o.provider} ({o.role})",
            ", ".join(o.campaigns),
            o.letter,
            o.mitigate_by.strftime("%m-%d %H:%MZ"),
            f"{len(o.post_deadline_tracebacks)} traced",
            f"{o.status} {mark}",
        )
    console.print(table)
    for ocn, reference in result.authorizations:
        console.print(f"block authorization {reference}: every US provider may block {ocn}")
    right = sum(o.status == o.expected for o in result.letters)
    console.print(f"{right} of {len(result.letters)} compliance decisions match the truth")
    blocked = ", ".join(result.blocklist_providers) or "nobody"
    verdict = "[green]exactly the noncompliant providers[/]" if result.right else "[red]wrong[/]"
    console.print(
        f"block list v{result.blocklist_version} blocks {blocked}: {verdict} "
        "(signed, Ed25519; /api/v1/blocklist)"
    )
    if result.blocking is not None:
        console.rule("Blocking")
        print_blocking(console, result.blocking)


def print_blocking(console: Console, blocking: BlockingStory) -> None:
    since = blocking.after.start.strftime("%m-%d %H:%MZ")
    reasons = ", ".join(f"{n:,} {r}" for r, n in sorted(blocking.blocked_by_reason.items()))
    console.print(
        f"the calls after the authorization ({since}) through the decision engine: "
        f"{blocking.blocked:,} blocked where they leave the listed provider "
        f"({reasons or 'none'}); {blocking.calls_screened:,} call legs screened"
    )
    table = Table(title="Complaints a day, by the date of the call", title_justify="left")
    for column in ("before the letters", "after the block", "after, list applied", "change"):
        table.add_column(column, justify="right")
    before, after, applied = blocking.per_day()
    change = f"{(applied - before) / before:+.0%}" if before else "—"
    table.add_row(f"{before:.1f}", f"{after:.1f}", f"{applied:.1f}", change)
    console.print(table)
    console.print(
        f"{blocking.complaints_spared:,} of {blocking.complaints_after:,} complaints after the "
        "block are about calls the list stops"
    )


def report_json(story: Story) -> dict[str, Any]:
    return {
        "world": story.world,
        "imported_calls": story.imported_calls,
        "tracebacks": story.summaries,
        "campaigns": [asdict(s) for s in story.scores],
        "score": {part: tally(story.scores, part) for part in ("originating", "gateway")},
        "enforcement": asdict(story.enforcement) if story.enforcement is not None else None,
    }
