"""``findings_for``: the refusals and silences of stored tracebacks, by provider and window,
on SQLite and PostgreSQL — checked against tracebacks built here hop by hop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.traceback.findings import Finding
from robotrace.traceback.model import Answer, CallUnderTrace, Hop, Outcome, Status, Traceback
from robotrace.traceback.store import findings_for, save_traceback

DAY = timedelta(days=1)
T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)


def hop(position: int, provider: str, requested: datetime, **answer: object) -> Hop:
    return Hop(position, provider, requested, requested + DAY, **answer)  # type: ignore[arg-type]


def traceback(tb_id: str, call_time: datetime, opened: datetime, *hops: Hop) -> Traceback:
    call = CallUnderTrace("+12025550143", "+13125550199", call_time)
    return Traceback(
        tb_id, call, "TERM", opened, hops, Status.CLOSED, Outcome.NON_RESPONSIVE, opened, "ssa"
    )


@pytest.fixture(autouse=True)
def stored(session):
    names = {"TERM": "Terminating Co", "MID1": "Middle Co", "GATE": "Gateway Co"}
    upsert_providers(session, [Provider(key, name) for key, name in names.items()])
    t1, t2, t3, t4 = T0, T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY
    chains = [
        # TB-1: MID1 refuses two hours after its request.
        traceback(
            "TB-1", t1 - timedelta(hours=5), t1,
            hop(0, "TERM", t1, answer=Answer.UPSTREAM, answered_at=t1, upstream="MID1"),
            hop(1, "MID1", t1, answer=Answer.REFUSED, answered_at=t1 + timedelta(hours=2),
                note="  ask our lawyers "),
        ),
        # TB-2: TERM is marked no_response; the call was made before the day it was opened.
        traceback(
            "TB-2", t2 - timedelta(minutes=5), t2,
            hop(0, "TERM", t2, answer=Answer.NO_RESPONSE),
        ),
        # TB-3: GATE is marked no_response, then answers late (origin).
        traceback(
            "TB-3", t3 - timedelta(hours=1), t3,
            hop(0, "TERM", t3, answer=Answer.UPSTREAM, answered_at=t3, upstream="GATE"),
            hop(1, "GATE", t3, answer=Answer.ORIGIN, answered_at=t3 + 2 * DAY,
                customer="Acme", late=True),
        ),
        # TB-4: every hop answered in time, and one still waiting: nothing to find.
        traceback(
            "TB-4", t4 - timedelta(hours=1), t4,
            hop(0, "TERM", t4, answer=Answer.UPSTREAM, answered_at=t4, upstream="GATE"),
            hop(1, "GATE", t4),
        ),
    ]  # fmt: skip
    for tb in chains:
        save_traceback(session, tb)


def listed(found: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.traceback_id, f.provider, f.kind.value) for f in found]


def test_every_refusal_and_silence_in_the_order_of_the_calls(session):
    found = findings_for(session)
    assert listed(found) == [
        ("TB-1", "MID1", "refused"),
        ("TB-2", "TERM", "no_response"),
        ("TB-3", "GATE", "no_response"),  # answered late: still a finding
    ]
    assert found[0] == Finding(
        traceback_id="TB-1",
        provider="MID1",
        kind=Answer.REFUSED,
        reason="ask our lawyers",
        due_at=datetime(2020, 5, 2, 12, 0, tzinfo=UTC),
        answered_at=datetime(2020, 5, 1, 14, 0, tzinfo=UTC),
        call_time=datetime(2020, 5, 1, 7, 0, tzinfo=UTC),
        campaign="ssa",
    )
    assert found[1].reason == "no answer by 2020-05-03 12:00 UTC"
    assert found[1].answered_at is None
    assert found[2].answered_at == datetime(2020, 5, 5, 12, 0, tzinfo=UTC)


def test_it_lists_one_providers_findings_only(session):
    assert listed(findings_for(session, "GATE")) == [("TB-3", "GATE", "no_response")]
    # TERM answered in TB-1, 3 and 4: only its silence in TB-2 counts.
    assert listed(findings_for(session, "TERM")) == [("TB-2", "TERM", "no_response")]
    assert findings_for(session, "NOPE") == []


def test_the_window_is_half_open_on_the_call_time_or_on_the_opening(session):
    day_two = (T0 + DAY, T0 + 2 * DAY)
    # TB-2's call came five minutes before the day it was opened; TB-3's an hour before its own.
    assert listed(findings_for(session, None, *day_two)) == [("TB-3", "GATE", "no_response")]
    by_opening = findings_for(session, None, *day_two, window_on="opened_at")
    assert listed(by_opening) == [("TB-2", "TERM", "no_response")]
    assert listed(findings_for(session, since=T0 + 2 * DAY)) == []  # TB-4 has none
    assert listed(findings_for(session, until=T0 - timedelta(hours=5))) == []
    assert len(findings_for(session, until=T0 - timedelta(hours=5, seconds=-1))) == 1


def test_an_unknown_window_is_refused(session):
    with pytest.raises(ValueError, match="window_on is call_time or opened_at"):
        findings_for(session, window_on="answered_at")  # type: ignore[arg-type]
