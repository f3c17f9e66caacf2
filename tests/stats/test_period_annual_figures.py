"""The period report's annual figures against ground truth worked out here from what the
test built: time to complete (median, 90th percentile by nearest rank), the refusals with
their stated reasons, the share reaching a foreign origin; a withdrawn traceback and one
still open count nowhere. On SQLite and PostgreSQL; the CLI, the HTML and the PDF too."""

from __future__ import annotations

import json
import math
import subprocess
from datetime import UTC, date, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy.orm import Session

from robotrace.cli import main
from robotrace.clock import SimulatedClock
from robotrace.legalprocess import log
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.stats.period import period_report, report_html, report_pdf
from robotrace.store.db import make_engine, transaction, upgrade
from robotrace.traceback import service
from robotrace.traceback.model import Answer, CallUnderTrace
from robotrace.traceback.store import load_traceback
from robotrace.traceback.workflow import Policy, Reply
from tests.enforcement.test_letters import poppler_or_skip
from tests.web.test_statistics import Tables

ACTOR = "coordinator:ann"
NOW = datetime(2020, 7, 1, tzinfo=UTC)
MAY = (date(2020, 5, 1), date(2020, 6, 1))
STAY_HOME = Policy(due_after=timedelta(hours=24), follow_foreign=False)
FOLLOW = Policy(due_after=timedelta(hours=24), follow_foreign=True)
NO_SUBPOENA = "we release customer records only under subpoena"
NOT_OURS = "the call is not in our records' retention window"
PROVIDERS = [
    Provider("TERM", "Terminating Telco"),
    Provider("MID", "Middle Wholesale"),
    Provider("ORIG", "Domestic Origin Inc"),
    Provider("FOR", "Voice Are Us Ltd", country="United Kingdom", foreign=True),
]

# Each traceback: its policy and its answers (provider, answer, hours after the request,
# upstream or reason). A traceback closes at its last answer: opened + the sum of the hours.
CLOSED = {
    "domestic origin": (STAY_HOME, [("TERM", "upstream", 2, "ORIG"), ("ORIG", "origin", 10, "")]),
    "foreign origin, followed": (
        FOLLOW,
        [("TERM", "upstream", 1, "FOR"), ("FOR", "origin", 40, "")],
    ),
    "foreign upstream, not followed": (STAY_HOME, [("TERM", "upstream", 5, "FOR")]),
    "MID refuses": (
        STAY_HOME,
        [("TERM", "upstream", 4, "MID"), ("MID", "refused", 6, NO_SUBPOENA)],
    ),
    "MID refuses again": (
        STAY_HOME,
        [("TERM", "upstream", 1, "MID"), ("MID", "refused", 2, NO_SUBPOENA)],
    ),
    "TERM refuses": (STAY_HOME, [("TERM", "refused", 8, NOT_OURS)]),
}
#: Hours from opened to closed, per traceback above, summed by hand.
HOURS = {
    "domestic origin": 12,
    "foreign origin, followed": 41,
    "foreign upstream, not followed": 5,
    "MID refuses": 10,
    "MID refuses again": 3,
    "TERM refuses": 8,
}


def _reply(answer: str, extra: str) -> Reply:
    if answer == "origin":
        return Reply(Answer.ORIGIN, customer="Acme Outreach")
    if answer == "refused":
        return Reply(Answer.REFUSED, note=extra)
    return Reply(Answer.UPSTREAM, upstream=extra)


def _open(session: Session, clock: SimulatedClock, policy: Policy) -> str:
    call = CallUnderTrace("+12025550100", "+13125550101", clock.now() - timedelta(days=1))
    return service.open_traceback(session, call, "TERM", ACTOR, clock, policy, campaign=None).id


def build(session: Session) -> None:
    """The tracebacks above, one opened each day of May from the 1st; then one left open
    and one withdrawn after TERM's answer (neither is closed in the period's sense)."""
    clock = SimulatedClock(datetime(2020, 5, 1, tzinfo=UTC))
    upsert_providers(session, PROVIDERS, clock)
    for day, (policy, answers) in enumerate(CLOSED.values(), start=1):
        clock.set(datetime(2020, 5, day, 9, tzinfo=UTC))
        tb_id = _open(session, clock, policy)
        for provider, answer, hours, extra in answers:
            requested = load_traceback(session, tb_id).current_hop.requested_at
            clock.set(requested + timedelta(hours=hours))
            reply = _reply(answer, extra)
            service.answer_hop(
                session, tb_id, provider, reply, f"provider:{provider}", clock, policy
            )
    clock.set(datetime(2020, 5, 20, 9, tzinfo=UTC))
    _open(session, clock, STAY_HOME)  # still open: no time to complete yet
    clock.set(datetime(2020, 5, 21, 9, tzinfo=UTC))
    mistaken = _open(session, clock, STAY_HOME)
    clock.advance(timedelta(hours=1))
    service.answer_hop(
        session, mistaken, "TERM", _reply("upstream", "MID"), "provider:TERM", clock, STAY_HOME
    )
    service.withdraw_traceback(session, mistaken, "opened by mistake", ACTOR, clock)
    session.flush()


