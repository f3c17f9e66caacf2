"""What each hop saw of STIR/SHAKEN and what an origin did with its customer (issue 23 items 2
and 3): the rules of what an answer may say, and that the store keeps what was said."""

from __future__ import annotations

import pytest

from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.traceback.model import Answer, OriginAction
from robotrace.traceback.store import load_traceback, save_traceback
from robotrace.traceback.workflow import Reply, WorkflowError

from .builders import DIRECTORY, answer, chain, opened


def test_an_upstream_answer_records_the_attestation_and_signer_it_received():
    tb = answer(opened(), "TERM", Reply(Answer.UPSTREAM, "MID", received_attest="B",
                                        received_signer="ORIG")).traceback  # fmt: skip
    assert (tb.hops[0].received_attest, tb.hops[0].received_signer) == ("B", "ORIG")


def test_an_origin_answer_records_the_action_taken_with_the_customer():
    reply = Reply(Answer.ORIGIN, customer="Acme Outreach", origin_action=OriginAction.TERMINATED)
    tb = chain(("TERM", Reply(Answer.UPSTREAM, "ORIG")), ("ORIG", reply))
    assert tb.hops[-1].origin_action is OriginAction.TERMINATED


@pytest.mark.parametrize("attest", ["D", "a", "", "full"])
def test_it_refuses_an_attestation_that_atis_1000074_does_not_define(attest):
    with pytest.raises(WorkflowError, match="not one of A, B, C or none"):
        answer(opened(), "TERM", Reply(Answer.UPSTREAM, "MID", received_attest=attest))


@pytest.mark.parametrize("signer", ["", "12 34", "ab;c", "x" * 33])
def test_it_refuses_a_signer_that_is_not_an_spc(signer):
    reply = Reply(Answer.UPSTREAM, "MID", received_attest="A", received_signer=signer)
    with pytest.raises(WorkflowError, match="is not an SPC"):
        answer(opened(), "TERM", reply)


def test_a_signer_without_an_attestation_is_refused():
    with pytest.raises(WorkflowError, match="needs the attestation"):
        answer(opened(), "TERM", Reply(Answer.UPSTREAM, "MID", received_signer="ORIG"))


def test_only_an_origin_answer_states_an_action():
    reply = Reply(Answer.UPSTREAM, "MID", origin_action=OriginAction.WARNED)
    with pytest.raises(WorkflowError, match="only an origin answer"):
        answer(opened(), "TERM", reply)


def test_other_action_must_say_what_in_the_note():
    reply = Reply(Answer.ORIGIN, customer="Acme", origin_action=OriginAction.OTHER)
    with pytest.raises(WorkflowError, match="'other' must say what"):
        answer(opened(), "TERM", reply)


def test_the_store_keeps_the_received_attestation_signer_and_action(session):
    upsert_providers(session, [Provider(key, info.name) for key, info in DIRECTORY.items()])
    tb = chain(
        ("TERM", Reply(Answer.UPSTREAM, "ORIG", received_attest="A", received_signer="ORIG")),
        ("ORIG", Reply(Answer.ORIGIN, customer="Acme", note="second strike",
                       origin_action=OriginAction.SUSPENDED, received_attest="none")),
    )  # fmt: skip
    save_traceback(session, tb)
    session.commit()
    loaded = load_traceback(session, tb.id)
    said = [(h.received_attest, h.received_signer, h.origin_action) for h in loaded.hops]
    assert said == [("A", "ORIG", None), ("none", None, OriginAction.SUSPENDED)]
