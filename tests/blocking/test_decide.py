from datetime import timedelta

import pytest

from robotrace.blocking.decide import decide, load_numbers
from robotrace.blocking.model import CallAttempt, Reason, Verdict
from robotrace.numbering.nanp import NanpRules
from tests.blocking.builders import CLEAN, OPERATOR, T0, entry, loaded, policy, rmd_removed

LIST_REDRESS = {"url": "https://traceback.example/redress/BA-000007", "tel": "+12025550100"}
LIST = loaded(
    entry("BBBB", authorization_id=7, redress=LIST_REDRESS),
    entry("DDDD", scope="no_direct_traffic", authorization_id=9),
    entry("CCCC", number="+13125550199", authorization_id=8, ocns=("CCC1",)),
)


def call(upstream="AAAA", calling=CLEAN, at=T0, identity=None):
    return CallAttempt(upstream, calling, "+13125550100", identity, at)


def test_a_call_from_a_blocked_provider_is_blocked_with_its_authorization_and_redress():
    d = decide(call("BBBB"), LIST, policy())
    assert (d.verdict, d.reason, d.authorization_id) == (Verdict.BLOCK, Reason.PROVIDER_BLOCKED, 7)
    assert (d.redress.url, d.redress.tel, d.redress.email) == (*LIST_REDRESS.values(), "")
    assert d.reference == "BA-000007"


def test_an_entry_whose_list_names_no_redress_gets_the_operators():
    d = decide(call("DDDD"), LIST, policy())
    assert (d.reason, d.authorization_id, d.redress) == (Reason.NO_DIRECT_TRAFFIC, 9, OPERATOR)


def test_an_rmd_removal_blocks_by_key_and_by_ocn_naming_the_order_not_an_authorization():
    removed = loaded(rmd_removed("RMD0009999", "DA 25-694", ocns=("ECH1",)))
    for upstream in ("RMD0009999", "ECH1"):
        d = decide(call(upstream), removed, policy())
        assert (d.verdict, d.reason, d.authorization_id) == (
            Verdict.BLOCK,
            Reason.NO_DIRECT_TRAFFIC,
            None,
        ), upstream
        assert d.rmd_order == "DA 25-694"
        assert d.detail == "removed from the Robocall Mitigation Database (DA 25-694)"


def test_an_rmd_removal_applies_from_the_removal_date():
    removed = loaded(rmd_removed("ECH1", effective_at=T0 + timedelta(days=2)))
    assert decide(call("ECH1", at=T0 + timedelta(days=1)), removed, policy()).reason == (
        Reason.ALLOWED
    )
    assert decide(call("ECH1", at=T0 + timedelta(days=2)), removed, policy()).reason == (
        Reason.NO_DIRECT_TRAFFIC
    )


def test_a_decision_from_an_authorization_names_no_rmd_order():
    assert decide(call("BBBB"), LIST, policy()).rmd_order is None


def test_a_listed_calling_number_is_blocked_in_its_providers_traffic_in_any_spelling():
    for spelling in ["+13125550199", "(312) 555-0199", "tel:+1-312-555-0199", "13125550199"]:
        for upstream in ("CCCC", "CCC1"):  # the provider's key, or one of its OCNs
            d = decide(call(upstream, calling=spelling), LIST, policy())
            assert (d.reason, d.authorization_id) == (Reason.NUMBER_BLOCKED, 8), spelling


def test_the_same_caller_id_from_another_upstream_is_allowed():
    """Caller IDs are spoofed: a number authorization covers only the traffic of the provider
    it names, never an innocent subscriber's calls through anyone else."""
    for upstream in ("AAAA", "EEEE"):
        d = decide(call(upstream, calling="+13125550199"), LIST, policy())
        assert (d.verdict, d.reason) == (Verdict.ALLOW, Reason.ALLOWED), upstream


def test_the_provider_rule_comes_before_the_number_rule():
    both = loaded(entry("BBBB", authorization_id=7), entry("BBBB", number="+13125550199"))
    d = decide(call("BBBB", calling="+13125550199"), both, policy())
    assert d.reason == Reason.PROVIDER_BLOCKED


def test_a_number_on_the_dno_list_is_blocked_with_the_operators_redress():
    dno = load_numbers(["# inbound-only numbers", "800-555-0111  # IRS", "", "+12025550188"])
    d = decide(call(calling="(800) 555-0111"), LIST, policy(do_not_originate=dno))
    assert (d.reason, d.authorization_id) == (Reason.DO_NOT_ORIGINATE, None)
    assert d.redress == OPERATOR


