"""The verification service: an Identity header in, a :class:`VerifyResult` out — never raises.

Steps, cheapest first so that a stale or mismatched call never causes a network fetch:

1. parse the Identity header and the PASSporT, with exact types (438; 428 for another ppt);
2. the ``info`` parameter equals the PASSporT's ``x5u`` (438);
3. freshness: ``|now − iat|`` within ``shaken_freshness_seconds`` (403 Stale Date);
4. ``orig`` and ``dest`` match the call's numbers after normalisation (438);
5. the certificate from ``x5u`` (436 when it cannot be had) and its chain to a trust anchor,
   TNAuthList SPC, validity and revocation (437);
6. the ES256 signature with the certificate's key (438).

docs/shaken.md explains each mapping with its RFC 8224 section.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from robotrace.clock import Clock, SystemClock, as_utc
from robotrace.numbers import digits_key
from robotrace.settings import Settings
from robotrace.shaken import sip
from robotrace.shaken.certificate import CertificateBundle
from robotrace.shaken.chain import MAX_REMEMBERED, TrustStore
from robotrace.shaken.codes import Code, ShakenFailure, bad_info, invalid
from robotrace.shaken.fetch import CertificateFetcher
from robotrace.shaken.identity import SHAKEN_PPT, check_parameters, parse_identity_header
from robotrace.shaken.lint import LintNote, lint_certificate
from robotrace.shaken.passport import Passport, check_signature, decode_passport

MAX_HEADER = 16 * 1024
Numbers = str | Iterable[str] | None


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What verification found. On failure the claims are what the token *claims*."""

    valid: bool
    code: int | None  # RFC 8224 response code; None when valid
    reason: str
    attest: str | None = None
    origid: str | None = None
    orig: str | None = None
    dest: tuple[str, ...] = ()
    iat: int | None = None
    spc: str | None = None  # the signer's SPC from its certificate's TNAuthList
    x5u: str | None = None
    lint: tuple[LintNote, ...] = ()

    @property
    def phrase(self) -> str | None:
        return Code(self.code).phrase if self.code is not None else None

    def reason_header(self) -> str | None:
        """The Reason header value that carries the failure upstream (ATIS-1000074's
        ``SIP;cause=436;text="Bad Identity Info"``), or None when valid."""
        if self.code is None:
            return None
        return f'SIP;cause={self.code};text="{self.phrase}"'

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["phrase"] = self.phrase
        data["dest"] = list(self.dest)
        data["lint"] = [asdict(note) for note in self.lint]
        return data


def _matches(signed: Iterable[str], numbers: str | Iterable[str]) -> bool:
    """Whether a signed tn and a call's number have the same digits key (non-empty)."""
    keys = {digits_key(tn) for tn in signed}
    keys.discard("")
    if isinstance(numbers, str):
        return digits_key(numbers) in keys
    return any(digits_key(number) in keys for number in numbers)


def check_numbers(passport: Passport, orig: Numbers, dest: Numbers) -> None:
    """orig.tn equals a caller number; some dest.tn equals a callee number (digits keys)."""
    if orig is not None and not _matches((passport.orig,), orig):
        raise invalid(f"orig.tn {passport.orig} is not the call's caller ({_show(orig)})")
    if dest is not None and not _matches(passport.dest, dest):
        raise invalid(f"dest.tn {list(passport.dest)} does not name the callee ({_show(dest)})")


def _show(numbers: Numbers) -> str:
    return numbers if isinstance(numbers, str) else ", ".join(numbers or ()) or "none"


def check_fresh(iat: int, at: datetime, seconds: float) -> None:
    age = at.timestamp() - iat
    if age > seconds:
        raise ShakenFailure(Code.STALE_DATE, f"iat is {age:.0f} s old (more than {seconds:g} s)")
    if -age > seconds:
        raise ShakenFailure(Code.STALE_DATE, f"iat is {-age:.0f} s in the future")


def decode_identity(identity: str) -> Passport:
    """Steps 1-2: the Identity header and its PASSporT, well-formed and consistent."""
    if len(identity) > MAX_HEADER:
        raise invalid(f"the Identity header is longer than {MAX_HEADER} characters")
    header = parse_identity_header(identity)
    check_parameters(header)
    passport = decode_passport(header.token)
    if header.info != passport.x5u:
        raise invalid(f"info <{header.info}> is not the PASSporT's x5u <{passport.x5u}>")
    return passport


def _failed(failure: ShakenFailure, passport: Passport | None, spc: str | None) -> VerifyResult:
    if passport is None:
        return VerifyResult(False, int(failure.code), failure.reason)
    return VerifyResult(
        False, int(failure.code), failure.reason, passport.attest, passport.origid,
        passport.orig, passport.dest, passport.iat, spc, passport.x5u,
    )  # fmt: skip


