"""The blocker's STIR/SHAKEN hook (``robotrace.blocking.shaken``) against the lab PKI and a
real HTTPS x5u server: a call whose certificate is not cached is not judged and the
certificate is fetched in the background; then good signatures pass, and bad ones flag or
block per policy."""

from __future__ import annotations

from dataclasses import replace

import pytest

from robotrace.blocking.decide import decide
from robotrace.blocking.model import CallAttempt, Verdict
from robotrace.blocking.shaken import ShakenHook
from robotrace.shaken.sign import Signer
from robotrace.shaken.verify import Verifier
from tests.blocking.builders import policy
from tests.shaken.builders import DEST, IAT, ORIG, T0


@pytest.fixture
def hook(verifier: Verifier):
    made = ShakenHook(verifier)
    yield made
    made.close()


def call(identity: str | None, calling: str = "+" + ORIG) -> CallAttempt:
    return CallAttempt("AAAA", calling, "+" + DEST, identity, T0)


def test_an_uncached_certificate_is_fetched_in_the_background_then_the_call_verifies(
    hook: ShakenHook, sp, x5u: str
):
    identity = Signer(sp.key, x5u).sign("A", ORIG, DEST, iat=IAT)
    assert hook(call(identity)) is None  # not judged while the certificate is fetched
    hook.wait_idle()
    assert hook.verifier.fetcher.fetches == 1
    assert hook(call(identity)) is True
    assert hook.verifier.fetcher.fetches == 1  # served from the cache from now on


def test_a_call_without_identity_is_not_judged(hook: ShakenHook):
    assert hook(call(None)) is None and hook(call("")) is None


def test_a_spoofed_caller_id_flags_or_blocks_per_policy(hook: ShakenHook, sp, x5u: str):
    identity = Signer(sp.key, x5u).sign("A", ORIG, DEST, iat=IAT)
    hook(call(identity))
    hook.wait_idle()
    spoofed = call(identity, calling="+13125550100")  # orig says another number
    assert hook(spoofed) is False
    flagged = decide(spoofed, None, replace(policy(), shaken=hook))
    assert flagged.verdict == Verdict.ALLOW and "shaken_failed" in flagged.flags
    blocked = decide(spoofed, None, replace(policy(), shaken=hook, shaken_blocks=True))
    assert (blocked.verdict, blocked.reason.value) == (Verdict.BLOCK, "shaken_failed")


def test_an_x5u_that_cannot_be_fetched_fails_once_its_failure_is_cached(hook: ShakenHook, sp):
    url = x5u_of(hook, "/blocker-hook-unknown.pem")  # the lab server answers 404 there
    identity = Signer(sp.key, url).sign("A", ORIG, DEST, iat=IAT)
    assert hook(call(identity)) is None
    hook.wait_idle()
    assert hook.verifier.fetcher.fetches == 1
    assert hook(call(identity)) is False


def x5u_of(hook: ShakenHook, path: str) -> str:
    port = next(iter(hook.verifier.fetcher.policy.ports))
    return f"https://127.0.0.1:{port}{path}"
