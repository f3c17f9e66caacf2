"""A lab STIR/SHAKEN PKI: STI-PA root → intermediate CA → service-provider certificates.

For tests, labs and the simulator — never for real calls. :meth:`LabPki.create` makes a
P-384 root and a P-256 intermediate; :meth:`LabPki.issue` gives a provider a P-256
certificate with its SPC in a TNAuthList, shaped like the ATIS-1000080 profile (or, with
``profile=False``, the bare minimum real certificates sometimes are); :meth:`LabPki.crl`
revokes. Everything is in memory; ``*_pem`` give the bytes to write or serve.

With a ``seed`` the PKI is reproducible — keys derived from the seed, serial numbers too, and
certificates and CRLs signed with deterministic ECDSA (RFC 6979) — so a simulated world with
the same seed has byte-identical certificates (give ``now`` as well).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from robotrace.clock import SystemClock, as_utc
from robotrace.shaken.certificate import TN_AUTH_LIST_OID
from robotrace.shaken.lint import SHAKEN_POLICY_OID

PEM = serialization.Encoding.PEM


def _der(tag: int, value: bytes) -> bytes:
    length = len(value)
    if length < 0x80:
        return bytes([tag, length]) + value
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + value


def _derived(seed: int, label: str) -> bytes:
    return hashlib.sha256(f"robotrace-lab-pki:{seed}:{label}".encode()).digest()


def _key(seed: int | None, label: str, curve: ec.EllipticCurve) -> ec.EllipticCurvePrivateKey:
    """A new key, or with a seed the same key every time (248 bits: below either order)."""
    if seed is None:
        return ec.generate_private_key(curve)
    return ec.derive_private_key(int.from_bytes(_derived(seed, label)[:31], "big") + 1, curve)


def _serial(seed: int | None, label: str) -> int:
    if seed is None:
        return x509.random_serial_number()
    return int.from_bytes(_derived(seed, "serial:" + label)[:16], "big") | (1 << 127)


def _sign_options(seed: int | None) -> dict[str, Any]:
    return {"ecdsa_deterministic": True} if seed is not None else {}


def encode_tn_auth_list(spcs: Sequence[str], *, implicit: bool = False) -> bytes:
    """DER of a TNAuthList of SPC entries; RFC 8226's EXPLICIT tags unless ``implicit``."""
    entries = b"".join(
        _der(0x80, spc.encode("ascii")) if implicit else _der(0xA0, _der(0x16, spc.encode("ascii")))
        for spc in spcs
    )
    return _der(0x30, entries)


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


@dataclass(frozen=True)
class Credential:
    """A certificate and its private key."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(PEM)

    def key_pem(self, *, traditional: bool = False) -> bytes:
        """PKCS#8 PEM, or SEC1 ``EC PRIVATE KEY`` with ``traditional`` (what openssl ecparam
        writes, and what secsipidx reads)."""
        fmt = serialization.PrivateFormat
        return self.key.private_bytes(
            PEM,
            fmt.TraditionalOpenSSL if traditional else fmt.PKCS8,
            serialization.NoEncryption(),
        )


@dataclass(frozen=True)
class SpCredential(Credential):
    """A service provider's signing credential: what its x5u URL serves is :meth:`x5u_pem`."""

    spc: str = ""
    chain: tuple[x509.Certificate, ...] = ()

    def x5u_pem(self, *, with_chain: bool = True) -> bytes:
        served = [self.cert, *(self.chain if with_chain else ())]
        return b"".join(cert.public_bytes(PEM) for cert in served)


def _key_ids(builder: x509.CertificateBuilder, key: ec.EllipticCurvePrivateKey,
             issuer_key: ec.EllipticCurvePrivateKey) -> x509.CertificateBuilder:  # fmt: skip
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
    return builder.add_extension(ski, critical=False).add_extension(aki, critical=False)


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _signing_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _ca_certificate(
    subject: x509.Name, key: ec.EllipticCurvePrivateKey, issuer: Credential | None,
    validity: tuple[datetime, datetime], path_length: int | None, seed: int | None,
) -> x509.Certificate:  # fmt: skip
    issuer_key = issuer.key if issuer else key
    not_before, not_after = validity
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(_serial(seed, subject.rfc4514_string()))
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_ca_usage(), critical=True)
    )
    builder = _key_ids(builder, key, issuer_key)
    algorithm = hashes.SHA384() if issuer_key.curve.name == "secp384r1" else hashes.SHA256()
    return builder.sign(issuer_key, algorithm, **_sign_options(seed))


