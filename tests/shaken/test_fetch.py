"""Fetching x5u certificates: HTTPS only, allowed ports, no private addresses, a cache."""

from __future__ import annotations

import asyncio
import ipaddress
from datetime import timedelta

import pytest

from robotrace.clock import SimulatedClock
from robotrace.shaken.codes import Code, ShakenFailure
from robotrace.shaken.fetch import (
    FetchPolicy,
    address_allowed,
    check_url,
    download,
)

from .builders import PKI_START, T0, run
from .conftest import lab_fetcher

DEFAULT = FetchPolicy()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://cert.example.org/sp.pem", "not https"),
        ("ftp://cert.example.org/sp.pem", "not https"),
        ("https://cert.example.org:9443/sp.pem", "port 9443 is not allowed"),
        ("https://user:pw@cert.example.org/sp.pem", "user info"),
        ("https:///sp.pem", "no host"),
        ("https://cert.example.org:99999/sp.pem", "not a URL"),
    ],
)
def test_urls_other_than_https_on_443_or_8443_are_refused(url, words):
    with pytest.raises(ShakenFailure) as caught:
        check_url(url, DEFAULT)
    assert caught.value.code == Code.BAD_IDENTITY_INFO and words in caught.value.reason


def test_https_on_443_and_8443_is_allowed():
    assert check_url("https://cert.example.org/a/sp.pem?v=1", DEFAULT).path == "/a/sp.pem?v=1"
    assert check_url("https://cert.example.org:8443/sp.pem", DEFAULT).port == 8443


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "192.0.2.10", "198.51.100.1", "240.0.0.1", "::1", "fe80::1",
        "fc00::1", "::ffff:10.0.0.1", "2001:db8::1",
    ],
)  # fmt: skip
def test_private_and_special_purpose_addresses_are_refused(address):
    assert not address_allowed(ipaddress.ip_address(address), DEFAULT)


@pytest.mark.parametrize("address", ["8.8.8.8", "151.101.1.1", "2606:4700::1111"])
def test_globally_routable_addresses_are_allowed(address):
    assert address_allowed(ipaddress.ip_address(address), DEFAULT)


def test_a_lab_setting_allows_private_addresses_but_never_multicast():
    lab = FetchPolicy(allow_private=True)
    assert address_allowed(ipaddress.ip_address("10.1.2.3"), lab)
    assert not address_allowed(ipaddress.ip_address("224.0.0.1"), lab)


def test_a_host_name_is_resolved_before_fetching_and_localhost_is_refused():
    with pytest.raises(ShakenFailure) as caught:
        run(download("https://localhost/sp.pem", DEFAULT))
    assert caught.value.code == Code.BAD_IDENTITY_INFO
    assert "private or special-purpose" in caught.value.reason


def test_the_lab_server_is_refused_without_the_lab_setting(server):
    policy = FetchPolicy(ports=frozenset({server.port}))
    with pytest.raises(ShakenFailure) as caught:
        run(download(server.url("/sp.pem"), policy, server.client_ssl_context()))
    assert "127.0.0.1" in caught.value.reason


def test_the_servers_tls_certificate_must_be_trusted(server):
    policy = FetchPolicy(ports=frozenset({server.port}), allow_private=True)
    with pytest.raises(ShakenFailure) as caught:
        run(download(server.url("/sp.pem"), policy))  # the system's CAs only
    assert caught.value.code == Code.BAD_IDENTITY_INFO


def test_a_host_name_is_checked_by_tls_against_the_pinned_address(server, sp):
    server.put("/by-name.pem", sp.x5u_pem())
    policy = FetchPolicy(ports=frozenset({server.port}), allow_private=True)
    url = f"https://localhost:{server.port}/by-name.pem"
    body, _ = run(download(url, policy, server.client_ssl_context()))
    assert body == sp.x5u_pem()


def test_a_fetched_certificate_is_cached_per_url(server, sp):
    url = server.put("/cached.pem", sp.x5u_pem())
    fetcher = lab_fetcher(server, SimulatedClock(T0))
    first = run(fetcher.get(url))
    second = run(fetcher.get(url))
    assert first is second and server.hits["/cached.pem"] == 1


