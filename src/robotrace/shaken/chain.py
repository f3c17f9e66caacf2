"""The certificate chain: from the signer's certificate to a configured trust anchor.

Trust anchors are the STI-PA's list of approved STI-CA roots (a PEM file or a folder of
them, setting ``shaken_trust_anchors``); intermediates come from what the x5u URL served.
CAs sign with ECDSA on P-256 or P-384; every certificate on the path must be valid at the
verification time, every CA must say ``cA`` (and ``keyCertSign`` when it has key usage) and
keep its path length; certificates revoked by a configured CRL (setting ``shaken_crl``) are
refused. Every failure here is 437 Unsupported Credential (RFC 8224 §6.2.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec

from robotrace.shaken.certificate import CertificateBundle
from robotrace.shaken.codes import unsupported

CA_CURVES = ("secp256r1", "secp384r1")
MAX_INTERMEDIATES = 4
MAX_REMEMBERED = 10_000  # validated chains kept (one per signer certificate)
_FILE_SUFFIXES = (".pem", ".crt", ".cer", ".der", ".crl")


@dataclass(frozen=True)
class ChainResult:
    """A validated path (signer first, anchor last) and when all of it is valid."""

    path: tuple[x509.Certificate, ...]
    valid_from: datetime
    valid_until: datetime

    def covers(self, at: datetime) -> bool:
        return self.valid_from <= at <= self.valid_until


def describe(cert: x509.Certificate) -> str:
    """A short name for reasons: the subject's CN, else the whole subject."""
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string() or "(no subject)"


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _crl_signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    try:
        key = issuer.public_key()
        return isinstance(key, ec.EllipticCurvePublicKey) and crl.is_signature_valid(key)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in _FILE_SUFFIXES)
    return [path]


def load_anchor_certificates(paths: Iterable[str | Path]) -> list[x509.Certificate]:
    """Certificates from PEM files (several per file) or folders of them; DER files too."""
    certs: list[x509.Certificate] = []
    for path in paths:
        for file in _files(Path(path)):
            data = file.read_bytes()
            if b"-----BEGIN CERTIFICATE-----" in data:
                certs += x509.load_pem_x509_certificates(data)
            else:
                certs.append(x509.load_der_x509_certificate(data))
    return certs


def load_crls(paths: Iterable[str | Path]) -> list[x509.CertificateRevocationList]:
    crls = []
    for path in paths:
        for file in _files(Path(path)):
            data = file.read_bytes()
            if b"-----BEGIN X509 CRL-----" in data:
                crls.append(x509.load_pem_x509_crl(data))
            else:
                crls.append(x509.load_der_x509_crl(data))
    return crls


def _check_ca_key(cert: x509.Certificate) -> None:
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        raise unsupported(f"CA {describe(cert)!r} has a key that cannot be read") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name not in CA_CURVES:
        raise unsupported(f"CA {describe(cert)!r} has a key other than ECDSA P-256 or P-384")


