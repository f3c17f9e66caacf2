"""Certificate chains to the STI-PA trust anchors: every failure is 437 with its reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from robotrace.shaken.certificate import CertificateBundle, bundle_from_certificates
from robotrace.shaken.chain import TrustStore
from robotrace.shaken.codes import Code, ShakenFailure
from robotrace.shaken.labpki import LabPki, SpCredential

from .builders import PKI_START, T0


def bundle(sp: SpCredential, *, with_chain: bool = True) -> CertificateBundle:
    return bundle_from_certificates([sp.cert, *(sp.chain if with_chain else ())])


def refused(store: TrustStore, served: CertificateBundle, at=T0) -> str:
    with pytest.raises(ShakenFailure) as caught:
        store.validate(served, at)
    assert caught.value.code == Code.UNSUPPORTED_CREDENTIAL
    return caught.value.reason


def test_a_chain_through_the_served_intermediate_to_the_root_validates(pki, sp):
    result = TrustStore([pki.root.cert]).validate(bundle(sp), T0)
    assert result.path == (sp.cert, pki.intermediate.cert, pki.root.cert)
    assert result.covers(T0)


def test_an_intermediate_configured_as_anchor_is_enough_without_the_served_chain(pki, sp):
    store = TrustStore([pki.intermediate.cert])
    assert store.validate(bundle(sp, with_chain=False), T0).path[-1] == pki.intermediate.cert


def test_without_the_intermediate_the_root_alone_is_not_reached(pki, sp):
    reason = refused(TrustStore([pki.root.cert]), bundle(sp, with_chain=False))
    assert "untrusted" in reason


def test_another_pki_root_is_untrusted(sp):
    other = LabPki.create(now=PKI_START, name="Other")
    assert "untrusted" in refused(TrustStore([other.root.cert]), bundle(sp))


def test_no_anchors_at_all_is_named_as_the_reason(sp):
    assert "no trust anchors" in refused(TrustStore([]), bundle(sp))


def test_an_intermediate_with_the_right_name_but_another_key_is_a_broken_chain(pki, sp):
    impostor_key = ec.generate_private_key(ec.SECP256R1())
    impostor = (
        x509.CertificateBuilder()
        .subject_name(pki.intermediate.cert.subject)
        .issuer_name(pki.root.cert.subject)
        .public_key(impostor_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(PKI_START)
        .not_valid_after(PKI_START + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(pki.root.key, hashes.SHA384())
    )
    served = bundle_from_certificates([sp.cert, impostor])
    assert "broken chain" in refused(TrustStore([pki.root.cert]), served)


def test_expired_and_not_yet_valid_certificates_are_refused(pki):
    old = pki.issue("1234", not_before=PKI_START, days=30)
    assert "expired" in refused(TrustStore([pki.root.cert]), bundle(old))
    future = pki.issue("1234", not_before=T0 + timedelta(days=2), days=30)
    assert "not valid before" in refused(TrustStore([pki.root.cert]), bundle(future))


def test_a_revoked_certificate_is_refused_when_a_crl_is_configured(pki):
    revoked = pki.issue("1234", not_before=PKI_START, days=365)
    kept = pki.issue("1234", not_before=PKI_START, days=365)
    store = TrustStore([pki.root.cert], [pki.crl([revoked.cert], now=T0)])
    assert "revoked" in refused(store, bundle(revoked))
    assert store.validate(bundle(kept), T0)


def test_a_crl_signed_by_someone_else_revokes_nothing(pki):
    revoked = pki.issue("1234", not_before=PKI_START, days=365)
    forged = LabPki.create(now=PKI_START).crl([revoked.cert], now=T0)
    assert TrustStore([pki.root.cert], [forged]).validate(bundle(revoked), T0)


def _ca(subject: str, key, issuer_cert, issuer_key, *, ca: bool = True) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, subject)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_cert.subject if issuer_cert else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(PKI_START)
        .not_valid_after(PKI_START + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def test_an_issuer_that_is_not_a_ca_cannot_sign_the_signer(pki):
    key = ec.generate_private_key(ec.SECP256R1())
    not_ca = _ca("Not a CA", key, pki.root.cert, pki.root.key, ca=False)
    sp = pki.issue("1234", now=T0)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(sp.cert.subject)
        .issuer_name(not_ca.subject)
        .public_key(sp.key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(PKI_START)
        .not_valid_after(PKI_START + timedelta(days=365))
        .add_extension(sp.cert.extensions.get_extension_for_oid(
            x509.ObjectIdentifier("1.3.6.1.5.5.7.1.26")).value, critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    served = bundle_from_certificates([leaf, not_ca])
    assert "not a CA" in refused(TrustStore([pki.root.cert]), served)


def test_an_rsa_root_is_not_a_supported_sti_ca(pki):
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _ca("RSA root", rsa_key, None, rsa_key)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    intermediate = _ca("EC under RSA", ca_key, root, rsa_key)
    sp = pki.issue("1234", now=T0)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(sp.cert.subject)
        .issuer_name(intermediate.subject)
        .public_key(sp.key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(PKI_START)
        .not_valid_after(PKI_START + timedelta(days=365))
        .add_extension(sp.cert.extensions.get_extension_for_oid(
            x509.ObjectIdentifier("1.3.6.1.5.5.7.1.26")).value, critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    served = bundle_from_certificates([leaf, intermediate])
    assert "P-256 or P-384" in refused(TrustStore([root]), served)
