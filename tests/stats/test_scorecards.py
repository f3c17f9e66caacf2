"""Provider scorecards against the store, on SQLite and PostgreSQL: every figure is checked
against counts worked out here from what the test built."""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from robotrace.cli import main
from robotrace.clock import SimulatedClock
from robotrace.enforcement import service as enforcement
from robotrace.enforcement.authorizations import Scope
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.stats.scorecards import nearest_rank, provider_scorecard, provider_scorecards
from robotrace.store.db import make_engine, transaction, upgrade
from robotrace.traceback import service as traceback
from robotrace.traceback.model import Answer, CallUnderTrace
from robotrace.traceback.store import load_traceback
from robotrace.traceback.workflow import Policy, Reply

ACTOR = "coordinator:ann"
REGULATOR = "regulator:fcc@example.org"
POLICY = Policy(due_after=timedelta(hours=24), follow_foreign=False)
APRIL, JUNE = datetime(2020, 4, 1, tzinfo=UTC), datetime(2020, 6, 1, tzinfo=UTC)

PROVIDERS = [
    Provider("TERM", "Terminating Telco"),
    Provider("MID", "Middle Wholesale"),
    Provider("GATE", "Gateway Voice"),
    Provider("ORIG", "Domestic Origin Inc"),
    Provider("FOR", "Voice Are Us Ltd", country="United Kingdom", foreign=True),
    Provider("IDLE", "Idle Networks"),
]


@dataclass(frozen=True)
class Step:
    """One hop request: who got it, what became of it, and after how many hours."""

    provider: str
    outcome: str  # an Answer value, "no_response", or "pending"
    hours: float | None = None
    upstream: str | None = None
    late: bool = False


# Calls in April (the period) but the last; each traceback is opened on its own day of May.
CHAINS: list[tuple[int, list[Step]]] = [
    (  # TB-000001: TERM ← MID ← GATE ← FOR (foreign, not asked): GATE is the gateway
        10,
        [
            Step("TERM", "upstream", 2, "MID"),
            Step("MID", "upstream", 5, "GATE"),
            Step("GATE", "upstream", 20, "FOR"),
        ],
    ),
    (  # TB-000002: TERM ← ORIG, which names its customer
        11,
        [Step("TERM", "upstream", 1, "ORIG"), Step("ORIG", "origin", 3)],
    ),
    (  # TB-000003: MID refuses
        12,
        [Step("TERM", "upstream", 4, "MID"), Step("MID", "refused", 6)],
    ),
    (  # TB-000004: MID is marked no_response, answers late; ORIG's request stays open
        13,
        [
            Step("TERM", "upstream", 10, "MID"),
            Step("MID", "upstream", 30, "ORIG", late=True),
            Step("ORIG", "pending"),
        ],
    ),
    (  # TB-000005: GATE never answers
        14,
        [Step("TERM", "upstream", 1, "GATE"), Step("GATE", "no_response")],
    ),
]
# TB-000006: a call of March, outside the period: none of its figures count.
OUTSIDE = [Step("TERM", "upstream", 1, "ORIG"), Step("ORIG", "origin", 2)]
#: The reason MID states when it refuses (TB 3).
REASON = "customer records are released only under subpoena"


def _reply(step: Step) -> Reply:
    if step.outcome == "origin":
        return Reply(Answer.ORIGIN, customer="Acme Outreach")
    if step.outcome == "refused":
        return Reply(Answer.REFUSED, note=REASON)
    return Reply(Answer(step.outcome), upstream=step.upstream)


def _run_chain(
    session: Session, clock: SimulatedClock, call_time: datetime, steps: list[Step]
) -> None:
    call = CallUnderTrace("+12025550100", "+13125550101", call_time)
    tb = traceback.open_traceback(session, call, "TERM", ACTOR, clock, POLICY, campaign="c1")
    for step in steps:
        requested = load_traceback(session, tb.id).current_hop.requested_at
        if step.late or step.outcome == "no_response":
            clock.set(requested + timedelta(hours=25))
            traceback.mark_no_response(session, tb.id, "system:policy", clock)
        if step.outcome in ("pending", "no_response"):
            continue
        clock.set(requested + timedelta(hours=step.hours))
        actor = f"provider:{step.provider}"
        traceback.answer_hop(session, tb.id, step.provider, _reply(step), actor, clock, POLICY)


