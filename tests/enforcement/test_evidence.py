from dataclasses import replace
from datetime import UTC, datetime, timedelta

from robotrace.enforcement.evidence import (
    GATEWAY,
    NON_COOPERATIVE,
    ORIGINATING,
    EvidenceRow,
    candidates,
    evidence_rows,
)
from robotrace.traceback.model import Answer

from .builders import DIRECTORY, T0, originated_by, refused_by, through


def test_the_gateway_and_the_foreign_originator_are_both_named():
    tb = through("CCCC", T0)
    [gateway] = evidence_rows([tb], DIRECTORY, "CCCC")
    [origin] = evidence_rows([tb], DIRECTORY, "FFFF")
    assert gateway.roles == (GATEWAY,)
    assert origin.roles == (ORIGINATING,)
    assert gateway.originator == "Voice Are Us Ltd"
    assert (gateway.traceback_id, gateway.caller_id, gateway.called_number) == (
        "TB-000001",
        "+12025550143",
        "+13125550199",
    )


def test_terminating_and_intermediate_providers_have_no_evidence_against_them():
    assert evidence_rows([through("CCCC", T0)], DIRECTORY, "AAAA") == []


def test_a_provider_that_refuses_is_non_cooperative():
    [row] = evidence_rows([refused_by("BBBB", T0, "TB-000002")], DIRECTORY, "BBBB")
    assert row.roles == (NON_COOPERATIVE,)
    assert row.role == "non-cooperative"


def test_the_window_counts_by_call_time_with_both_ends_included():
    since, until = T0 - timedelta(days=60), T0
    tracebacks = [
        through("CCCC", since - timedelta(seconds=1), "TB-1"),
        through("CCCC", since, "TB-2"),
        through("CCCC", until, "TB-3"),
        through("CCCC", until + timedelta(seconds=1), "TB-4"),
    ]
    rows = evidence_rows(tracebacks, DIRECTORY, "CCCC", since, until)
    assert [r.traceback_id for r in rows] == ["TB-2", "TB-3"]


def test_candidates_are_ranked_by_most_tracebacks_then_provider_key():
    tracebacks = [
        through("CCCC", T0 - timedelta(days=1), "TB-1"),
        through("CCCC", T0 - timedelta(days=2), "TB-2"),
        through("DDDD", T0 - timedelta(days=3), "TB-3"),
        refused_by("BBBB", T0 - timedelta(days=4), "TB-4"),
        originated_by("BBBB", T0 - timedelta(days=90), "TB-5"),  # outside the window
    ]
    ranked = candidates(tracebacks, DIRECTORY, T0 - timedelta(days=60), T0)
    assert [(c.key, c.tracebacks) for c in ranked] == [
        ("FFFF", 3),
        ("CCCC", 2),
        ("BBBB", 1),
        ("DDDD", 1),
    ]
    charlie = ranked[1]
    assert charlie.name == "Charlie Gateway"
    assert charlie.by_role == {"gateway": 2}
    assert charlie.by_campaign == {"covid-test-kits": 2}


def test_evidence_rows_survive_json():
    row = evidence_rows([through("CCCC", T0)], DIRECTORY, "CCCC")[0]
    assert EvidenceRow.from_json(row.as_json()) == row


def _hop_changed(tb, position: int, **changes):
    """``tb`` with the hop at ``position`` changed as ``changes`` say."""
    hops = list(tb.hops)
    hops[position] = replace(hops[position], **changes)
    return replace(tb, hops=tuple(hops))


def test_a_refusals_row_carries_its_stated_reason():
    # refused_by: BBBB's hop is requested a day after the call (T0) and due a day later.
    tb = _hop_changed(refused_by("BBBB", T0, "TB-000002"), 1, note="ask for a subpoena")
    [row] = evidence_rows([tb], DIRECTORY, "BBBB")
    assert (row.finding.kind, row.finding.reason) == (Answer.REFUSED, "ask for a subpoena")
    assert row.finding.due_at == datetime(2020, 5, 3, 12, 0, tzinfo=UTC)
    assert row.finding_text == "refused: ask for a subpoena"
    assert EvidenceRow.from_json(row.as_json()) == row
    [plain] = evidence_rows([refused_by("BBBB", T0, "TB-000003")], DIRECTORY, "BBBB")
    assert plain.finding_text == "refused: no reason given"  # stored before reasons were required


def test_a_silent_providers_row_says_when_its_answer_was_due():
    tb = _hop_changed(refused_by("BBBB", T0, "TB-000004"), 1, answer=Answer.NO_RESPONSE)
    tb = _hop_changed(tb, 1, answered_at=None)
    [row] = evidence_rows([tb], DIRECTORY, "BBBB")
    assert row.roles == (NON_COOPERATIVE,)
    assert row.finding_text == "no response by 2020-05-03 12:00 UTC"


def test_a_late_answer_after_no_response_keeps_the_row_and_its_finding():
    # FFFF was marked no_response, then named its customer late: originating and silent.
    late = T0 + timedelta(days=4)
    tb = _hop_changed(through("CCCC", T0), 2, late=True, answered_at=late)
    [row] = evidence_rows([tb], DIRECTORY, "FFFF")
    assert row.roles == (ORIGINATING, NON_COOPERATIVE)
    assert row.finding_text == (
        "no response by 2020-05-03 12:00 UTC (answered late 2020-05-05 12:00 UTC)"
    )


def test_carrying_rows_have_no_finding_and_stored_rows_without_one_still_read():
    [row] = evidence_rows([through("CCCC", T0)], DIRECTORY, "CCCC")
    assert row.finding is None and row.finding_text == ""
    stored = row.as_json()
    del stored["finding"]  # a letter's row from before findings were kept
    assert EvidenceRow.from_json(stored) == row
