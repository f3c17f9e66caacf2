"""Profile lint: deviations from the SHAKEN certificate profile are notes, never rejections."""

from __future__ import annotations

from robotrace.shaken.certificate import tn_auth_list_of
from robotrace.shaken.lint import lint_certificate
from robotrace.shaken.verify import Verifier

from .builders import PKI_START, forge, run


def codes(cert) -> set[str]:
    return {note.code for note in lint_certificate(cert, tn_auth_list_of(cert))}


def test_a_certificate_shaped_like_the_profile_has_no_notes(sp):
    assert codes(sp.cert) == set()


def test_a_bare_certificate_is_noted_for_everything_it_lacks(pki):
    bare = pki.issue("1234", now=PKI_START, profile=False, implicit_tags=True)
    assert codes(bare.cert) == {
        "no_crl_distribution_point",
        "no_shaken_policy",
        "no_key_usage",
        "no_key_identifier",
        "tn_auth_list_implicit",
    }


def test_a_bare_certificate_still_verifies_and_carries_its_notes(verifier: Verifier, pki, server):
    bare = pki.issue("5678", not_before=PKI_START, days=3650, profile=False)
    url = server.put("/bare.pem", bare.x5u_pem())
    result = run(verifier.verify(forge(bare.key, url)))
    assert result.valid, result.reason
    assert result.spc == "5678"
    assert "no_crl_distribution_point" in {note.code for note in result.lint}