def build(session: Session) -> None:
    """The providers, tracebacks, letters and authorizations the expectations describe."""
    clock = SimulatedClock(datetime(2020, 5, 1, tzinfo=UTC))
    upsert_providers(session, PROVIDERS, clock)
    for n, (day, steps) in enumerate(CHAINS, start=1):
        clock.set(datetime(2020, 5, n, tzinfo=UTC))
        _run_chain(session, clock, datetime(2020, 4, day, 15, tzinfo=UTC), steps)
    clock.set(datetime(2020, 5, 6, tzinfo=UTC))
    _run_chain(session, clock, datetime(2020, 3, 15, tzinfo=UTC), OUTSIDE)
    # GATE: two letters, the second decided (complied: no later call shows c1 through it).
    clock.set(datetime(2020, 5, 10, tzinfo=UTC))
    enforcement.issue_letter(session, "GATE", ["c1"], [], REGULATOR, clock, Settings.from_environ())
    decided = enforcement.issue_letter(
        session, "GATE", ["c1"], [], REGULATOR, clock, Settings.from_environ()
    )
    clock.set(datetime(2020, 5, 20, tzinfo=UTC))
    enforcement.decide_letter(
        session, decided.id, REGULATOR, clock, Settings.from_environ().display_zone
    )
    # ORIG blocked (active); MID blocked and lifted: block list versions 1, 2, 3.
    for ocn in ("ORIG", "MID"):
        clock.advance(timedelta(days=1))
        request = enforcement.AuthorizationRequest(ocn, Scope.NO_DIRECT_TRAFFIC, reason="no RMD")
        auth = enforcement.issue_authorization(
            session, request, REGULATOR, clock, Settings.from_environ()
        )
    clock.advance(timedelta(days=1))
    enforcement.lift_authorization(session, auth.id, REGULATOR, clock, Settings.from_environ())
    session.flush()


def _steps_of(ocn: str) -> list[Step]:
    return [step for _, steps in CHAINS for step in steps if step.provider == ocn]


def expected_hops(ocn: str) -> dict[str, int]:
    steps = _steps_of(ocn)
    return {
        "received": len(steps),
        "answered": sum(s.outcome in ("upstream", "origin", "not_found") for s in steps),
        "refused": sum(s.outcome == "refused" for s in steps),
        "no_response": sum(s.outcome == "no_response" for s in steps),
        "pending": sum(s.outcome == "pending" for s in steps),
        "late": sum(s.late for s in steps),
    }


def answer_hours(ocn: str) -> list[float]:
    return [s.hours for s in _steps_of(ocn) if s.outcome in ("upstream", "origin", "not_found")]


def roles(**counts: int) -> dict[str, int]:
    keys = ("originating", "gateway", "intermediate", "terminating", "foreign")
    return {key: counts.get(key, 0) for key in (*keys, "non_cooperative")}


# Worked out by hand from CHAINS (see the comments there).
ROLES = {
    "TERM": (5, roles(terminating=5)),
    # TB 1, 3 (refused), 4 (marked no_response: its late answer does not undo it)
    "MID": (3, roles(intermediate=3, non_cooperative=2)),
    "GATE": (2, roles(gateway=1, intermediate=1, non_cooperative=1)),  # TB 1, 5 (no answer)
    "ORIG": (2, roles(originating=1, intermediate=1)),  # TB 2 (origin), 4 (pending)
    "FOR": (1, roles(foreign=1)),  # named by GATE in TB 1, never asked
}
# p90 by nearest rank: the ceil(0.9 n)-th smallest answer time.
P90 = {"TERM": 10, "MID": 30, "GATE": 20, "ORIG": 3}  # n = 5 → 5th of 1,1,2,4,10; n = 2 → 2nd


def test_every_figure_equals_the_count_of_what_was_built(session):
    build(session)
    cards = {card.key: card for card in provider_scorecards(session, APRIL, JUNE)}
    assert list(cards) == ["TERM", "MID", "GATE", "ORIG", "FOR"]  # most tracebacks, then OCN
    for ocn, (tracebacks, held) in ROLES.items():
        card = cards[ocn].as_dict()
        assert (card["tracebacks"], card["roles"]) == (tracebacks, held), ocn
        assert card["hop_requests"] == expected_hops(ocn), ocn
        hours = answer_hours(ocn)
        median = statistics.median(hours) if hours else None
        assert card["answer_hours"] == {"median": median, "p90": P90.get(ocn)}, ocn
    assert cards["TERM"].answer_hours_median == 2 and cards["MID"].answer_hours_median == 17.5


def test_letters_authorizations_and_the_block_list(session):
    build(session)
    cards = {card.key: card for card in provider_scorecards(session, APRIL, JUNE)}
    assert cards["GATE"].letters == {"complied": 1, "issued": 1}
    assert all(cards[o].letters == {} for o in ("TERM", "MID", "ORIG", "FOR"))
    assert cards["ORIG"].authorizations == {"active": 1, "lifted": 0}
    assert cards["MID"].authorizations == {"active": 0, "lifted": 1}
    assert cards["GATE"].authorizations == {"active": 0, "lifted": 0}
    assert {o for o, c in cards.items() if c.on_blocklist} == {"ORIG"}
    assert {c.blocklist_version for c in cards.values()} == {3}


