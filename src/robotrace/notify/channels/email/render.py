"""Plain-text e-mails from a notification's ``kind`` and ``payload``; times are written for
people in the ``display_zone`` setting's zone, which the caller hands in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from robotrace.calendar import for_people
from robotrace.clock import parse_utc
from robotrace.numbers import spellings


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


class UnknownKind(ValueError):
    pass


def render(kind: str, payload: Mapping[str, Any], display_zone: str) -> Rendered:
    """The e-mail of ``kind``, its times written in ``display_zone`` (and the provider's)."""
    try:
        template = TEMPLATES[kind]
    except KeyError:
        raise UnknownKind(f"no e-mail template for notification kind {kind!r}") from None
    return template(payload, display_zone)


def _when(text: str, zone: str, seconds: bool = False) -> str:
    """A payload's ISO time written for people, in ``zone`` (the display zone)."""
    return for_people(parse_utc(text), zone, seconds=seconds)


def _due(p: Mapping[str, Any], zone: str) -> str:
    """The due time, and on the provider's wall clock when its zone is known (once, where
    that is the display zone's)."""
    due = _when(p["due_at"], zone)
    if not p.get("due_at_local"):
        return due
    local = for_people(datetime.fromisoformat(p["due_at_local"]), p["time_zone"])
    return f"{due} ({p['time_zone']})" if local == due else f"{due} ({local}, {p['time_zone']})"


def _request_details(p: Mapping[str, Any], zone: str) -> str:
    call = p["call"]
    return "\n".join(
        [
            *_where_or_what(p),
            f"Provider asked:  {p['provider']['name']} ({p['provider']['key']})",
            *_number_lines("Calling number:  ", call["calling_number"]),
            *_number_lines("Called number:   ", call["called_number"]),
            *_call_time_lines(call["call_time"], p.get("time_zone", ""), zone),
            f"Requested:       {_when(p['requested_at'], zone)}",
            f"Answer due:      {_due(p, zone)}",
        ]
    )


def _named(p: Mapping[str, Any]) -> str:
    """The request as its reader knows it: the traceback for the coordinators, the request's
    number in its inbox for the provider."""
    return str(p["traceback_id"]) if "traceback_id" in p else f"#{p['hop_id']}"


def _where_or_what(p: Mapping[str, Any]) -> list[str]:
    """For the coordinators, the traceback and the hop's place in it; for the provider, what
    the request is about — never the traceback (docs/tenancy.md)."""
    if "traceback_id" in p:
        return [f"Traceback:       {p['traceback_id']} (hop {p['position'] + 1})"]
    campaign = p.get("campaign")
    if not campaign:
        return []
    lines = [f"Campaign:        {campaign['name']}"] if campaign.get("name") else []
    if campaign.get("excerpt"):
        lines.append(f"The calls say:   “{campaign['excerpt']}”")
    if p.get("recording"):
        lines.append(f"Recording:       {p['recording']}")
    if p.get("other_requests_of_campaign"):
        lines.append(f"Asked before:    {p['other_requests_of_campaign']} other call(s) of it")
    return lines


def _number_lines(label: str, number: str) -> list[str]:
    """The number, and the other ways call records write it (robotrace.numbers.spellings),
    so the provider finds the call whatever its switch writes."""
    first, *others = spellings(number) or (number,)
    return [f"{label}{first}", *([f"  also written:  {', '.join(others)}"] if others else [])]


def _call_time_lines(call_time: str, zone: str, display_zone: str) -> list[str]:
    """The call time in UTC, and on the provider's own clock when its ``zone`` is known
    (else on ``display_zone``'s, as every time in a notice)."""
    lines = [f"Call time:       {for_people(parse_utc(call_time), 'UTC', seconds=True)}"]
    if zone:
        local = for_people(parse_utc(call_time), zone, seconds=True)
        lines.append(f"  your zone:     {local} ({zone})")
    else:
        lines.append(f"  that is:       {_when(call_time, display_zone, seconds=True)}")
    return lines


_HOW_TO_ANSWER = (
    "Search your call records for this call and answer: the provider you received it from\n"
    "(upstream), your customer who placed it (origin), not found, or refused. Answer here:\n"
)


def hop_requested(p: Mapping[str, Any], zone: str) -> Rendered:
    subject = f"Traceback request {_named(p)}: please answer by {_when(p['due_at'], zone)}"
    body = (
        f"{p['provider']['name']} is asked to trace an illegal robocall one hop back.\n\n"
        f"{_request_details(p, zone)}\n\n{_HOW_TO_ANSWER}{p['link']}\n\n"
        "The answer is due within the time the FCC's rules allow (47 CFR 64.1200(n)(1)).\n"
    )
    return Rendered(subject, body)


def hop_reminder(p: Mapping[str, Any], zone: str) -> Rendered:
    subject = f"Reminder: traceback request {_named(p)} is due {_when(p['due_at'], zone)}"
    body = (
        f"The traceback request to {p['provider']['name']} has not been answered yet.\n\n"
        f"{_request_details(p, zone)}\n\n{_HOW_TO_ANSWER}{p['link']}\n"
    )
    return Rendered(subject, body)


def hop_overdue(p: Mapping[str, Any], zone: str) -> Rendered:
    provider = f"{p['provider']['name']} ({p['provider']['key']})"
    subject = f"Overdue: traceback request {_named(p)} to {provider}"
    if p.get("audience") == "coordinator":
        lead = f"{provider} has not answered its hop request in time.\n\n"
        tail = f"Follow up or mark the hop no_response:\n{p['link']}\n"
    else:
        lead = f"The traceback request to {provider} is past its due time.\n\n"
        tail = (
            "An unanswered request is recorded as no response, and the provider as "
            f"non-cooperative for this traceback. Answer now:\n{p['link']}\n"
        )
    return Rendered(subject, f"{lead}{_request_details(p, zone)}\n\n{tail}")


def signer_requested(p: Mapping[str, Any], zone: str) -> Rendered:
    call, provider = p["call"], f"{p['provider']['name']} ({p['provider']['key']})"
    subject = f"Direct traceback request: your STIR/SHAKEN signature, origid {p['origid']}"
    details = "\n".join(
        [
            f"Provider asked:  {provider}",
            f"origid:          {p['origid']}",
            f"Attestation:     {p['attest']}",
            *_number_lines("Calling number:  ", call["calling_number"]),
            *_number_lines("Called number:   ", call["called_number"]),
            *_call_time_lines(call["call_time"], p.get("time_zone", ""), zone),
            f"Requested:       {_when(p['requested_at'], zone)}",
            f"Answer due:      {_due(p, zone)}",
        ]
    )
    body = (
        f"A call under traceback carried a STIR/SHAKEN signature that verified as {provider}'s"
        " (attestation A or B: you originated it). Please look the call up by its origid and"
        f" name your customer who placed it, or say it is not found or why you refuse.\n\n"
        f"{details}\n\nAnswer here:\n{p['link']}\n"
    )
    return Rendered(subject, body)


def trace_forward_requested(p: Mapping[str, Any], zone: str) -> Rendered:
    """Trace Forward (robotrace.traceforward): whose customer a call-back number is."""
    provider = f"{p['provider']['name']} ({p['provider']['key']})"
    heard = p.get("heard") or {}
    when = " to ".join(_when(heard[k], zone) for k in ("first", "last") if heard.get(k))
    details = "\n".join(
        [
            f"Provider asked:  {provider}",
            f"Number:          {p['number']} (your block {p['block']})",
            f"Campaign:        {p['campaign']['name']}",
            *([f"Calls heard:     {when}"] if when else []),
            f"Requested:       {_when(p['requested_at'], zone)}",
            f"Answer due:      {_due(p, zone)}",
        ]
    )
    body = (
        f"Illegal robocalls of the campaign below ask the people they reach to call back "
        f"{p['number']}. The numbering administrators' records show its block assigned to "
        f"{provider}. Please say which of your customers the number is assigned to (and how "
        "to reach them), or that you do not serve it (ported out: say who does, if you "
        "know), that it is assigned to no customer, or why you refuse.\n\n"
        f"{details}\n\nAnswer here:\n{p['link']}\n"
    )
    return Rendered(f"Trace Forward request: who is {p['number']}?", body)


def password_reset(p: Mapping[str, Any], zone: str) -> Rendered:
    greeting = f"Hello {p['name']},\n\n" if p.get("name") else "Hello,\n\n"
    body = (
        f"{greeting}someone asked to reset the password of your robotrace account.\n"
        f"Choose a new password here (the link works once, for a short time):\n\n{p['link']}\n\n"
        "If it was not you, ignore this message; your password stays as it is.\n"
    )
    return Rendered("Reset your robotrace password", body)


def letter_issued(p: Mapping[str, Any], zone: str) -> Rendered:
    provider = f"{p['provider']['name']} ({p['provider']['key']})"
    named = [*p.get("campaigns", []), *p.get("originators", [])]
    stop_by = _when(p["mitigate_by"], zone)
    subject = f"Warning letter {p['reference']} to {provider}: stop by {stop_by}"
    body = (
        f"{' and '.join(p.get('agencies', []))} issued warning letter {p['reference']} to "
        f"{provider} on {_when(p['issued_at'], zone)}.\n\n"
        f"Named traffic:   {', '.join(named)}\n"
        f"Stop it by:      {stop_by}\n"
        f"Report by:       {_when(p['report_by'], zone)}\n\n"
        f"The letter (PDF, sign in as a user of your provider):\n{p['link']}\n\n"
        "If tracebacks of calls after the deadline show you still carrying this traffic, "
        "every other US provider may be authorized to block all calls from you.\n"
    )
    return Rendered(subject, body)


def order_issued(p: Mapping[str, Any], zone: str) -> Rendered:
    """A step of the mandatory ladder (47 CFR 64.1200(n)): notification, initial or final
    determination order."""
    provider = f"{p['provider']['name']} ({p['provider']['key']})"
    subject = f"{p['title']} {p['reference']} to {provider}"
    lines = [
        f"{' and '.join(p.get('agencies', []))} issued {p['title']} {p['reference']} to "
        f"{provider} on {_when(p['issued_at'], zone)}.\n",
        f"Named traffic:   {', '.join([*p.get('campaigns', []), *p.get('originators', [])])}",
    ]
    if p.get("respond_by"):
        lines.append(f"Respond by:      {_when(p['respond_by'], zone)}")
    if p.get("effective_at"):
        lines.append(f"Blocking from:   {_when(p['effective_at'], zone)}")
    lines += [
        "",
        f"{p['action']}",
        "",
        "The document (sign in as a user of your provider):",
        p["link"],
    ]
    return Rendered(subject, "\n".join(lines) + "\n")


TEMPLATES: dict[str, Callable[[Mapping[str, Any], str], Rendered]] = {
    "hop.requested": hop_requested,
    "hop.reminder": hop_reminder,
    "hop.overdue": hop_overdue,
    "signer.requested": signer_requested,
    "traceforward.requested": trace_forward_requested,
    "password.reset": password_reset,
    "letter.issued": letter_issued,
    "order.issued": order_issued,
}
