"""Profile lint: where a signer's certificate deviates from the SHAKEN certificate profile.

ATIS-1000080 describes what an STI certificate should hold (a CRL distribution point, the
SHAKEN certificate policy, key usage digitalSignature only and critical, key identifiers, one
SPC in the TNAuthList …). Real carrier certificates often miss some of it. A deviation is
recorded on the verification result as a note — evidence about the signer — and never turns
a valid signature into a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from cryptography import x509
from cryptography.x509.oid import NameOID, ObjectIdentifier, SignatureAlgorithmOID

from robotrace.shaken.certificate import TnAuthList

SHAKEN_POLICY_OID = ObjectIdentifier("2.16.840.1.114569.1.1.1")


@dataclass(frozen=True)
class LintNote:
    code: str
    text: str


_Kind = TypeVar("_Kind", bound=x509.ExtensionType)


def _extension(cert: x509.Certificate, kind: type[_Kind]) -> x509.Extension[_Kind] | None:
    try:
        return cert.extensions.get_extension_for_class(kind)
    except (x509.ExtensionNotFound, ValueError):
        return None


def _crl_distribution_point(cert: x509.Certificate) -> LintNote | None:
    if _extension(cert, x509.CRLDistributionPoints) is None:
        return LintNote("no_crl_distribution_point", "no CRL distribution point extension")
    return None


def _policy(cert: x509.Certificate) -> LintNote | None:
    extension = _extension(cert, x509.CertificatePolicies)
    policies = [p.policy_identifier for p in extension.value] if extension else []
    if SHAKEN_POLICY_OID not in policies:
        return LintNote(
            "no_shaken_policy",
            f"certificate policies lack the SHAKEN policy OID {SHAKEN_POLICY_OID.dotted_string}",
        )
    return None


def _key_usage(cert: x509.Certificate) -> LintNote | None:
    extension = _extension(cert, x509.KeyUsage)
    if extension is None:
        return LintNote("no_key_usage", "no key usage extension (digitalSignature expected)")
    usage = extension.value
    others = [
        usage.content_commitment, usage.key_encipherment, usage.data_encipherment,
        usage.key_agreement, usage.key_cert_sign, usage.crl_sign,
    ]  # fmt: skip
    if not usage.digital_signature or any(others):
        return LintNote("key_usage", "key usage is not digitalSignature alone")
    if not extension.critical:
        return LintNote("key_usage_not_critical", "the key usage extension is not critical")
    return None


def _basic_constraints(cert: x509.Certificate) -> LintNote | None:
    extension = _extension(cert, x509.BasicConstraints)
    if extension is not None and extension.value.ca:
        return LintNote("end_entity_is_ca", "the signer's certificate says cA true")
    return None


def _key_identifiers(cert: x509.Certificate) -> LintNote | None:
    missing = [
        name
        for name, kind in (
            ("subject", x509.SubjectKeyIdentifier),
            ("authority", x509.AuthorityKeyIdentifier),
        )
        if _extension(cert, kind) is None
    ]
    if missing:
        return LintNote("no_key_identifier", f"no {' or '.join(missing)} key identifier")
    return None


def _subject(cert: x509.Certificate) -> LintNote | None:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names or "SHAKEN" not in str(names[0].value).upper():
        return LintNote("subject_cn", "the subject CN does not read 'SHAKEN <SPC>'")
    return None


def _signature_algorithm(cert: x509.Certificate) -> LintNote | None:
    if cert.signature_algorithm_oid != SignatureAlgorithmOID.ECDSA_WITH_SHA256:
        oid = cert.signature_algorithm_oid.dotted_string
        return LintNote("signature_algorithm", f"signed with {oid}, not ecdsa-with-SHA256")
    return None


def _serial(cert: x509.Certificate) -> LintNote | None:
    serial = cert.serial_number
    if serial <= 0 or serial.bit_length() > 159:
        return LintNote("serial_number", "the serial number is not positive or exceeds 20 octets")
    if serial.bit_length() < 64:
        return LintNote("serial_number_short", "the serial number has fewer than 64 bits")
    return None


def _tn_auth(tn_auth: TnAuthList) -> list[LintNote]:
    notes = []
    if tn_auth.implicit_tags:
        notes.append(
            LintNote("tn_auth_list_implicit", "TNAuthList uses IMPLICIT tags (RFC 8226: EXPLICIT)")
        )
    if len(tn_auth.spcs) > 1 or tn_auth.ranges or tn_auth.numbers:
        notes.append(
            LintNote("tn_auth_list_entries", "TNAuthList holds more than the one SPC SHAKEN uses")
        )
    return notes


CHECKS: tuple[Callable[[x509.Certificate], LintNote | None], ...] = (
    _crl_distribution_point,
    _policy,
    _key_usage,
    _basic_constraints,
    _key_identifiers,
    _subject,
    _signature_algorithm,
    _serial,
)


def lint_certificate(cert: x509.Certificate, tn_auth: TnAuthList) -> tuple[LintNote, ...]:
    """Every profile deviation of the signer's certificate, in a stable order."""
    notes = [note for check in CHECKS if (note := check(cert)) is not None]
    if cert.version != x509.Version.v3:
        notes.append(LintNote("version", "not an X.509 v3 certificate"))
    return tuple(notes + _tn_auth(tn_auth))