def test_the_period_selects_tracebacks_by_call_time_and_actions_by_issue_time(session):
    build(session)
    later = datetime(2020, 5, 15, tzinfo=UTC)
    cards = {c.key: c for c in provider_scorecards(session, datetime(2020, 4, 12, tzinfo=UTC))}
    # TB 3, 4, 5 (calls on 12-14 April); TB 6 (March) never counts.
    assert cards["TERM"].tracebacks == 3 and cards["TERM"].requests == 3
    assert cards["GATE"].letters == {"complied": 1, "issued": 1}
    cards = {c.key: c for c in provider_scorecards(session, later, JUNE)}
    assert set(cards) == {"ORIG", "MID"}  # only the authorizations, issued after 15 May
    assert cards["ORIG"].tracebacks == 0 and cards["ORIG"].on_blocklist
    everything = {c.key: c for c in provider_scorecards(session)}
    assert everything["TERM"].tracebacks == 6 and everything["ORIG"].answered == 2


def test_one_providers_card_and_json(session):
    build(session)
    idle = provider_scorecard(session, "idle", APRIL, JUNE)
    assert (idle.key, idle.tracebacks, idle.requests, idle.on_blocklist) == ("IDLE", 0, 0, False)
    assert idle.answer_hours_median is None and idle.roles == roles()
    assert provider_scorecard(session, "GATE", APRIL, JUNE) == next(
        c for c in provider_scorecards(session, APRIL, JUNE) if c.key == "GATE"
    )
    cards = [c.as_dict() for c in provider_scorecards(session, APRIL, JUNE)]
    assert json.loads(json.dumps(cards)) == cards


# Worked out by hand from CHAINS: TB n is opened on n May at 00:00, each hop is requested when
# the one before it is answered (its step's hours after its own request), due 24 hours later.
FINDINGS = {
    "MID": [  # TB 3: requested 3 May 04:00, refused 10:00; TB 4: requested 4 May 10:00,
        # marked at 11:00 on 5 May, answered late at 16:00
        ("TB-000003", "refused", REASON, "2020-05-04T04:00:00Z", "2020-05-03T10:00:00Z"),
        (
            "TB-000004",
            "no_response",
            "no answer by 2020-05-05 10:00 UTC",
            "2020-05-05T10:00:00Z",
            "2020-05-05T16:00:00Z",
        ),
    ],
    "GATE": [  # TB 5: requested 5 May 01:00, never answered
        (
            "TB-000005",
            "no_response",
            "no answer by 2020-05-06 01:00 UTC",
            "2020-05-06T01:00:00Z",
            None,
        )
    ],
}


def test_refusals_and_silences_are_counted_apart_and_listed_with_their_reasons(session):
    build(session)
    cards = {card.key: card.as_dict() for card in provider_scorecards(session, APRIL, JUNE)}
    for ocn, card in cards.items():
        expected = FINDINGS.get(ocn, [])
        each = card["findings"]["each"]
        listed = [
            (f["traceback_id"], f["kind"], f["reason"], f["due_at"], f["answered_at"]) for f in each
        ]
        assert listed == expected, ocn
        assert card["findings"]["refused"] == sum(f[1] == "refused" for f in expected), ocn
        assert card["findings"]["no_response"] == sum(f[1] == "no_response" for f in expected)
    # The hop figures still say where each request ended: MID's TB 4 request was answered.
    assert cards["MID"]["hop_requests"]["no_response"] == 0
    assert cards["MID"]["hop_requests"]["late"] == 1
    # A period that ends before TB 4's call (13 April) leaves MID its refusal alone.
    mid = provider_scorecard(session, "MID", APRIL, datetime(2020, 4, 13, tzinfo=UTC))
    assert [(f.traceback_id, f.kind) for f in mid.findings] == [("TB-000003", "refused")]
    assert (mid.refusals, mid.silences) == (1, 0)


@pytest.mark.parametrize(("n", "rank"), [(1, 1), (2, 2), (9, 9), (10, 9), (11, 10), (20, 18)])
def test_the_p90_is_the_nearest_rank(n, rank):
    assert rank == math.ceil(0.9 * n)
    assert nearest_rank([float(v) for v in range(n, 0, -1)], 90) == rank
    assert nearest_rank([], 90) is None


def test_the_command_prints_the_scorecards(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        build(session)
        want = [c.as_dict() for c in provider_scorecards(session, APRIL, JUNE)]
    engine.dispose()
    period = ["--from", "2020-04-01", "--to", "2020-06-01", "--database-url", url]
    result = CliRunner().invoke(main, ["stats", "scorecards", "--json", *period])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == want
    wide = {"COLUMNS": "250"}
    result = CliRunner().invoke(main, ["stats", "scorecards", *period], env=wide)
    assert result.exit_code == 0, result.output
    assert "provider scorecards" in result.output and "Gateway Voice" in result.output
    gate = next(line for line in result.output.splitlines() if "GATE" in line)
    assert "1 complied, 1 issued" in gate and "20.0" in gate
    assert "refusals and silences" in result.output
    assert "refused: customer records are released only under subpoena" in result.output
    assert "no response by 2020-05-06 01:00 UTC" in result.output
