"""The SIP Identity header field (RFC 8224 §4.1): a PASSporT token and its parameters.

``<token>;info=<https://cert.example.org/sp.pem>;alg=ES256;ppt=shaken`` — the token is the
full-form PASSporT ``header.payload.signature``, each part base64url. The compact form
(``header..signature``, the payload left out and rebuilt from the SIP message) is not used by
SHAKEN (ATIS-1000074 carries the full form) and is reported as unsupported (438).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from robotrace.shaken.codes import Code, ShakenFailure, invalid

_TOKEN = re.compile(r"^[A-Za-z0-9_\-=]*\.[A-Za-z0-9_\-=]*\.[A-Za-z0-9_\-=]*$")
# ``token;info=<uri>;alg=X;ppt=Y`` exactly, with a full-form token: what signers send.
_CANONICAL = re.compile(
    r"^([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+);info=<([^<>\"]*)>"
    r";alg=([A-Za-z0-9]+);ppt=([A-Za-z0-9]+)$"
)
_PARAM_NAME = re.compile(r"^[A-Za-z0-9.!%*_+`'~\-]+$")
SHAKEN_PPT = "shaken"
ES256 = "ES256"


class IdentityHeader(NamedTuple):
    """One parsed Identity header field value."""

    token: str
    info: str | None
    alg: str | None
    ppt: str | None
    params: dict[str, str]

    @property
    def parts(self) -> tuple[str, str, str]:
        header, payload, signature = self.token.split(".")
        return header, payload, signature


def _read_value(text: str, at: int) -> tuple[str, int]:
    """One parameter value from ``at``: ``<uri>``, a quoted string, or a token."""
    if text.startswith("<", at):
        end = text.find(">", at)
        if end < 0:
            raise invalid("unterminated <…> in an Identity header parameter")
        return text[at + 1 : end], end + 1
    if text.startswith('"', at):
        end = text.find('"', at + 1)
        if end < 0:
            raise invalid("unterminated quoted string in an Identity header parameter")
        return text[at + 1 : end], end + 1
    end = text.find(";", at)
    end = len(text) if end < 0 else end
    return text[at:end].strip(), end


def _parse_params(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    at = 0
    while at < len(text):
        if text[at] in "; \t":
            at += 1
            continue
        name_end = min(i for i in (text.find("=", at), text.find(";", at), len(text)) if i >= 0)
        name = text[at:name_end].strip().lower()
        if not _PARAM_NAME.match(name):
            raise invalid(f"malformed Identity header parameter {text[at:name_end]!r}")
        value, at = (
            ("", name_end) if not text.startswith("=", name_end) else _value_after(text, name_end)
        )
        if name in params:
            raise invalid(f"Identity header parameter {name!r} appears twice")
        params[name] = value
    return params


def _value_after(text: str, equals_at: int) -> tuple[str, int]:
    at = equals_at + 1
    while at < len(text) and text[at] in " \t":
        at += 1
    return _read_value(text, at)


def parse_identity_header(value: str) -> IdentityHeader:
    """Parse one Identity header field value; a malformed one raises :class:`ShakenFailure`.

    The field name (``Identity:`` or the compact ``y:``) may be left on.
    """
    canonical = _CANONICAL.match(value)
    if canonical is not None:  # the usual shape, without the general parser's cost
        token, info, alg, ppt = canonical.groups()
        return IdentityHeader(token, info, alg, ppt, {"info": info, "alg": alg, "ppt": ppt})
    text = strip_field_name(value).strip()
    if not text:
        raise ShakenFailure(Code.USE_IDENTITY_HEADER, "the Identity header is empty")
    token, _, rest = text.partition(";")
    token = token.strip()
    if not _TOKEN.match(token):
        raise invalid("the Identity header does not start with a PASSporT header.payload.signature")
    if token.split(".")[1] == "":
        raise invalid(
            "compact form PASSporT (empty payload) is not supported: SHAKEN carries the full "
            "form (ATIS-1000074); resend with the full form"
        )
    params = _parse_params(rest)
    return IdentityHeader(
        token=token,
        info=params.get("info"),
        alg=params.get("alg"),
        ppt=params.get("ppt"),
        params=params,
    )


def strip_field_name(value: str) -> str:
    """``Identity: x`` or ``y: x`` → ``x``; anything else unchanged."""
    name, colon, rest = value.partition(":")
    if colon and name.strip().lower() in {"identity", "y"}:
        return rest
    return value


def check_parameters(header: IdentityHeader) -> None:
    """The parameters SHAKEN needs: ``ppt=shaken``, ``alg=ES256`` (or absent), ``info``."""
    if header.ppt is not None and header.ppt != SHAKEN_PPT:
        raise ShakenFailure(
            Code.USE_IDENTITY_HEADER,
            f"Identity header has ppt={header.ppt!r}; this verifier supports ppt=shaken only",
        )
    if header.alg is not None and header.alg != ES256:
        raise invalid(f"Identity header alg={header.alg!r}; SHAKEN uses ES256 only")
    if not header.info:
        raise invalid("Identity header has no info parameter (required, RFC 8224 §4.1)")
