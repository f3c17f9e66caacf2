"""x5u addresses that carry an IPv4 address inside an IPv6 one (issue 24, item 10): NAT64,
6to4, Teredo, IPv4-compatible, -mapped and -translated forms of an internal address are
refused like the internal address itself.

The forms are built here from their RFCs, not with the code under test: IPv4-mapped
``::ffff:a.b.c.d`` and IPv4-compatible ``::a.b.c.d`` (RFC 4291 §2.5.5), IPv4-translated
``::ffff:0:a.b.c.d`` (RFC 2765 §2.1), the NAT64 well-known prefix ``64:ff9b::/96`` (RFC 6052
§2.1) and local-use ``64:ff9b:1::/48`` (RFC 8215), 6to4 ``2002:AABB:CCDD::/48`` (RFC 3056 §2)
and Teredo ``2001:0:server:flags:port:client`` with the client address and port inverted
(RFC 4380 §4). The internal IPv4 networks are IANA's special-purpose registry's.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from robotrace.shaken.codes import Code, ShakenFailure
from robotrace.shaken.fetch import FetchPolicy, address_allowed, download

from .builders import run

DEFAULT = FetchPolicy()
V4, V6 = ipaddress.IPv4Address, ipaddress.IPv6Address

#: IANA IPv4 special-purpose address registry: none of these is globally reachable.
INTERNAL_V4 = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/29", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    )
]  # fmt: skip
#: Blocks of globally routable unicast space (allocated to Level 3, Google, Fastly).
GLOBAL_V4 = [ipaddress.ip_network(n) for n in ("4.0.0.0/9", "8.8.8.0/24", "151.101.0.0/16")]


def _in(networks):
    return st.sampled_from(networks).flatmap(
        lambda net: st.integers(0, net.num_addresses - 1).map(lambda i: net[i])
    )


def mapped(v4: V4, _rest: int) -> V6:
    return V6((0xFFFF << 32) | int(v4))


def compatible(v4: V4, _rest: int) -> V6:
    return V6(int(v4))


def translated(v4: V4, _rest: int) -> V6:
    return V6((0xFFFF << 48) | int(v4))


def nat64(v4: V4, _rest: int) -> V6:
    return V6((0x0064FF9B << 96) | int(v4))


def nat64_local(v4: V4, rest: int) -> V6:  # 64:ff9b:1::/48, the IPv4 address at /96
    return V6((0x0064FF9B0001 << 80) | ((rest & 0xFFFF) << 32) | int(v4))


def six_to_four(v4: V4, rest: int) -> V6:
    return V6((0x2002 << 112) | (int(v4) << 80) | (rest & ((1 << 80) - 1)))


def teredo(v4: V4, rest: int) -> V6:
    server, flags_port = 0x41363E78, rest & 0xFFFFFFFF  # a public Teredo server, any flags
    return V6((0x20010000 << 96) | (server << 64) | (flags_port << 32) | (int(v4) ^ 0xFFFFFFFF))


FORMS = [mapped, compatible, translated, nat64, nat64_local, six_to_four, teredo]


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::127.0.0.1", "64:ff9b::10.0.0.1", "64:ff9b::169.254.169.254",
        "64:ff9b:1::a00:1", "::127.0.0.1", "::10.0.0.1", "::ffff:0:10.0.0.1",
        "2002:0a00:0001::1", "2002:7f00:0001::", "2002:a9fe:a9fe::1",
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",
    ],
)  # fmt: skip
def test_an_internal_address_inside_an_ipv6_one_is_refused(address):
    assert not address_allowed(ipaddress.ip_address(address), DEFAULT)


@pytest.mark.parametrize("address", ["64:ff9b::8.8.8.8", "2002:0808:0808::1", "::ffff:8.8.8.8"])
def test_a_global_address_inside_an_ipv6_one_is_allowed(address):
    assert address_allowed(ipaddress.ip_address(address), DEFAULT)


def test_a_nat64_literal_of_the_metadata_address_is_refused_before_any_fetch():
    with pytest.raises(ShakenFailure) as caught:
        run(download("https://[64:ff9b::a9fe:a9fe]/sp.pem", DEFAULT))
    assert caught.value.code == Code.BAD_IDENTITY_INFO
    assert "private or special-purpose" in caught.value.reason


@given(_in(INTERNAL_V4), st.sampled_from(FORMS), st.integers(0, (1 << 80) - 1))
def test_no_form_lets_an_internal_ipv4_address_through(v4, form, rest):
    assert not address_allowed(v4, DEFAULT)
    assert not address_allowed(form(v4, rest), DEFAULT), (form.__name__, form(v4, rest))


@given(_in(GLOBAL_V4), st.sampled_from([mapped, nat64, six_to_four]), st.integers(0, 1 << 79))
def test_a_global_ipv4_address_stays_reachable_through_nat64_and_6to4(v4, form, rest):
    assert address_allowed(form(v4, rest), DEFAULT), (form.__name__, form(v4, rest))


def test_the_lab_setting_still_allows_them_but_never_multicast():
    lab = FetchPolicy(allow_private=True)
    assert address_allowed(ipaddress.ip_address("64:ff9b::10.0.0.1"), lab)
    assert not address_allowed(ipaddress.ip_address("64:ff9b::224.0.0.1"), lab)
