"""The period report's "completed tracebacks with caller warned or terminated" over a store:
the tracebacks built here, counted by hand; a withdrawn one and an open one count nowhere;
the CLI's line and the HTML figure say it (issue 23 item 3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from robotrace.clock import SimulatedClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.stats.period import annual_figures_text, period_report, report_html
from robotrace.traceback import service
from robotrace.traceback.model import Answer, CallUnderTrace, OriginAction
from robotrace.traceback.workflow import Policy, Reply

ACTOR = "coordinator:ann"
POLICY = Policy(due_after=timedelta(hours=24))
MAY = (date(2020, 5, 1), date(2020, 6, 1))
#: Per traceback, the action ORIG states (None: TERM refuses instead, no origin).
ACTIONS = [OriginAction.WARNED, OriginAction.TERMINATED, OriginAction.NO_ACTION, None]


def _open(session: Session, clock: SimulatedClock) -> str:
    call = CallUnderTrace("+12025550100", "+13125550101", clock.now() - timedelta(days=1))
    return service.open_traceback(session, call, "TERM", ACTOR, clock, POLICY).id


def _answer(session: Session, clock: SimulatedClock, tb_id: str, provider: str, reply: Reply):
    clock.advance(timedelta(hours=1))
    service.answer_hop(session, tb_id, provider, reply, f"provider:{provider}", clock, POLICY)


def build(session: Session) -> None:
    clock = SimulatedClock(datetime(2020, 5, 1, tzinfo=UTC))
    upsert_providers(session, [Provider("TERM", "Term"), Provider("ORIG", "Orig")], clock)
    for day, action in enumerate(ACTIONS, start=1):
        clock.set(datetime(2020, 5, day, 9, tzinfo=UTC))
        tb_id = _open(session, clock)
        if action is None:
            _answer(session, clock, tb_id, "TERM", Reply(Answer.REFUSED, note="subpoena first"))
            continue
        _answer(session, clock, tb_id, "TERM", Reply(Answer.UPSTREAM, upstream="ORIG"))
        origin = Reply(Answer.ORIGIN, customer="Acme", origin_action=action)
        _answer(session, clock, tb_id, "ORIG", origin)
    clock.set(datetime(2020, 5, 10, 9, tzinfo=UTC))
    _open(session, clock)  # open: not complete
    mistaken = _open(session, clock)
    _answer(session, clock, mistaken, "TERM", Reply(Answer.UPSTREAM, upstream="ORIG"))
    service.withdraw_traceback(session, mistaken, "opened by mistake", ACTOR, clock)
    session.flush()


def test_the_share_is_warned_or_terminated_callers_over_completed_tracebacks(session, tmp_path):
    build(session)
    report = period_report(session, tmp_path, *MAY, datetime(2020, 7, 1, tzinfo=UTC), timedelta(7))
    # Four completed (three origins, one refusal); warned + terminated = 2; the withdrawn
    # and the open traceback are not counted.
    figure = report.as_dict()["caller_warned_or_terminated"]
    assert (figure["completed"], figure["warned_or_terminated"], figure["share"]) == (4, 2, 0.5)
    assert figure["by_action"]["warned"] == 1 and figure["by_action"]["no_action"] == 1
    line = annual_figures_text(report)[-1]
    assert line.startswith("caller warned or terminated: 50% of completed tracebacks (2 of 4)")
    html = report_html(report, Settings.from_environ().display_zone)
    assert 'id="fig-warned-or-terminated"><div class="value">50 %</div>' in html