def test_the_number_list_comes_before_the_dno_list():
    dno = load_numbers(["+13125550199"])
    got = decide(call("CCCC", calling="+13125550199"), LIST, policy(do_not_originate=dno))
    assert got.reason == Reason.NUMBER_BLOCKED


def test_the_dno_list_comes_before_the_invalid_number_rule():
    dno = load_numbers(["2024110143"])
    d = decide(call(calling="2024110143"), LIST, policy(do_not_originate=dno))
    assert d.reason == Reason.DO_NOT_ORIGINATE


@pytest.mark.parametrize("calling", ["2024110143", "1235550143", "0000", "12345"])
def test_a_number_that_cannot_be_assigned_is_blocked_as_invalid(calling):
    d = decide(call(calling=calling), LIST, policy())
    assert (d.verdict, d.reason) == (Verdict.BLOCK, Reason.INVALID_NUMBER)
    assert d.detail and d.redress == OPERATOR


def test_invalid_numbers_are_allowed_when_the_policy_says_so():
    assert decide(call(calling="2024110143"), LIST, policy(block_invalid=False)).reason == (
        Reason.ALLOWED
    )
    relaxed = policy(nanp=NanpRules(n11=False))
    assert decide(call(calling="2024110143"), LIST, relaxed).reason == Reason.ALLOWED


def test_an_empty_calling_number_is_allowed_unless_the_policy_blocks_it():
    assert decide(call(calling="anonymous"), LIST, policy()).reason == Reason.ALLOWED
    blocked = decide(call(calling=""), LIST, policy(block_empty=True))
    assert blocked.reason == Reason.INVALID_NUMBER


def test_a_clean_call_is_allowed():
    d = decide(call(), LIST, policy())
    assert (d.verdict, d.reason, d.authorization_id, d.flags) == (
        Verdict.ALLOW,
        Reason.ALLOWED,
        None,
        (),
    )


def test_without_a_list_only_the_operators_rules_apply():
    assert decide(call("BBBB"), None, policy()).reason == Reason.ALLOWED
    assert decide(call("BBBB", calling="2024110143"), None, policy()).reason == (
        Reason.INVALID_NUMBER
    )


def test_an_entry_applies_from_its_effective_time_to_the_second():
    future = loaded(entry("BBBB", effective_at=T0 + timedelta(hours=1)))
    just_before = T0 + timedelta(hours=1) - timedelta(seconds=1)
    assert decide(call("BBBB", at=just_before), future, policy()).reason == Reason.ALLOWED
    assert decide(call("BBBB", at=T0 + timedelta(hours=1)), future, policy()).reason == (
        Reason.PROVIDER_BLOCKED
    )


def test_without_a_call_time_the_policy_clock_decides_when_now_is():
    future = loaded(entry("BBBB", effective_at=T0 + timedelta(seconds=1)))
    assert decide(call("BBBB", at=None), future, policy()).reason == Reason.ALLOWED


def test_an_unknown_upstream_is_flagged_and_matches_no_number_entry():
    allowed = decide(call(""), LIST, policy())
    assert (allowed.reason, allowed.flags) == (Reason.ALLOWED, ("unknown_upstream",))
    listed = decide(call("", calling="+13125550199"), LIST, policy())
    assert (listed.reason, listed.flags) == (Reason.ALLOWED, ("unknown_upstream",))
    dno = decide(
        call("", calling="+13125550199"),
        LIST,
        policy(do_not_originate=load_numbers(["+13125550199"])),
    )
    assert (dno.reason, dno.flags) == (Reason.DO_NOT_ORIGINATE, ("unknown_upstream",))


def test_a_failed_shaken_verification_only_flags_by_default():
    d = decide(call(identity="eyJ..."), LIST, policy(shaken=lambda c: False))
    assert (d.verdict, d.flags) == (Verdict.ALLOW, ("shaken_failed",))


def test_a_failed_shaken_verification_blocks_when_the_policy_says_so():
    d = decide(call(identity="eyJ..."), LIST, policy(shaken=lambda c: False, shaken_blocks=True))
    assert (d.verdict, d.reason) == (Verdict.BLOCK, Reason.SHAKEN_FAILED)


def test_the_shaken_hook_is_not_asked_when_a_list_rule_already_blocks():
    asked = []
    check = policy(shaken=lambda c: asked.append(c) or False, shaken_blocks=True)
    assert decide(call("BBBB"), LIST, check).reason == Reason.PROVIDER_BLOCKED
    assert asked == []


def test_a_verified_or_absent_identity_changes_nothing():
    for answer in (True, None):
        assert decide(call(), LIST, policy(shaken=lambda c, a=answer: a)).flags == ()
