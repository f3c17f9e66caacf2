"""The demo's report: chains, then per campaign the providers found, scored against truth."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from statistics import median
from typing import Any

from rich.console import Console
from rich.table import Table

from robotrace.demo.blocking import BlockingStory
from robotrace.demo.enforcement import EnforcementStory
from robotrace.demo.mandatory import MandatoryStory
from robotrace.demo.scoring import RIGHT, STOPPED, CampaignScore, tally
from robotrace.demo.story import Story
from robotrace.demo.traceforward import TraceForwardStory
from robotrace.stats.command import effects_table
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
    if story.mandatory is not None:
        console.rule("Mandatory blocking (47 CFR 64.1200(n))")
        print_mandatory(console, story.mandatory)
    console.rule("STIR/SHAKEN")
    for line in shaken_lines(shaken_numbers(story)):
        console.print(line)
    if story.trace_forward is not None:
        console.rule("Trace Forward")
        console.print(trace_forward_line(story.trace_forward))


def trace_forward_line(result: TraceForwardStory) -> str:
    said = f"{result.answer} to {result.customer}" if result.customer else result.answer
    verdict = "right" if result.right else f"WRONG (truth: {result.truth_customer})"
    return (
        f"{result.campaign_id}: asked {result.carrier}, the carrier of its call-back number "
        f"{result.number}, whose it is: {said} — {verdict}"
    )


def median_hours(durations: list[timedelta]) -> float | None:
    if not durations:
        return None
    # statistics.median takes any sortable values that can be averaged, timedeltas too; its
    # stub allows only numbers.
    middle: timedelta = median(durations)  # type: ignore[type-var]
    return round(middle.total_seconds() / 3600, 2)


def signer_paths(summaries: list[dict[str, Any]]) -> dict[str, int]:
    """Tracebacks of signed calls by whether the chain found the signer on the call's path:
    ``on``, ``off``, or ``short`` (the chain stopped at a silent or refusing provider, or
    the confirmation was not answered, before it could tell)."""
    counts = {"on": 0, "off": 0, "short": 0}
    for summary in summaries:
        if summary["signer"] is None:
            continue
        stopped = summary["hops"][-1]["answer"] in ("refused", "no_response", None)
        if summary["signer_on_path"]:
            counts["on"] += 1
        else:
            counts["short" if stopped else "off"] += 1
    return counts


def shaken_numbers(story: Story) -> dict[str, Any]:
    """The honeypot calls' verified signatures and what the signer shortcut saved: the
    medians are over the shortcut's tracebacks whose twin (no shortcut) found the origin too;
    ``only_with_shortcut`` counts those whose twin did not."""
    closed = [t for t in story.shortcut_timings if t.shortcut_closed]
    pairs = [t for t in closed if t.twin_identified_origin]
    return {
        "honeypot_calls": story.imported_calls,
        "verified_by_attest": dict(story.signed_calls),
        "tracebacks": len(story.summaries),
        "shortcut_closed": len(closed),
        "compared": len(pairs),
        "median_hours_with_shortcut": median_hours([t.with_shortcut for t in pairs]),
        "median_hours_without_shortcut": median_hours([t.without_shortcut for t in pairs]),
        "only_with_shortcut": len(closed) - len(pairs),
        "signer_on_path": signer_paths(story.summaries),
    }


def shaken_lines(numbers: dict[str, Any]) -> list[str]:
    by_attest = numbers["verified_by_attest"]
    attests = ", ".join(f"{n} {a}" for a, n in sorted(by_attest.items())) or "none"
    paths = numbers["signer_on_path"]
    lines = [
        f"{sum(by_attest.values())} of {numbers['honeypot_calls']} honeypot calls carry a "
        f"verified signature (attestation {attests})",
        f"the signer shortcut closed {numbers['shortcut_closed']} of {numbers['tracebacks']} "
        "tracebacks (the A/B signer, asked directly, named its customer)",
    ]
    if numbers["compared"]:
        line = (
            f"median time to the origin {numbers['median_hours_with_shortcut']:.1f} h with the "
            f"shortcut, {numbers['median_hours_without_shortcut']:.1f} h without "
            f"(the same {numbers['compared']} calls)"
        )
        if numbers["only_with_shortcut"]:
            line += f"; {numbers['only_with_shortcut']} origin(s) found only with it"
        lines.append(line)
    signed = sum(paths.values())
    line = f"the signer is on the traced path in {paths['on']} of {signed} signed calls' chains"
    if paths["short"]:
        line += f" ({paths['short']} stopped short of it)"
    lines.append(line)
    return lines


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
    for key, reference in result.authorizations:
        console.print(f"block authorization {reference}: every US provider may block {key}")
    right = sum(o.status == o.expected for o in result.letters)
    console.print(f"{right} of {len(result.letters)} compliance decisions match the truth")
    blocked = ", ".join(result.blocklist_providers) or "nobody"
    verdict = "[green]exactly the noncompliant providers[/]" if result.right else "[red]wrong[/]"
    console.print(
        f"block list v{result.blocklist_version} blocks {blocked}: {verdict} "
        "(signed, Ed25519; /api/v1/blocklist)"
    )
    if result.effects:
        console.print(effects_table(result.effects))
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


_ANSWERS = {
    "blocks": "blocks the named campaign and its substantially similar traffic",
    "blocks_named_only": "blocks only the named campaign and keeps carrying its second script",
    "ignores": "ignores the notification",
    "names_upstream": "names the provider it got the calls from",
}


def _day(when: Any) -> str:
    return when.strftime("%m-%d %H:%MZ")


def print_mandatory(console: Console, result: MandatoryStory) -> None:
    family = ", ".join(f"{i} {name}" for i, name in result.true_campaigns.items())
    console.print(
        f"in the simulated world {result.provider} {_ANSWERS.get(result.answer, result.answer)} "
        f"({family})"
    )
    if result.skipped:
        console.print(f"[yellow]skipped[/]: {result.skipped}")
        return
    table = Table(title="Notifications of Suspected Illegal Traffic", title_justify="left")
    for column in ("notification", "provider", "campaigns", "respond by", "answer", "decision"):
        table.add_column(column)
    for n in result.notices:
        mark = "[green]✓[/]" if n.status == n.expected else f"[red]✗ truth {n.expected}[/]"
        answer = n.response or "none"
        if n.upstreams:
            answer += f" → {', '.join(n.upstreams)}"
        table.add_row(
            n.reference + (f" (after {n.follows})" if n.follows else ""),
            n.provider,
            ", ".join(n.campaigns),
            _day(n.respond_by),
            answer,
            f"{n.status} {mark}",
        )
    console.print(table)
    for n in result.notices:
        if n.reasons:
            counted = ", ".join(n.counted_campaigns)
            console.print(
                f"{n.reference}: {len(n.reasons)} traceback(s) of calls after the respond-by "
                f"show {n.provider} still carrying it ({counted} in truth): "
                + "; ".join(f"{t} {why}" for t, why in sorted(n.reasons.items()))
            )
    for o in result.orders:
        answered = "answered" if o.responded else "not answered"
        console.print(
            f"{o.initial} to {o.provider} (respond by {_day(o.initial_respond_by)}): {answered}; "
            f"{o.final} takes effect {_day(o.effective_at)}"
        )
        right = o.downstream == o.true_downstream
        mark = "[green]✓[/]" if right else f"[red]✗ truth {', '.join(o.true_downstream)}[/]"
        console.print(
            f"  the providers immediately downstream must block all of its traffic: "
            f"{', '.join(o.downstream) or 'none named'} {mark}"
        )
    matching = sum(n.status == n.expected for n in result.notices)
    console.print(f"{matching} of {len(result.notices)} notification decisions match the truth")
    if result.blocklist_version is not None:
        kinds: dict[str, list[str]] = {}
        for key, code, obligation in result.blocklist_entries:
            kinds.setdefault(f"{obligation} ({code})", []).append(key)
        entries = "; ".join(f"{kind}: {', '.join(keys)}" for kind, keys in sorted(kinds.items()))
        console.print(
            f"block list v{result.blocklist_version} once the order takes effect "
            f"({_day(result.blocklist_at)}): {entries or 'empty'} (signed, Ed25519)"
        )


def report_json(story: Story) -> dict[str, Any]:
    return {
        "world": story.world,
        "imported_calls": story.imported_calls,
        "tracebacks": story.summaries,
        "campaigns": [asdict(s) for s in story.scores],
        "score": {part: tally(story.scores, part) for part in ("originating", "gateway")},
        "enforcement": _enforcement_json(story.enforcement),
        "mandatory": _mandatory_json(story.mandatory),
        "shaken": shaken_numbers(story),
        "trace_forward": _trace_forward_json(story.trace_forward),
    }


def _trace_forward_json(result: TraceForwardStory | None) -> dict[str, Any] | None:
    return None if result is None else {**asdict(result), "right": result.right}


def _enforcement_json(result: EnforcementStory | None) -> dict[str, Any] | None:
    if result is None:
        return None
    document = asdict(result)
    document["effects"] = [effect.as_dict() for effect in result.effects]
    return document


def _mandatory_json(result: MandatoryStory | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {**asdict(result), "right": result.right}
