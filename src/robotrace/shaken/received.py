"""What a provider received of STIR/SHAKEN on a call, read from the Identity header its own
records hold: the attestation claimed and the signer's SPC (issue 23; docs/shaken.md#what-
each-hop-received).

This reads, it does not verify. The attestation is the PASSporT's ``attest`` claim as it
arrived; the signer is the SPC in the TNAuthList of the certificate the header's x5u names,
taken from ``certificates`` (x5u URL → certificate, e.g. a folder the provider keeps with
:func:`robotrace.shaken.stored_calls.load_certificate_folder`); without that certificate the signer
stays unknown. A provider's machine has no STIR/SHAKEN trust store by default, so a hop
reports what it was handed; the portal verifies the evidence it holds itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from robotrace.shaken.certificate import CertificateBundle, load_bundle
from robotrace.shaken.codes import ShakenFailure
from robotrace.shaken.identity import parse_identity_header
from robotrace.shaken.passport import decode_passport

#: An SPC a hop answer can carry (robotrace.traceback.workflow.SPC_PATTERN); another value in
#: a certificate is left unsaid rather than refused with the whole answer.
_SPC = re.compile(r"[A-Za-z0-9]{1,32}")


class Received(NamedTuple):
    """The attestation (A, B or C) and the signer's SPC; None where not known."""

    attest: str | None = None
    signer: str | None = None


def received_of(
    identity: str | None, certificates: Mapping[str, CertificateBundle] | None = None
) -> Received:
    """What the first Identity header field of ``identity`` says; nothing when there is none
    or it does not parse as a SHAKEN PASSporT."""
    if not (identity or "").strip():
        return Received()
    try:
        header = parse_identity_header((identity or "").split(",")[0].strip())
        passport = decode_passport(header.token)
    except (ShakenFailure, ValueError):
        return Received()
    if passport.attest not in ("A", "B", "C"):
        return Received()
    x5u = header.info or passport.x5u
    known = certificates or {}
    # By the x5u URL, else by its last segment (a folder of fetched certificates by name).
    certificate = known.get(x5u) or known.get(x5u.rsplit("/", 1)[-1])
    spc = certificate.spc if certificate is not None else None
    return Received(passport.attest, spc if spc and _SPC.fullmatch(spc) else None)


def certificates_by_name(folder: Path) -> dict[str, CertificateBundle]:
    """The signer certificates a provider keeps in ``folder``, by file name (the x5u URL's
    last segment): each ``*.pem`` with a TNAuthList; a trust anchor or a bad file is skipped."""
    found: dict[str, CertificateBundle] = {}
    for path in sorted(folder.glob("*.pem")):
        try:
            found[path.name] = load_bundle(path.read_bytes())
        except ShakenFailure:
            continue
    return found
