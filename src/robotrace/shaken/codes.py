"""The SIP response codes a STIR verification service answers with (RFC 8224 §6.2.2, §13).

Every failure the verifier finds is a :class:`ShakenFailure` carrying one of these codes and
a reason text for people; nothing else escapes verification. docs/shaken.md has the table of
which failure gets which code, and why.
"""

from __future__ import annotations

from enum import IntEnum


class Code(IntEnum):
    STALE_DATE = 403  # iat (or Date) outside the freshness window (RFC 8224 §6.2.2, §13)
    USE_IDENTITY_HEADER = 428  # no Identity header with a supported ppt (RFC 8224 §6.2.2)
    BAD_IDENTITY_INFO = 436  # the credential (x5u) cannot be acquired (RFC 8224 §6.2.2)
    UNSUPPORTED_CREDENTIAL = 437  # acquired, but not trusted or not supported (§6.2.2, §13.2)
    INVALID_IDENTITY_HEADER = 438  # no valid and supported PASSporT (RFC 8224 §6.2.2)

    @property
    def phrase(self) -> str:
        """The reason phrase RFC 8224 registers for the code."""
        return PHRASES[self]


PHRASES: dict[Code, str] = {
    Code.STALE_DATE: "Stale Date",
    Code.USE_IDENTITY_HEADER: "Use Identity Header",
    Code.BAD_IDENTITY_INFO: "Bad Identity Info",
    Code.UNSUPPORTED_CREDENTIAL: "Unsupported Credential",
    Code.INVALID_IDENTITY_HEADER: "Invalid Identity Header",
}


class ShakenFailure(Exception):
    """A verification failure: the RFC 8224 code and what exactly was wrong."""

    def __init__(self, code: Code, reason: str) -> None:
        super().__init__(f"{int(code)} {code.phrase}: {reason}")
        self.code = code
        self.reason = reason


def invalid(reason: str) -> ShakenFailure:
    """438: the Identity header or its PASSporT is malformed, unsupported or does not verify."""
    return ShakenFailure(Code.INVALID_IDENTITY_HEADER, reason)


def invalid_passport(reason: str) -> ShakenFailure:
    """438 with RFC 8224's alternative phrase for missing or ill-typed headers and claims."""
    return ShakenFailure(Code.INVALID_IDENTITY_HEADER, f"Invalid PASSporT: {reason}")


def bad_info(reason: str) -> ShakenFailure:
    """436: the certificate the x5u/info URL names could not be acquired."""
    return ShakenFailure(Code.BAD_IDENTITY_INFO, reason)


def unsupported(reason: str) -> ShakenFailure:
    """437: the certificate was acquired but is not trusted, valid or supported."""
    return ShakenFailure(Code.UNSUPPORTED_CREDENTIAL, reason)
