"""The accountability rules per signer, over rows built here; the expectations come from
the definitions (ATIS-1000074's attestation levels, the NANP numbering rules, FCC 24-120's
effective date), written out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

from robotrace.numbers import match_key
from robotrace.shaken.accountability import (
    DNO,
    INVALID,
    NOT_OWN_CERTIFICATE,
    OVER_ATTESTATION,
    UNASSIGNED,
    SignedCall,
    TracedSignature,
    accountability,
    caller_id_findings,
    traceback_findings,
)

BEFORE_RULE = datetime(2025, 9, 17, 23, 59, tzinfo=UTC)
AFTER_RULE = datetime(2025, 9, 18, 0, 0, tzinfo=UTC)
DNO_LIST = frozenset({match_key("+18005550111")})


def assigned_in_202(number: str) -> bool | None:
    """Blocks cover area code 202 only, and hold 202-555 alone."""
    digits = match_key(number).removeprefix("+1")
    if not digits.startswith("202"):
        return None
    return digits.startswith("202555")


def reasons(number: str) -> list[str]:
    return [r for r, _ in caller_id_findings(number, DNO_LIST, assigned_in_202)]


def test_a_caller_id_that_no_carrier_can_hold_counts_as_invalid():
    assert reasons("0000") == [INVALID]
    assert reasons("+1 211 555 0100") == [INVALID]  # N11 area code
    assert reasons("(312) 055-0100") == [INVALID]  # NXX starting with 0
    assert reasons("anonymous") == [INVALID]  # no number at all


def test_a_caller_id_in_a_covered_area_code_but_no_block_counts_as_unassigned():
    assert reasons("202-556-0100") == [UNASSIGNED]
    assert reasons("202-555-0100") == []


def test_a_caller_id_whose_area_code_no_import_covers_is_not_called_unassigned():
    assert reasons("+13125550100") == []


def test_a_caller_id_on_the_do_not_originate_list_counts_in_any_spelling():
    assert reasons("1 (800) 555-0111") == [DNO]


def traced(**changes: object) -> TracedSignature:
    values: dict[str, object] = {
        "traceback_id": "TB-000001",
        "call_time": BEFORE_RULE,
        "calling_number": "+12025550100",
        "attest": "A",
        "spc": "2222",
        "signer": "MID",
        "originating": "ORIG",
        "signer_on_path": True,
    }
    values.update(changes)
    return TracedSignature(**values)  # type: ignore[arg-type]


def kinds(tb: TracedSignature) -> list[str]:
    return [r for r, _ in traceback_findings(tb)]


def test_an_a_or_b_signer_that_carried_a_call_another_provider_originated_over_attested():
    assert kinds(traced(attest="A")) == [OVER_ATTESTATION]
    assert kinds(traced(attest="B", call_time=AFTER_RULE)) == [OVER_ATTESTATION]


def test_a_gateway_attestation_by_a_carrier_on_the_path_is_what_the_standard_asks():
    assert kinds(traced(attest="C")) == []
    assert kinds(traced(attest="C", call_time=AFTER_RULE)) == []


def test_the_originating_signer_and_an_unknown_origin_count_for_nothing():
    assert kinds(traced(originating="MID")) == []
    assert kinds(traced(originating=None, signer_on_path=None)) == []


def test_a_signer_that_says_it_had_the_call_from_upstream_over_attested_its_a_or_b():
    tb = traced(originating=None, signer_on_path=None, signer_named_upstream="ORIG")
    assert kinds(tb) == [OVER_ATTESTATION]


def test_a_certificate_off_the_traced_path_is_another_providers_only_from_the_rule_date():
    off_path = {"signer": "LEND", "spc": "4444", "signer_on_path": False}
    assert kinds(traced(**off_path, call_time=AFTER_RULE)) == [NOT_OWN_CERTIFICATE]
    assert kinds(traced(**off_path, attest="C", call_time=AFTER_RULE)) == [NOT_OWN_CERTIFICATE]
    assert kinds(traced(**off_path, call_time=BEFORE_RULE)) == [OVER_ATTESTATION]
    assert kinds(traced(**off_path, attest="C", call_time=BEFORE_RULE)) == []


def test_signers_are_counted_by_spc_and_a_call_found_twice_is_one_row_with_both_reasons():
    calls = [
        SignedCall(1, BEFORE_RULE, "0000", "A", "2222"),
        SignedCall(2, BEFORE_RULE, "+12025550100", "B", "2222"),
        SignedCall(3, BEFORE_RULE, "+18005550111", "A", "1111"),
        SignedCall(4, BEFORE_RULE, "0000", "C", "1111"),  # C: not counted at all
    ]
    tbs = [traced(call_id=1), traced(call_id=None, traceback_id="TB-000009", signer="ORIG",
                                     spc="1111", originating="ORIG")]  # fmt: skip
    found = {r.spc: r for r in accountability(calls, tbs, DNO_LIST, assigned_in_202)}
    mid, orig = found["2222"], found["1111"]
    assert (mid.signed_ab, mid.traced, mid.flagged) == (2, 1, 1)
    assert mid.evidence[0].reasons == [INVALID, OVER_ATTESTATION]
    assert mid.evidence[0].traceback_id == "TB-000001"
    assert mid.counts == {INVALID: 1, UNASSIGNED: 0, DNO: 0, OVER_ATTESTATION: 1,
                          NOT_OWN_CERTIFICATE: 0}  # fmt: skip
    assert (orig.signed_ab, orig.traced, orig.flagged) == (1, 1, 1)
    assert orig.evidence[0].reasons == [DNO]
