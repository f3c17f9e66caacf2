from datetime import timedelta

from robotrace.traceback.findings import (
    customer_of,
    gateway_provider_of,
    non_cooperative_of,
    originating_provider_of,
    roles_of,
)
from robotrace.traceback.model import Answer, Role
from robotrace.traceback.workflow import Policy, Reply, answer_hop, mark_no_response

from .builders import DIRECTORY, T0, chain, opened, origin, upstream


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
    tb = chain(("TERM", upstream("MID")), ("MID", Reply(Answer.REFUSED)))
    assert non_cooperative_of(tb) == ["MID"]
    silent = opened()
    silent = mark_no_response(silent, DIRECTORY, T0 + timedelta(days=2), "p").traceback
    assert non_cooperative_of(silent) == ["TERM"]
    assert non_cooperative_of(chain(("TERM", upstream("ORIG")), ("ORIG", origin()))) == []