@dataclass
class Verifier:
    """A verification service: trust anchors, a certificate fetcher, a freshness window."""

    trust: TrustStore
    fetcher: CertificateFetcher = field(default_factory=CertificateFetcher)
    freshness_seconds: float = 60.0
    clock: Clock = field(default_factory=SystemClock)
    _lint: dict[bytes, tuple[LintNote, ...]] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Verifier:
        anchors, crl = settings.shaken_trust_anchors, settings.shaken_crl
        return cls(
            trust=TrustStore.from_paths([anchors] if anchors else [], [crl] if crl else []),
            fetcher=CertificateFetcher.from_settings(settings, clock),
            freshness_seconds=settings.shaken_freshness_seconds,
            clock=clock or SystemClock(),
        )

    def _check_call(self, passport: Passport, orig: Numbers, dest: Numbers, at: datetime) -> None:
        check_fresh(passport.iat, at, self.freshness_seconds)
        check_numbers(passport, orig, dest)

    def _complete(
        self, passport: Passport, bundle: CertificateBundle, at: datetime
    ) -> VerifyResult:
        self.trust.check(bundle, at)
        check_signature(passport, bundle.public_key)
        lint = self._lint.get(bundle.fingerprint)
        if lint is None:
            if len(self._lint) >= MAX_REMEMBERED:
                self._lint.clear()
            lint = self._lint[bundle.fingerprint] = lint_certificate(bundle.leaf, bundle.tn_auth)
        return VerifyResult(
            True, None, "verified", passport.attest, passport.origid, passport.orig,
            passport.dest, passport.iat, bundle.spc, passport.x5u, lint,
        )  # fmt: skip

    def _at(self, at: datetime | None) -> datetime:
        return as_utc(at) if at is not None else self.clock.now()

    async def verify(
        self,
        identity: str,
        *,
        orig: Numbers = None,
        dest: Numbers = None,
        at: datetime | None = None,
        certificate: CertificateBundle | None = None,
    ) -> VerifyResult:
        """Verify one Identity header value; ``orig``/``dest`` are the call's numbers (None:
        not compared); ``certificate`` is used instead of fetching ``x5u``."""
        when, passport, bundle = self._at(at), None, certificate
        try:
            passport = decode_identity(identity)
            self._check_call(passport, orig, dest, when)
            bundle = bundle or self.fetcher.cached(passport.x5u)  # no await when cached
            bundle = bundle or await self.fetcher.get(passport.x5u)
            return self._complete(passport, bundle, when)
        except ShakenFailure as failure:
            return _failed(failure, passport, bundle.spc if bundle else None)

    def verify_cached(
        self,
        identity: str,
        *,
        orig: Numbers = None,
        dest: Numbers = None,
        at: datetime | None = None,
        certificate: CertificateBundle | None = None,
    ) -> VerifyResult:
        """:meth:`verify` without the network, for synchronous callers (the blocker's hook):
        the certificate must be given or already cached, else 436 (fetch it with
        ``await verifier.fetcher.get(result.x5u)`` and ask again)."""
        when, passport, bundle = self._at(at), None, certificate
        try:
            passport = decode_identity(identity)
            self._check_call(passport, orig, dest, when)
            bundle = bundle or self.fetcher.cached(passport.x5u)
            if bundle is None:
                raise bad_info(f"the certificate at {passport.x5u} is not cached yet")
            return self._complete(passport, bundle, when)
        except ShakenFailure as failure:
            return _failed(failure, passport, bundle.spc if bundle else None)

    async def verify_request(
        self,
        request: sip.SipRequest,
        *,
        orig: Numbers = None,
        dest: Numbers = None,
        at: datetime | None = None,
        certificate: CertificateBundle | None = None,
    ) -> VerifyResult:
        """Verify a SIP request's SHAKEN Identity headers against its numbers (P-Asserted-
        Identity/From and To/Request-URI, unless ``orig``/``dest`` are given): the first that
        verifies wins, else the first failure; 428 when there is none to verify."""
        identities = request.values("identity")
        if not identities:
            return VerifyResult(False, 428, "the request has no Identity header")
        shaken = [v for v in identities if _ppt(v) in (None, SHAKEN_PPT)]
        if not shaken:
            return VerifyResult(False, 428, "no Identity header with ppt=shaken")
        callers = orig if orig is not None else sip.caller_numbers(request)
        callees = dest if dest is not None else sip.callee_numbers(request)
        first: VerifyResult | None = None
        for value in shaken:
            result = await self.verify(
                value, orig=callers, dest=callees, at=at, certificate=certificate
            )
            if result.valid:
                return result
            first = first or result
        assert first is not None
        return first


def _ppt(identity: str) -> str | None:
    try:
        return parse_identity_header(identity).ppt
    except ShakenFailure:
        return None
