from datetime import UTC, datetime, timedelta

from robotrace.traceback.findings import (
    Finding,
    customer_of,
    gateway_provider_of,
    non_cooperative_of,
    originating_provider_of,
    refusal_findings,
    roles_of,
)
from robotrace.traceback.model import Answer, Role
from robotrace.traceback.workflow import Policy, answer_hop, mark_no_response, open_traceback

from .builders import CALL, DIRECTORY, POLICY, T0, answer, chain, opened, origin, refused, upstream


def test_roles_follow_the_chain_from_terminating_to_originating():
    tb = chain(
        ("TERM", upstream("MID")),
        ("MID", upstream("GATE")),
        ("GATE", upstream("FOR1")),
        ("FOR1", origin("Call Centre Pvt")),
    )
    roles = {r.provider: r.roles for r in roles_of(tb, DIRECTORY)}
    assert roles == {
        "TERM": (Role.TERMINATING,),
        "MID": (Role.INTERMEDIATE,),
        "GATE": (Role.GATEWAY,),
        "FOR1": (Role.ORIGINATING, Role.FOREIGN),
    }
    assert gateway_provider_of(tb, DIRECTORY) == "GATE"
    assert originating_provider_of(tb) == "FOR1"
    assert customer_of(tb) == "Call Centre Pvt"


def test_a_terminating_provider_that_took_the_call_from_abroad_is_also_the_gateway():
    tb = chain(("TERM", upstream("FOR1")), ("FOR1", origin()))
    first = roles_of(tb, DIRECTORY)[0]
    assert first.roles == (Role.TERMINATING, Role.GATEWAY)
    assert first.role is Role.GATEWAY


def test_a_domestic_origin_has_no_gateway():
    tb = chain(("TERM", upstream("ORIG")), ("ORIG", origin()))
    assert gateway_provider_of(tb, DIRECTORY) is None
    assert originating_provider_of(tb) == "ORIG"


def test_a_foreign_upstream_named_but_not_asked_still_shows_as_foreign():
    tb = opened()
    no_foreign = Policy(follow_foreign=False)
    for provider, reply in [("TERM", upstream("GATE")), ("GATE", upstream("FOR2"))]:
        tb = answer_hop(tb, provider, reply, DIRECTORY, T0, "p", no_foreign).traceback
    roles = roles_of(tb, DIRECTORY)
    assert roles[-1].provider == "FOR2" and roles[-1].roles == (Role.FOREIGN,)
    assert gateway_provider_of(tb, DIRECTORY) == "GATE"
    assert originating_provider_of(tb) is None


def test_refusing_and_silent_providers_are_non_cooperative():
    tb = chain(("TERM", upstream("MID")), ("MID", refused()))
    assert non_cooperative_of(tb) == ["MID"]
    silent = opened()
    silent = mark_no_response(silent, DIRECTORY, T0 + timedelta(days=2), "p").traceback
    assert non_cooperative_of(silent) == ["TERM"]
    assert non_cooperative_of(chain(("TERM", upstream("ORIG")), ("ORIG", origin()))) == []


# Findings. The builders open at T0 = 2020-05-01 12:00 UTC; each answer comes 30 minutes after
# its request, so hop n is requested at T0 + 30·n minutes and due 24 hours after that.
MID_DUE = datetime(2020, 5, 2, 12, 30, tzinfo=UTC)  # hop 1, requested 12:30 on 1 May


def test_a_refusal_is_a_finding_with_its_stated_reason():
    tb = open_traceback("TB-7", CALL, DIRECTORY["TERM"], T0, "c", POLICY, campaign="ssa").traceback
    tb = answer(tb, "TERM", upstream("MID")).traceback
    tb = answer(tb, "MID", refused("customer data needs a subpoena")).traceback
    assert refusal_findings(tb) == (
        Finding(
            traceback_id="TB-7",
            provider="MID",
            kind=Answer.REFUSED,
            reason="customer data needs a subpoena",
            due_at=MID_DUE,
            answered_at=datetime(2020, 5, 1, 13, 0, tzinfo=UTC),
            call_time=datetime(2020, 4, 30, 15, 4, 5, tzinfo=UTC),
            campaign="ssa",
        ),
    )
    assert refusal_findings(tb)[0].text == "refused: customer data needs a subpoena"