def _extension(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> object | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    except ValueError as exc:
        raise unsupported(f"{describe(cert)!r} has malformed extensions ({exc})") from None


def _check_ca_extensions(cert: x509.Certificate, below: int) -> None:
    """An intermediate CA: cA true, keyCertSign when key usage is given, path length kept."""
    constraints = _extension(cert, x509.BasicConstraints)
    if not isinstance(constraints, x509.BasicConstraints):
        raise unsupported(f"CA {describe(cert)!r} has no basic constraints")
    if not constraints.ca:
        raise unsupported(f"{describe(cert)!r} signed a certificate but is not a CA")
    if constraints.path_length is not None and below > constraints.path_length:
        raise unsupported(f"CA {describe(cert)!r} exceeds its path length constraint")
    usage = _extension(cert, x509.KeyUsage)
    if isinstance(usage, x509.KeyUsage) and not usage.key_cert_sign:
        raise unsupported(f"CA {describe(cert)!r} may not sign certificates (key usage)")


def _check_times(path: Sequence[x509.Certificate], at: datetime) -> None:
    for cert in path:
        if at < cert.not_valid_before_utc:
            when = cert.not_valid_before_utc.isoformat()
            raise unsupported(f"certificate {describe(cert)!r} is not valid before {when}")
        if at > cert.not_valid_after_utc:
            when = cert.not_valid_after_utc.isoformat()
            raise unsupported(f"certificate {describe(cert)!r} expired at {when}")


class TrustStore:
    """Trust anchors and CRLs (fixed once built); validates a :class:`CertificateBundle`'s
    chain, and remembers the result per certificate."""

    def __init__(
        self,
        anchors: Sequence[x509.Certificate],
        crls: Sequence[x509.CertificateRevocationList] = (),
    ) -> None:
        self.anchors = tuple(anchors)
        self.crls = tuple(crls)
        self._results: dict[bytes, ChainResult] = {}  # by the signer certificate's SHA-256

    def check(self, bundle: CertificateBundle, at: datetime) -> ChainResult:
        """:meth:`validate`, remembered per certificate for as long as its path is valid."""
        cached = self._results.get(bundle.fingerprint)
        if cached is not None and cached.covers(at):
            return cached
        result = self.validate(bundle, at)
        if len(self._results) >= MAX_REMEMBERED:
            self._results.clear()
        self._results[bundle.fingerprint] = result
        return result

    @classmethod
    def from_paths(
        cls, anchors: Iterable[str | Path], crls: Iterable[str | Path] = ()
    ) -> TrustStore:
        return cls(load_anchor_certificates(anchors), load_crls(crls))

    def validate(self, bundle: CertificateBundle, at: datetime) -> ChainResult:
        """The path from ``bundle.leaf`` to an anchor, checked at ``at``; else 437."""
        if not self.anchors:
            raise unsupported("no trust anchors are configured (setting shaken_trust_anchors)")
        path = self._path(bundle.leaf, bundle.intermediates)
        _check_times(path, at)
        for below, ca in enumerate(path[1:-1]):
            _check_ca_key(ca)
            _check_ca_extensions(ca, below)
        _check_ca_key(path[-1])
        self._check_revocation(path)
        return ChainResult(
            tuple(path),
            max(cert.not_valid_before_utc for cert in path),
            min(cert.not_valid_after_utc for cert in path),
        )

    def _path(
        self, leaf: x509.Certificate, intermediates: Sequence[x509.Certificate]
    ) -> list[x509.Certificate]:
        path = [leaf]
        while len(path) <= MAX_INTERMEDIATES + 1:
            current = path[-1]
            anchor = next((a for a in self.anchors if _issued_by(current, a)), None)
            if anchor is not None:
                return [*path, anchor]
            issuer = next(
                (c for c in intermediates if c not in path and _issued_by(current, c)), None
            )
            if issuer is None:
                raise unsupported(self._no_path_reason(current, intermediates))
            path.append(issuer)
        raise unsupported("the certificate chain is longer than allowed")

    def _no_path_reason(
        self, cert: x509.Certificate, intermediates: Sequence[x509.Certificate]
    ) -> str:
        named = [c for c in (*self.anchors, *intermediates) if c.subject == cert.issuer]
        issuer = cert.issuer.rfc4514_string()
        if named:
            return (
                f"broken chain: the signature of {describe(cert)!r} by {issuer!r} does not verify"
            )
        return f"untrusted: no trust anchor or served intermediate is {issuer!r}"

    def _check_revocation(self, path: Sequence[x509.Certificate]) -> None:
        for cert, issuer in pairwise(path):
            for crl in self.crls:
                if crl.issuer != cert.issuer or not _crl_signed_by(crl, issuer):
                    continue
                if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
                    raise unsupported(f"certificate {describe(cert)!r} is revoked (CRL)")