def test_time_to_complete_is_the_median_and_nearest_rank_p90_of_the_closed(session, tmp_path):
    build(session)
    report = period_report(session, tmp_path, *MAY, NOW, timedelta(days=7))
    # From the published definition, over HOURS: the middle value (mean of the two middle
    # ones for an even count) and the ceil(0.9 n)-th smallest.
    ordered = sorted(HOURS.values())  # [3, 5, 8, 10, 12, 41]
    n = len(ordered)
    median = (ordered[n // 2 - 1] + ordered[n // 2]) / 2 if n % 2 == 0 else ordered[n // 2]
    p90 = ordered[math.ceil(0.9 * n) - 1]
    assert (median, p90) == (9, 41)
    figures = report.time_to_complete
    assert (figures.count, figures.median_hours, figures.p90_hours) == (n, median, p90)
    # The withdrawn and the open one are not closed tracebacks of the period.
    assert report.tracebacks == len(CLOSED) + 1 and report.closed == len(CLOSED)
    assert "withdrawn" not in report.outcomes


def test_an_odd_count_takes_the_middle_one(session, tmp_path):
    build(session)
    # 1–5 May: the first five of HOURS, [12, 41, 5, 10, 3] → sorted [3, 5, 10, 12, 41].
    report = period_report(
        session, tmp_path, date(2020, 5, 1), date(2020, 5, 6), NOW, timedelta(days=7)
    )
    assert report.time_to_complete.median_hours == 10
    assert report.time_to_complete.p90_hours == 41  # ceil(4.5) = 5th
    empty = period_report(
        session, tmp_path, date(2020, 6, 1), date(2020, 6, 2), NOW, timedelta(days=7)
    )
    assert empty.time_to_complete.as_dict() == {"count": 0, "median_hours": None, "p90_hours": None}


def test_refusals_are_listed_per_provider_with_each_stated_reason_counted(session, tmp_path):
    build(session)
    report = period_report(session, tmp_path, *MAY, NOW, timedelta(days=7))
    # MID refused twice with one reason, TERM once: most refusals first.
    assert report.as_dict()["refusals"] == [
        {
            "key": "MID",
            "name": "Middle Wholesale",
            "refusals": 2,
            "reasons": [{"reason": NO_SUBPOENA, "count": 2}],
        },
        {
            "key": "TERM",
            "name": "Terminating Telco",
            "refusals": 1,
            "reasons": [{"reason": NOT_OURS, "count": 1}],
        },
    ]


def test_foreign_origin_counts_a_foreign_upstream_and_a_foreign_originating_provider(
    session, tmp_path
):
    build(session)
    report = period_report(session, tmp_path, *MAY, NOW, timedelta(days=7))
    # "foreign origin, followed" (FOR answered origin) and "foreign upstream, not followed"
    # (outcome foreign_origin) of the six closed ones.
    assert report.foreign_origin.as_dict() == {"count": 2, "of": 6, "share": 2 / 6}
    assert report.outcomes["foreign_origin"] == 1 and report.outcomes["origin_identified"] == 2


def test_html_pdf_and_the_command_show_the_annual_figures(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        build(session)
        entry = log.Entry("2020-05-03", "FCC Enforcement Bureau", "cid", "MID", "EB-1")
        log.record(session, entry, "regulator:r", NOW)
    with transaction(engine) as session:
        report = period_report(session, tmp_path, *MAY, NOW, timedelta(days=7))
    engine.dispose()
    html = Tables(report_html(report, Settings.from_environ().display_zone))
    assert html.texts["fig-time"].startswith(
        "9 h 0 minmedian time to complete (90th percentile 1 d 17 h; 6 closed)"
    )
    assert html.texts["fig-foreign-origin"].startswith("33 %reaching a foreign origin (2 of 6)")
    assert html.texts["fig-legal-process"].startswith(
        "1subpoenas and civil investigative demands issued (0 subpoenas, 1 CID, 0 other)"
    )
    assert html.tables["table-refusals"][1] == [
        "MID",
        "Middle Wholesale",
        "2",
        f"{NO_SUBPOENA} (2)",
    ]
    assert ["FCC Enforcement Bureau", "1"] in html.tables["table-legal-agencies"]
    result = CliRunner().invoke(
        main,
        ["period-report", "--from", "2020-05-01", "--to", "2020-06-01", "--database-url", url,
         "--analytics-dir", str(tmp_path / "a")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "time to complete: median 9 h 0 min, 90th percentile 1 d 17 h (6 closed)" in text
    assert "reaching a foreign origin: 33% (2 of 6)" in text
    assert f"refused: MID Middle Wholesale, 2: {NO_SUBPOENA} (2)" in text
    assert (
        "legal process issued: 1 (0 subpoena, 1 civil investigative demand, 0 other): "
        "FCC Enforcement Bureau 1" in text
    )
    as_json = CliRunner().invoke(
        main,
        ["period-report", "--from", "2020-05-01", "--to", "2020-06-01", "--json",
         "--database-url", url, "--analytics-dir", str(tmp_path / "a")],
    )  # fmt: skip
    document = json.loads(as_json.stdout)
    assert document["time_to_complete"] == {"count": 6, "median_hours": 9, "p90_hours": 41}
    assert document["legal_process"]["by_kind"] == {"subpoena": 0, "cid": 1, "other": 0}
    poppler_or_skip()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_pdf(report, Settings.from_environ().display_zone))
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    words = " ".join(done.stdout.split())
    assert "Refusals and their stated reasons" in words
    assert "Subpoenas and civil investigative demands issued" in words
    assert "median time to complete" in words
