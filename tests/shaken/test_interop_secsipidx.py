"""Interop with an independent implementation: secsipidx (Debian package secsipidx).

Headers secsipidx signs verify in robotrace with exactly the claims secsipidx was given;
headers robotrace signs pass ``secsipidx -check`` with its certificate checks on (time
validity, our lab root as CA file, the intermediate as CA intermediate); and where a header is
broken both implementations refuse it.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from robotrace.clock import SystemClock
from robotrace.shaken.chain import TrustStore
from robotrace.shaken.labpki import LabPki, SpCredential
from robotrace.shaken.sign import Signer
from robotrace.shaken.verify import Verifier

from .builders import DEST, ORIG, ORIGID, PKI_START, forge, run, shaken_claims
from .conftest import lab_fetcher

TIME_CA_AND_INTERMEDIATE = "13"  # secsipidx -cert-verify bits: 1 time, 4 CA file, 8 intermediate


@pytest.fixture
def live_verifier(pki, server) -> Verifier:
    """A verifier on the wall clock: secsipidx signs and checks with the real time."""
    clock = SystemClock()
    return Verifier(TrustStore([pki.root.cert]), lab_fetcher(server, clock), clock=clock)


@pytest.fixture
def files(tmp_path: Path, pki: LabPki, sp: SpCredential) -> Path:
    (tmp_path / "root.pem").write_bytes(pki.root.cert_pem())
    (tmp_path / "intermediate.pem").write_bytes(pki.intermediate.cert_pem())
    (tmp_path / "sp.pem").write_bytes(sp.cert_pem())
    (tmp_path / "sp-sec1.key").write_bytes(sp.key_pem(traditional=True))
    (tmp_path / "sp-pkcs8.key").write_bytes(sp.key_pem())
    return tmp_path


def secsipidx_sign(
    secsipidx: str, key: Path, x5u: str, attest: str, *, iat: int | None = None
) -> str:
    """``-sign-full`` (the whole header, iat now); with ``iat``, ``-sign`` (the token only:
    secsipidx 1.2 ignores -iat in -sign-full) and the parameters added here."""
    mode = "-sign" if iat is not None else "-sign-full"
    result = subprocess.run(
        [secsipidx, mode, "-a", attest, "-o", ORIG, "-d", DEST, "-x5u", x5u,
         "-k", str(key), "-orig-id", ORIGID, *(["-iat", str(iat)] if iat else [])],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    token = result.stdout.strip()
    return token if iat is None else f"{token};info=<{x5u}>;alg=ES256;ppt=shaken"


def secsipidx_check(
    secsipidx: str, files: Path, identity: str, *, ca: Path | None = None, cert: str = "sp.pem"
) -> subprocess.CompletedProcess[str]:
    (files / "identity.txt").write_text(identity)
    return subprocess.run(
        [secsipidx, "-check", "-fidentity", str(files / "identity.txt"),
         "-fpubkey", str(files / cert), "-expire", "60",
         "-cert-verify", TIME_CA_AND_INTERMEDIATE, "-ca-file", str(ca or files / "root.pem"),
         "-ca-inter", str(files / "intermediate.pem")],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip


@pytest.mark.parametrize("attest", ["A", "B", "C"])
@pytest.mark.parametrize("key_file", ["sp-sec1.key", "sp-pkcs8.key"])
def test_headers_secsipidx_signs_verify_in_robotrace(
    secsipidx, files, live_verifier, x5u, attest, key_file
):
    before = int(time.time())
    header = secsipidx_sign(secsipidx, files / key_file, x5u, attest)
    result = run(live_verifier.verify(header, orig=f"+{ORIG}", dest=f"+{DEST}"))
    assert result.valid, result.reason
    assert (result.attest, result.orig, result.dest) == (attest, ORIG, (DEST,))
    assert (result.origid, result.spc) == (ORIGID, "1234")
    assert before <= (result.iat or 0) <= time.time()


def test_a_secsipidx_token_with_a_given_iat_verifies_with_that_iat(
    secsipidx, files, live_verifier, x5u
):
    iat = int(time.time()) - 10
    header = secsipidx_sign(secsipidx, files / "sp-sec1.key", x5u, "B", iat=iat)
    result = run(live_verifier.verify(header, orig=ORIG, dest=DEST))
    assert (result.valid, result.iat, result.attest) == (True, iat, "B"), result.reason


def test_a_stale_secsipidx_header_is_403_in_robotrace(secsipidx, files, live_verifier, x5u):
    iat = int(time.time()) - 300
    header = secsipidx_sign(secsipidx, files / "sp-sec1.key", x5u, "A", iat=iat)
    assert run(live_verifier.verify(header)).code == 403


@pytest.mark.parametrize("attest", ["A", "B", "C"])
def test_headers_robotrace_signs_pass_secsipidx_check(secsipidx, files, sp, x5u, attest):
    header = Signer(sp.key, x5u).sign(attest, "+1 202 555 0143", ["+12025550199"])
    checked = secsipidx_check(secsipidx, files, header)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip().endswith("ok")


def _broken(kind: str, sp: SpCredential, x5u: str) -> str:
    now = int(time.time())
    if kind == "wrong key":
        return forge(ec.generate_private_key(ec.SECP256R1()), x5u, claims=shaken_claims(iat=now))
    if kind == "expired iat":
        return forge(sp.key, x5u, claims=shaken_claims(iat=now - 3600))
    good = forge(sp.key, x5u, claims=shaken_claims(iat=now))
    head, _body, rest = good.split(".", 2)
    if kind == "tampered payload":
        forged = forge(sp.key, x5u, claims=shaken_claims(iat=now, attest="B"))
        return f"{head}.{forged.split('.')[1]}.{rest}"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["wrong key", "expired iat", "tampered payload"])
def test_both_implementations_refuse_the_same_broken_headers(
    secsipidx, files, sp, x5u, live_verifier, kind
):
    header = _broken(kind, sp, x5u)
    assert secsipidx_check(secsipidx, files, header).returncode != 0
    result = run(live_verifier.verify(header))
    assert not result.valid and result.code == (403 if kind == "expired iat" else 438)


def test_both_implementations_refuse_a_chain_to_an_untrusted_root(
    secsipidx, files, sp, x5u, live_verifier
):
    rogue = LabPki.create(now=PKI_START, name="Rogue")
    (files / "rogue-root.pem").write_bytes(rogue.root.cert_pem())
    header = Signer(sp.key, x5u).sign("A", ORIG, DEST)
    assert secsipidx_check(secsipidx, files, header, ca=files / "rogue-root.pem").returncode != 0
    live_verifier.trust = TrustStore([rogue.root.cert])
    assert run(live_verifier.verify(header)).code == 437
