"""Fixtures: a lab PKI, a provider credential, a local HTTPS x5u server, a verifier on it.

``secsipidx`` (Debian package secsipidx) is the independent implementation the interop tests
run; where it is missing those tests skip with the reason, except with ``CI=true``, where
that fails the run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from robotrace.clock import SimulatedClock
from robotrace.shaken.certserver import CertServer, serve_certificates
from robotrace.shaken.chain import TrustStore
from robotrace.shaken.fetch import CertificateFetcher, FetchPolicy
from robotrace.shaken.labpki import LabPki, SpCredential
from robotrace.shaken.verify import Verifier
from tests.support import missing

from .builders import PKI_START, T0

SPC = "1234"


@pytest.fixture(scope="session")
def pki() -> LabPki:
    return LabPki.create(now=PKI_START)


@pytest.fixture(scope="session")
def sp(pki: LabPki) -> SpCredential:
    """Provider 1234's credential, valid from 2025-01-01 for ten years."""
    return pki.issue(SPC, not_before=PKI_START, days=3650)


@pytest.fixture(scope="session")
def server(sp: SpCredential) -> Iterator[CertServer]:
    """The x5u server; ``/sp.pem`` serves provider 1234's certificate and intermediate."""
    running = serve_certificates()
    running.put("/sp.pem", sp.x5u_pem())
    yield running
    running.stop()


@pytest.fixture
def x5u(server: CertServer) -> str:
    return server.url("/sp.pem")


def lab_fetcher(server: CertServer, clock: SimulatedClock) -> CertificateFetcher:
    """A fetcher allowed to reach the lab server (loopback, its port), trusting its TLS."""
    policy = FetchPolicy(ports=frozenset({server.port}), allow_private=True, timeout=2.0)
    return CertificateFetcher(policy, server.client_ssl_context(), clock=clock)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0)


@pytest.fixture
def verifier(pki: LabPki, server: CertServer, clock: SimulatedClock) -> Verifier:
    """Trusts the lab root, fetches from the lab server, lives at T0."""
    return Verifier(TrustStore([pki.root.cert]), lab_fetcher(server, clock), clock=clock)


@pytest.fixture(scope="session")
def secsipidx() -> str:
    path = shutil.which("secsipidx")
    if path is None:
        missing("secsipidx is not installed (Debian package secsipidx)")
    return path
