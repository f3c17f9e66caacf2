"""Emergency destinations and critical callers pass before every rule (47 CFR
64.1200(k)(5) and (6)): the decision engine's side; the SIP and screen paths are tested in
tests/blocking/sip and test_screen.py."""

import pytest

from robotrace.blocking.decide import decide, load_numbers
from robotrace.blocking.emergency import is_emergency_destination
from robotrace.blocking.model import CallAttempt, Reason, Verdict
from tests.blocking.builders import T0, entry, loaded, policy

LIST = loaded(entry("BBBB", authorization_id=7), entry("CCCC", number="+13125550199"))
PSAP = "+12025550911"


def call(upstream, called, calling="+13125550199"):
    return CallAttempt(upstream, calling, called, None, T0)


@pytest.mark.parametrize(
    "called",
    ["911", "+1911", "1-911", "tel:911", "933", "988", "211", "311", "711", "811",
     "urn:service:sos", "urn:service:sos.police", "URN:SERVICE:SOS.fire"],
)  # fmt: skip
def test_a_call_to_an_emergency_destination_passes_even_from_a_blocked_provider(called):
    for upstream in ("BBBB", "CCCC"):
        d = decide(call(upstream, called), LIST, policy())
        assert (d.verdict, d.reason) == (Verdict.ALLOW, Reason.EMERGENCY), (upstream, called)


@pytest.mark.parametrize(
    "called", ["912", "9110", "+12025550911", "1911555", "urn:service:counseling"]
)
def test_numbers_that_only_look_like_emergency_codes_are_not_exempt(called):
    assert not is_emergency_destination(called)
    assert decide(call("BBBB", called), LIST, policy()).reason == Reason.PROVIDER_BLOCKED


def test_a_critical_caller_passes_every_rule():
    critical = policy(critical_callers=load_numbers([f"{PSAP}  # county PSAP"]))
    for upstream in ("BBBB", ""):
        d = decide(call(upstream, "+13125550100", calling="(202) 555-0911"), LIST, critical)
        assert (d.verdict, d.reason) == (Verdict.ALLOW, Reason.CRITICAL_CALLER)
    dno = policy(critical_callers=load_numbers([PSAP]), do_not_originate=load_numbers([PSAP]))
    assert decide(call("AAAA", "+13125550100", calling=PSAP), LIST, dno).verdict == Verdict.ALLOW


def test_without_the_critical_list_the_same_call_is_blocked():
    d = decide(call("BBBB", "+13125550100", calling=PSAP), LIST, policy())
    assert d.reason == Reason.PROVIDER_BLOCKED
