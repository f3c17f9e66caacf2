"""Which notices are due about a hop, and to whom: plain functions, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from robotrace.notify.channels.email.render import render
from robotrace.notify.hops import Audience, OpenHop, hop_messages, kinds_due
from robotrace.settings import Settings
from robotrace.store.values import CallUnderTrace

T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)
HOP = OpenHop(
    7,
    "TB-000003",
    1,
    2,
    "BBBB",
    "Bravo Wholesale",
    CallUnderTrace("+12025550143", "+13125550199", datetime(2020, 4, 30, 15, 4, 5, tzinfo=UTC)),
    T0,
    T0 + timedelta(hours=24),
)
FOUR_HOURS = timedelta(hours=4)
PROVIDER = Audience(("noc@bbbb.example",), (3,))
COORDINATORS = Audience(("coord@example.org",), (9,))


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_a_request_is_due_at_once_a_reminder_four_hours_before_and_a_notice_after_the_due_time():
    assert kinds_due(HOP, at(0), FOUR_HOURS) == ["hop.requested"]
    assert kinds_due(HOP, at(19.9), FOUR_HOURS) == ["hop.requested"]
    assert kinds_due(HOP, at(20), FOUR_HOURS) == ["hop.requested", "hop.reminder"]
    assert kinds_due(HOP, at(24), FOUR_HOURS) == ["hop.requested", "hop.reminder"]
    assert kinds_due(HOP, at(24.01), FOUR_HOURS) == ["hop.requested", "hop.overdue"]


def test_no_reminder_when_the_answering_time_is_shorter_than_the_reminder_window():
    assert kinds_due(HOP, at(23), timedelta(hours=30)) == ["hop.requested"]


def test_coordinators_hear_only_of_overdue_hops_with_a_link_to_the_traceback():
    early = hop_messages(HOP, at(1), FOUR_HOURS, PROVIDER, COORDINATORS, "https://p.example/")
    late = hop_messages(HOP, at(25), FOUR_HOURS, PROVIDER, COORDINATORS, "https://p.example/")

    assert [m.dedupe_key for m in early] == [
        "hop.requested:7:email:noc@bbbb.example",
        "hop.requested:7:webhook:3",
    ]
    to_coordinators = [m for m in late if m.payload["audience"] == "coordinator"]
    assert [(m.kind, m.channel, m.target) for m in to_coordinators] == [
        ("hop.overdue", "email", "coord@example.org"),
        ("hop.overdue", "webhook", "9"),
    ]
    assert to_coordinators[0].payload["link"] == "https://p.example/tracebacks/TB-000003"
    assert early[0].payload["link"] == "https://p.example/inbox/7"


def test_every_hop_kind_renders_an_email_with_the_request_details():
    [message] = hop_messages(HOP, at(0), FOUR_HOURS, Audience(("a@b.example",)), Audience(), "x")
    for kind in ("hop.requested", "hop.reminder", "hop.overdue"):
        rendered = render(kind, message.payload, Settings.from_environ().display_zone)
        assert "#7" in rendered.subject and "TB-000003" not in rendered.subject + rendered.body
        assert "Bravo Wholesale (BBBB)" in rendered.body
        assert "2 May 2020, 08:00" in rendered.body  # 12:00 UTC, in New York


def test_the_providers_notice_says_what_is_asked_and_the_coordinators_where_it_is():
    asked = {
        "campaign": {"name": "IRS arrest warrant", "excerpt": "A warrant is out for you."},
        "recording": "https://evidence.example/rec/1.wav",
        "other_requests_of_campaign": 3,
    }
    hop = replace(HOP, asked=asked)
    messages = hop_messages(hop, at(25), FOUR_HOURS, PROVIDER, COORDINATORS, "https://p/")
    to_provider = next(m for m in messages if m.payload["audience"] == "provider")
    to_coordinators = next(m for m in messages if m.payload["audience"] == "coordinator")
    body = render(to_provider.kind, to_provider.payload, Settings.from_environ().display_zone).body
    assert "IRS arrest warrant" in body and "“A warrant is out for you.”" in body
    assert "https://evidence.example/rec/1.wav" in body and "3 other call(s)" in body
    assert "TB-000003" not in body and "traceback_id" not in to_provider.payload
    assert to_coordinators.payload["traceback_id"] == "TB-000003"
    assert "campaign" not in to_coordinators.payload