def test_a_hop_marked_no_response_is_a_finding_of_no_answer_by_its_due_time():
    tb = answer(opened(), "TERM", upstream("MID")).traceback
    tb = mark_no_response(tb, DIRECTORY, MID_DUE + timedelta(hours=1), "policy").traceback
    [finding] = refusal_findings(tb)
    assert (finding.provider, finding.kind, finding.answered_at) == ("MID", "no_response", None)
    assert finding.reason == "no answer by 2020-05-02 12:30 UTC"
    assert finding.due_at == MID_DUE
    assert finding.text == "no response by 2020-05-02 12:30 UTC"


def test_a_late_answer_after_no_response_leaves_the_finding_on_record():
    tb = answer(opened(), "TERM", upstream("MID")).traceback
    tb = mark_no_response(tb, DIRECTORY, MID_DUE + timedelta(hours=1), "policy").traceback
    late = MID_DUE + timedelta(hours=3)
    tb = answer_hop(tb, "MID", upstream("ORIG"), DIRECTORY, late, "p:MID", POLICY).traceback
    assert tb.hops[1].answer is Answer.UPSTREAM  # the answer itself is kept, and goes on
    [finding] = refusal_findings(tb)
    assert (finding.provider, finding.kind, finding.answered_at) == ("MID", "no_response", late)
    said = "no response by 2020-05-02 12:30 UTC (answered late 2020-05-02 15:30 UTC)"
    assert finding.text == said
    assert non_cooperative_of(tb) == ["MID"]


def test_a_late_refusal_after_no_response_is_two_findings():
    tb = answer(opened(), "TERM", upstream("MID")).traceback
    tb = mark_no_response(tb, DIRECTORY, MID_DUE + timedelta(hours=1), "policy").traceback
    late = MID_DUE + timedelta(hours=2)
    tb = answer_hop(tb, "MID", refused("not ours"), DIRECTORY, late, "p:MID", POLICY).traceback
    found = [(f.provider, f.kind, f.reason) for f in refusal_findings(tb)]
    assert found == [
        ("MID", "no_response", "no answer by 2020-05-02 12:30 UTC"),
        ("MID", "refused", "not ours"),
    ]
    assert non_cooperative_of(tb) == ["MID"]


def test_hops_answered_however_late_before_any_mark_are_no_findings():
    tb = answer(opened(), "TERM", upstream("MID"), minutes=10).traceback
    tb = answer(tb, "MID", upstream("ORIG"), minutes=60 * 30).traceback  # after its due time
    tb = answer(tb, "ORIG", origin()).traceback
    assert refusal_findings(tb) == () and non_cooperative_of(tb) == []
    waiting = answer(opened(), "TERM", upstream("MID")).traceback
    assert waiting.current_hop.overdue(MID_DUE + timedelta(days=3))
    assert refusal_findings(waiting) == ()  # overdue is not yet a finding: the mark makes it


def test_a_finding_reads_back_from_its_json():
    tb = chain(("TERM", upstream("MID")), ("MID", refused("no")))
    [finding] = refusal_findings(tb)
    assert finding.as_json() == {
        "traceback_id": "TB-1",
        "provider": "MID",
        "kind": "refused",
        "reason": "no",
        "due_at": "2020-05-02T12:30:00Z",
        "answered_at": "2020-05-01T13:00:00Z",
        "call_time": "2020-04-30T15:04:05Z",
        "campaign": None,
    }
    assert Finding.from_json(finding.as_json()) == finding
