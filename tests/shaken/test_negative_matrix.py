"""The negative matrix: every broken header gets its RFC 8224 code, never an exception.

Expected codes (docs/shaken.md): 403 Stale Date for iat outside the window; 436 Bad Identity
Info when the certificate cannot be had (no x5u, http, refused host, HTTP error, not a
certificate); 437 Unsupported Credential when it can be had but is not trusted, valid or
usable; 438 Invalid Identity Header for a malformed, unsupported or non-verifying PASSporT and
for numbers that do not match the call.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from robotrace.shaken.chain import TrustStore
from robotrace.shaken.labpki import LabPki
from robotrace.shaken.verify import Verifier

from .builders import (
    DROP,
    IAT,
    PKI_START,
    b64,
    es256,
    forge,
    run,
    shaken_claims,
    shaken_header,
)


def _tampered(sp, x5u):
    head, _body, sig = forge(sp.key, x5u).split(";")[0].split(".")
    claims = b64(json.dumps(shaken_claims(orig={"tn": "13125550100"})).encode())
    return f"{head}.{claims}.{sig};info=<{x5u}>;alg=ES256;ppt=shaken"


def _hs256(sp, x5u):
    return forge(sp.key, x5u, header=shaken_header(x5u, alg="HS256"), signature=bytes(32))


def _alg_none(sp, x5u):
    return forge(sp.key, x5u, header=shaken_header(x5u, alg="none"), signature="")


def _served(path, make):
    """A header whose x5u is ``path`` on the lab server, serving ``make(pki)``."""

    def build(sp, x5u, pki, server):
        url = server.put(path, make(pki, sp))
        return forge(sp.key, url)

    return build


def _signed_by(credential_of):
    def build(sp, x5u, pki, server):
        credential = credential_of(pki)
        url = server.put(f"/signer-{credential.spc}-{id(credential)}.pem", credential.x5u_pem())
        return forge(credential.key, url)

    return build


CASES = {
    "iat too old": (lambda sp, x5u: forge(sp.key, x5u, claims=shaken_claims(iat=IAT - 61)), 403),
    "iat in the future": (
        lambda sp, x5u: forge(sp.key, x5u, claims=shaken_claims(iat=IAT + 61)),
        403,
    ),
    "wrong key": (lambda sp, x5u: forge(ec.generate_private_key(ec.SECP256R1()), x5u), 438),
    "tampered payload": (_tampered, 438),
    "alg none": (_alg_none, 438),
    "alg HS256": (_hs256, 438),
    "no x5u": (
        lambda sp, x5u: forge(
            sp.key, x5u, header=shaken_header(x5u, x5u=DROP), params=f";info=<{x5u}>"
        ),
        436,
    ),
    "http x5u": (lambda sp, x5u: forge(sp.key, x5u.replace("https:", "http:")), 436),
    "x5u on a refused port": (
        lambda sp, x5u: forge(sp.key, "https://cert.example.org:9999/sp.pem"),
        436,
    ),
    "x5u at a private address": (lambda sp, x5u: forge(sp.key, "https://10.0.0.1/sp.pem"), 436),
    "info differs from x5u": (
        lambda sp, x5u: forge(
            sp.key, x5u, params=";info=<https://other.example/sp.pem>;ppt=shaken"
        ),
        438,
    ),
    "mismatched orig": (
        lambda sp, x5u: forge(sp.key, x5u, claims=shaken_claims(orig={"tn": "13125550100"})),
        438,
    ),
    "malformed base64": (lambda sp, x5u: forge(sp.key, x5u, header="eyJ!!!"), 438),
    "malformed JSON": (lambda sp, x5u: forge(sp.key, x5u, claims=b'{"attest":"A",'), 438),
    "iat as a string": (
        lambda sp, x5u: forge(sp.key, x5u, claims=shaken_claims(iat=str(IAT))),
        438,
    ),
    "dest.tn not an array": (
        lambda sp, x5u: forge(sp.key, x5u, claims=shaken_claims(dest={"tn": "12025550199"})),
        438,
    ),
    "compact form": (
        lambda sp, x5u: forge(sp.key, x5u).replace(forge(sp.key, x5u).split(".")[1], "", 1),
        438,
    ),
    "truncated signature": (lambda sp, x5u: forge(sp.key, x5u, signature=bytes(63)), 438),
    "empty header": (lambda sp, x5u: "", 428),
    "ppt div": (lambda sp, x5u: forge(sp.key, x5u, params=f";info=<{x5u}>;ppt=div"), 428),
}

SERVED_CASES = {
    "x5u answers 404": (lambda sp, x5u, pki, server: forge(sp.key, server.url("/absent.pem")), 436),
    "x5u serves HTML": (_served("/html.pem", lambda pki, sp: b"<html></html>"), 436),
    "untrusted chain": (
        _signed_by(
            lambda pki: LabPki.create(now=PKI_START, name="Rogue").issue("6666", now=PKI_START)
        ),
        437,
    ),
    "broken chain": (
        _served("/no-intermediate.pem", lambda pki, sp: sp.x5u_pem(with_chain=False)),
        437,
    ),
    "expired certificate": (
        _signed_by(lambda pki: pki.issue("7777", not_before=PKI_START, days=10)),
        437,
    ),
    "no TNAuthList": (
        _signed_by(lambda pki: pki.issue("8888", not_before=PKI_START, days=3650, tn_auth=False)),
        437,
    ),
}


@pytest.mark.parametrize(("make", "code"), CASES.values(), ids=CASES.keys())
def test_each_broken_header_gets_its_code(verifier: Verifier, sp, x5u, make, code):
    result = run(verifier.verify(make(sp, x5u), orig="+12025550143"))
    assert (result.valid, result.code) == (False, code), result.reason
    assert result.reason


@pytest.mark.parametrize(("make", "code"), SERVED_CASES.values(), ids=SERVED_CASES.keys())
def test_each_bad_certificate_gets_its_code(verifier: Verifier, sp, x5u, pki, server, make, code):
    result = run(verifier.verify(make(sp, x5u, pki, server)))
    assert (result.valid, result.code) == (False, code), result.reason


def test_a_revoked_certificate_is_437_with_a_crl(verifier: Verifier, pki, server):
    revoked = pki.issue("9999", not_before=PKI_START, days=3650)
    verifier.trust = TrustStore(
        [pki.root.cert], [pki.crl([revoked.cert], now=PKI_START + timedelta(days=30))]
    )
    url = server.put("/revoked.pem", revoked.x5u_pem())
    result = run(verifier.verify(forge(revoked.key, url)))
    assert (result.code, "revoked" in result.reason) == (437, True)


def _mutate(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(chars))
        action = rng.choice(("replace", "delete", "insert"))
        if action == "replace":
            chars[at] = rng.choice("AZaz09-_.;=<>\"' \x00é")
        elif action == "delete":
            del chars[at]
        else:
            chars.insert(at, rng.choice('A.;=<>"{}[]:,'))
    return "".join(chars)


def test_random_corruptions_never_raise_and_never_verify(verifier: Verifier, sp, x5u):
    good = forge(sp.key, x5u)
    rng = random.Random(5)
    for _ in range(400):
        mutated = _mutate(good, rng)
        result = run(verifier.verify(mutated, orig="+12025550143", dest="+12025550199"))
        if result.valid:  # only a change outside the signed parts may still verify
            assert mutated.split(";")[0] == good.split(";")[0]
        else:
            assert result.code in {403, 428, 436, 437, 438}


def test_random_json_in_a_signed_payload_never_raises(verifier: Verifier, sp, x5u):
    rng = random.Random(8)
    values = [None, True, 1, 1.5, "x", [], {}, ["1"], {"tn": None}, -1, 2**70]
    for _ in range(200):
        claims = shaken_claims(**{rng.choice(list(shaken_claims())): rng.choice(values)})
        head = b64(b'{"alg":"ES256","ppt":"shaken","typ":"passport","x5u":"%s"}' % x5u.encode())
        body = b64(repr(claims).replace("'", '"').replace("None", "null")
                   .replace("True", "true").encode())  # fmt: skip
        sig = b64(es256(sp.key, f"{head}.{body}".encode()))
        result = run(verifier.verify(f"{head}.{body}.{sig};info=<{x5u}>"))
        assert result.code in {None, 403, 438}


@pytest.mark.parametrize(
    "path",
    ["a..b", "xn--a.example:", "[::1", "exa mple.org", "-bad-.example", "a" * 300 + ".example"],
)
def test_malformed_x5u_hosts_are_436_not_exceptions(verifier: Verifier, sp, server, path):
    url = f"https://{path}:{server.port}/sp.pem"
    result = run(verifier.verify(forge(sp.key, url)))
    assert (result.valid, result.code) == (False, 436), result.reason


def test_odd_x5u_paths_are_fetched_or_refused_without_exceptions(verifier: Verifier, sp, server):
    for path in ["/sp pem", "/%zz", "/sp.pem?x=<y>", "/" + "a" * 5000, "/\u00e9.pem"]:
        url = f"https://127.0.0.1:{server.port}{path}"
        result = run(verifier.verify(forge(sp.key, url)))
        assert result.code in {436, 438}, (path, result.reason)