def test_the_cache_expires_after_its_time(server, sp):
    url = server.put("/expiring.pem", sp.x5u_pem())
    clock = SimulatedClock(T0)
    fetcher = lab_fetcher(server, clock)
    fetcher.cache_seconds = 600
    run(fetcher.get(url))
    clock.advance(timedelta(seconds=599))
    run(fetcher.get(url))
    clock.advance(timedelta(seconds=2))
    run(fetcher.get(url))
    assert server.hits["/expiring.pem"] == 2


def test_the_cache_never_outlives_the_certificate(server, pki):
    short = pki.issue("1234", not_before=T0 - timedelta(days=1), days=1.5)  # ends T0 + 12 h
    url = server.put("/short.pem", short.x5u_pem())
    clock = SimulatedClock(T0)
    fetcher = lab_fetcher(server, clock)
    fetcher.cache_seconds = 7 * 24 * 3600
    run(fetcher.get(url))
    clock.advance(timedelta(hours=12, seconds=1))
    assert fetcher.cached(url) is None


def test_cache_control_max_age_shortens_the_cache(server, sp):
    url = server.put("/max-age.pem", sp.x5u_pem(), headers={"Cache-Control": "max-age=30"})
    clock = SimulatedClock(T0)
    fetcher = lab_fetcher(server, clock)
    run(fetcher.get(url))
    clock.advance(timedelta(seconds=31))
    assert fetcher.cached(url) is None


def test_failures_are_cached_for_the_negative_time(server):
    url = server.put("/missing.pem", b"gone", status=404)
    clock = SimulatedClock(T0)
    fetcher = lab_fetcher(server, clock)
    for _ in range(3):
        with pytest.raises(ShakenFailure) as caught:
            run(fetcher.get(url))
        assert "HTTP 404" in caught.value.reason
    assert server.hits["/missing.pem"] == 1
    clock.advance(timedelta(seconds=fetcher.negative_seconds + 1))
    with pytest.raises(ShakenFailure):
        run(fetcher.get(url))
    assert server.hits["/missing.pem"] == 2


@pytest.mark.parametrize(
    ("route", "words"),
    [
        ({"body": b"x", "delay": 1.5}, "timed out"),
        ({"body": b"x" * (70 * 1024)}, "more than"),
        ({"body": b"", "status": 302, "headers": {"Location": "https://example.org/"}}, "302"),
        ({"body": b"", "status": 500}, "HTTP 500"),
    ],
)
def test_slow_huge_redirecting_or_failing_servers_are_436(server, route, words):
    path = f"/bad-{words.replace(' ', '-')}.pem"
    url = server.put(path, **route)
    fetcher = lab_fetcher(server, SimulatedClock(T0))
    fetcher.policy = FetchPolicy(ports=frozenset({server.port}), allow_private=True, timeout=0.5)
    with pytest.raises(ShakenFailure) as caught:
        run(fetcher.get(url))
    assert caught.value.code == Code.BAD_IDENTITY_INFO and words in caught.value.reason


def test_a_slow_drip_body_hits_the_total_timeout(server, sp):
    url = server.put("/drip.pem", sp.x5u_pem(), drip=0.1)  # every read well within 0.5 s
    fetcher = lab_fetcher(server, SimulatedClock(T0))
    fetcher.policy = FetchPolicy(ports=frozenset({server.port}), allow_private=True, timeout=0.5)
    with pytest.raises(ShakenFailure) as caught:
        run(fetcher.get(url))
    assert "timed out after 0.5 s" in caught.value.reason


def test_concurrent_fetches_of_one_url_share_one_request(server, sp):
    url = server.put("/shared.pem", sp.x5u_pem(), delay=0.2)
    fetcher = lab_fetcher(server, SimulatedClock(PKI_START + timedelta(days=60)))

    async def many() -> list:
        return await asyncio.gather(*(fetcher.get(url) for _ in range(5)))

    bundles = run(many())
    assert len({id(b) for b in bundles}) == 1 and server.hits["/shared.pem"] == 1