@dataclass(frozen=True)
class LabPki:
    """The lab's STI-PA root and the intermediate CA that signs provider certificates."""

    root: Credential
    intermediate: Credential
    crl_url: str = "https://crl.lab.invalid/sti-pa.crl"
    seed: int | None = None

    @classmethod
    def create(
        cls,
        *,
        now: datetime | None = None,
        years: int = 10,
        name: str = "Lab",
        seed: int | None = None,
    ) -> LabPki:
        start = as_utc(now or SystemClock().now()) - timedelta(days=1)
        validity = (start, start + timedelta(days=365 * years))
        root_key = _key(seed, f"{name}:root", ec.SECP384R1())
        root_name = _name(f"{name} STI-PA Root", f"{name} STI-PA")
        root = Credential(root_key, _ca_certificate(root_name, root_key, None, validity, 1, seed))
        ca_key = _key(seed, f"{name}:ca", ec.SECP256R1())
        ca_name = _name(f"{name} STI-CA", f"{name} STI-CA")
        ca = Credential(ca_key, _ca_certificate(ca_name, ca_key, root, validity, 0, seed))
        return cls(root, ca, seed=seed)

    def anchors_pem(self) -> bytes:
        """The trust anchors a verifier needs: the root."""
        return self.root.cert_pem()

    def issue(
        self,
        spc: str,
        *,
        now: datetime | None = None,
        days: float = 365,
        not_before: datetime | None = None,
        key: ec.EllipticCurvePrivateKey | None = None,
        profile: bool = True,
        tn_auth: bool = True,
        implicit_tags: bool = False,
        organization: str | None = None,
    ) -> SpCredential:
        """A provider's signing certificate for ``spc``, valid ``days`` from ``not_before``
        (default: a day before ``now``)."""
        start = as_utc(not_before or as_utc(now or SystemClock().now()) - timedelta(days=1))
        key = key or _key(self.seed, f"sp:{spc}", ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(f"SHAKEN {spc}", organization or f"Provider {spc}"))
            .issuer_name(self.intermediate.cert.subject)
            .public_key(key.public_key())
            .serial_number(_serial(self.seed, f"sp:{spc}:{start.isoformat()}:{days}"))
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=days))
        )
        if tn_auth:
            value = encode_tn_auth_list([spc], implicit=implicit_tags)
            extension = x509.UnrecognizedExtension(TN_AUTH_LIST_OID, value)
            builder = builder.add_extension(extension, critical=False)
        if profile:
            builder = self._profile(builder, key)
        cert = builder.sign(self.intermediate.key, hashes.SHA256(), **_sign_options(self.seed))
        return SpCredential(key, cert, spc, (self.intermediate.cert,))

    def _profile(
        self, builder: x509.CertificateBuilder, key: ec.EllipticCurvePrivateKey
    ) -> x509.CertificateBuilder:
        point = x509.DistributionPoint(
            [x509.UniformResourceIdentifier(self.crl_url)], None, None, None
        )
        policy = x509.PolicyInformation(SHAKEN_POLICY_OID, None)
        builder = (
            builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(_signing_usage(), critical=True)
            .add_extension(x509.CertificatePolicies([policy]), critical=False)
            .add_extension(x509.CRLDistributionPoints([point]), critical=False)
        )
        return _key_ids(builder, key, self.intermediate.key)

    def crl(
        self, revoked: Sequence[x509.Certificate], *, now: datetime | None = None
    ) -> x509.CertificateRevocationList:
        """A CRL from the intermediate CA revoking ``revoked``."""
        at = as_utc(now or SystemClock().now())
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.intermediate.cert.subject)
            .last_update(at - timedelta(hours=1))
            .next_update(at + timedelta(days=7))
        )
        for cert in revoked:
            entry = (
                x509.RevokedCertificateBuilder()
                .serial_number(cert.serial_number)
                .revocation_date(at - timedelta(minutes=30))
                .build()
            )
            builder = builder.add_revoked_certificate(entry)
        return builder.sign(self.intermediate.key, hashes.SHA256(), **_sign_options(self.seed))
