"""A withdrawn traceback counts nowhere: not among letter candidates, not in the enforcement
effects' traced calls, not in the period report, not on scorecards. Each figure is compared
with the same world without the withdrawn traceback (the figures of a traceback that counts
are those the tests of each part check)."""

from __future__ import annotations

from datetime import date, timedelta

from robotrace.clock import SimulatedClock
from robotrace.enforcement import service as enforcement
from robotrace.settings import Settings
from robotrace.stats.enforcement import enforcement_effects
from robotrace.stats.period import period_report
from robotrace.stats.scorecards import provider_scorecards
from robotrace.traceback import service
from robotrace.traceback.model import Answer, CallUnderTrace
from robotrace.traceback.workflow import Reply
from tests.stats.test_enforcement_effects import LETTER_AT, NOW, POLICY, WEEK, setup_world


def figures(session, tmp_path) -> dict[str, object]:
    clock = SimulatedClock(NOW)
    effects = enforcement_effects(session, tmp_path / "analytics", NOW, WEEK)
    report = period_report(
        session, tmp_path / "analytics", date(2020, 4, 1), date(2020, 5, 1), NOW, WEEK
    )
    cards = {c.key: (c.tracebacks, c.requests) for c in provider_scorecards(session)}
    return {
        "candidates": [
            (c.key, c.tracebacks)
            for c in enforcement.letter_candidates(
                session, clock, Settings.from_environ().evidence_window_days
            )
        ],
        "traced": [(e.before.traced_calls, e.after.traced_calls) for e in effects],
        "report": (report.tracebacks, report.closed, report.outcomes),
        "cards": cards,
    }


def test_a_withdrawn_traceback_changes_no_figure(session, tmp_path):
    setup_world(session)
    before = figures(session, tmp_path)
    clock = SimulatedClock(LETTER_AT - timedelta(hours=2))
    call = CallUnderTrace("+12025550143", "+13125550100", LETTER_AT - timedelta(hours=3))
    tb_id = service.open_traceback(
        session, call, "TERM", "c", clock, POLICY, campaign="C-WARRANTY"
    ).id  # a C-WARRANTY call the day before the letter, its hop to GATE still open
    reply = Reply(Answer.UPSTREAM, upstream="GATE")
    service.answer_hop(session, tb_id, "TERM", reply, "provider:TERM", clock, POLICY)
    assert figures(session, tmp_path) != before  # it counts while it stands
    service.withdraw_traceback(session, tb_id, "opened for the wrong call", "c", clock)
    assert figures(session, tmp_path) == before
