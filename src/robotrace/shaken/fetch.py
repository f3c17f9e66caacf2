"""Fetching the signer's certificate from its x5u URL: HTTPS only, guarded, cached.

An x5u URL comes from the call, so from anyone: the fetch must not become a way into the
verifier's own network. Only ``https`` on the allowed ports (443, 8443; setting
``shaken_x5u_ports``); the host is resolved first and every address must be globally
routable — private, loopback, link-local, shared, documentation and other special-purpose
addresses are refused, also inside an IPv6 address that carries an IPv4 one (NAT64, 6to4,
Teredo, IPv4-mapped, -compatible, -translated), unless a lab allows them
(``shaken_allow_private_x5u``). The request
then goes to the checked address itself (TLS still verifies the host name), so DNS cannot
answer differently in between; redirects are not followed; the body is capped.

Results are cached per URL: a certificate no longer than ``shaken_cache_seconds``, the
server's ``Cache-Control: max-age`` and the certificate's own expiry; a failure for
``shaken_negative_cache_seconds``. Concurrent fetches of one URL share one request.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx

from robotrace.clock import Clock, SystemClock
from robotrace.settings import Settings
from robotrace.shaken.certificate import CertificateBundle, load_bundle
from robotrace.shaken.codes import ShakenFailure, bad_info

MAX_BYTES = 64 * 1024
_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)", re.IGNORECASE)
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class FetchPolicy:
    """Where a verifier may fetch certificates from."""

    ports: frozenset[int] = frozenset({443, 8443})
    allow_private: bool = False
    timeout: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        ports = frozenset(int(p) for p in settings.shaken_x5u_ports.split(",") if p)
        return cls(
            ports=ports,
            allow_private=settings.shaken_allow_private_x5u,
            timeout=settings.shaken_fetch_timeout_seconds,
        )


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str


def check_url(url: str, policy: FetchPolicy) -> Target:
    """``https://host[:port]/path`` with an allowed port and no user info; else 436."""
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        raise bad_info(f"x5u {url!r} is not a URL") from None
    if parts.scheme.lower() != "https":
        raise bad_info(f"x5u {url!r} is not https")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise bad_info(f"x5u {url!r} has no host, or has user info")
    if port not in policy.ports:
        raise bad_info(f"x5u port {port} is not allowed (allowed: {sorted(policy.ports)})")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.hostname, port, path)


#: IPv6 forms whose packets go to the IPv4 address in their last 32 bits: IPv4-mapped and
#: IPv4-compatible (RFC 4291 §2.5.5), IPv4-translated (RFC 2765), NAT64's well-known prefix
#: (RFC 6052): a NAT64 gateway or the host's own stack takes them to that IPv4 address.
_WRAPPERS = tuple(
    ipaddress.IPv6Network(n) for n in ("::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "::/96")
)
_NOT_WRAPPED = (ipaddress.IPv6Address("::"), ipaddress.IPv6Address("::1"))
#: NAT64's local-use prefix (RFC 8215): where the IPv4 address sits is the network's choice,
#: and IANA lists it as not globally reachable.
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries to reach it: the wrappers above, 6to4
    (``2002:AABB:CCDD::/48``, RFC 3056) and a Teredo client (RFC 4380); None for others."""
    if address not in _NOT_WRAPPED and any(address in net for net in _WRAPPERS):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return address.teredo[1] if address.teredo is not None else None


def address_allowed(address: IpAddress, policy: FetchPolicy) -> bool:
    """Globally routable unicast only, unless the lab setting allows special addresses.

    An IPv6 address that carries an IPv4 one (NAT64, 6to4, IPv4-mapped, -compatible or
    -translated) is judged as that IPv4 address, where its packets end up — else
    ``64:ff9b::a9fe:a9fe`` would reach 169.254.169.254 through a NAT64 gateway; a Teredo
    address is judged as itself and as its client's IPv4 address."""
    inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    if inner is None:
        return _allowed(address, policy)
    if isinstance(address, ipaddress.IPv6Address) and address.teredo is not None:
        return _allowed(address, policy) and _allowed(inner, policy)
    return _allowed(inner, policy)


def _allowed(address: IpAddress, policy: FetchPolicy) -> bool:
    if address.is_multicast or address.is_unspecified:
        return False
    return policy.allow_private or (address.is_global and address not in _NAT64_LOCAL)


async def resolve(target: Target, policy: FetchPolicy) -> IpAddress:
    """The first address of the host; refused when any of its addresses is not allowed."""
    try:
        addresses = [ipaddress.ip_address(target.host)]
    except ValueError:
        addresses = await _lookup(target)
    if not addresses:
        raise bad_info(f"x5u host {target.host!r} has no address")
    refused = [a for a in addresses if not address_allowed(a, policy)]
    if refused:
        raise bad_info(
            f"x5u host {target.host!r} is at {refused[0]}, a private or special-purpose "
            "address (refused; a lab allows it with shaken_allow_private_x5u)"
        )
    return addresses[0]


async def _lookup(target: Target) -> list[IpAddress]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:  # ValueError: UnicodeError of a malformed name
        raise bad_info(f"x5u host {target.host!r} does not resolve ({exc})") from None
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


def _max_age(response: httpx.Response) -> float | None:
    match = _MAX_AGE.search(response.headers.get("cache-control", ""))
    return float(match.group(1)) if match else None


async def _read_capped(response: httpx.Response, url: str) -> bytes:
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > MAX_BYTES:
            raise bad_info(f"x5u {url!r} served more than {MAX_BYTES} bytes")
    return bytes(body)


async def download(
    url: str, policy: FetchPolicy, ssl_context: ssl.SSLContext | None = None
) -> tuple[bytes, float | None]:
    """GET the x5u URL at its checked address → (body, max-age); every failure is 436.

    ``policy.timeout`` bounds the whole of it, name resolution and a slow body included.
    """
    target = check_url(url, policy)
    try:
        return await asyncio.wait_for(_get(url, target, policy, ssl_context), policy.timeout)
    except TimeoutError:
        raise bad_info(f"x5u {url!r} timed out after {policy.timeout:g} s") from None


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


async def _get(
    url: str, target: Target, policy: FetchPolicy, ssl_context: ssl.SSLContext | None
) -> tuple[bytes, float | None]:
    address = await resolve(target, policy)
    pinned = f"https://{_bracketed(str(address))}:{target.port}{target.path}"
    name = _bracketed(target.host)
    headers = {"Host": name if target.port == 443 else f"{name}:{target.port}"}
    verify: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
    try:
        async with (
            httpx.AsyncClient(verify=verify, timeout=policy.timeout, trust_env=False) as client,
            client.stream(
                "GET", pinned, headers=headers, extensions={"sni_hostname": target.host}
            ) as response,
        ):
            if response.status_code != 200:
                raise bad_info(f"x5u {url!r} answered HTTP {response.status_code}")
            return await _read_capped(response, url), _max_age(response)
    except httpx.TimeoutException:
        raise bad_info(f"x5u {url!r} timed out after {policy.timeout:g} s") from None
    except (httpx.HTTPError, httpx.InvalidURL, ssl.SSLError, OSError, ValueError) as exc:
        raise bad_info(f"x5u {url!r} could not be fetched ({exc or type(exc).__name__})") from None


@dataclass
class _Entry:
    expires: datetime
    bundle: CertificateBundle | None = None
    failure: ShakenFailure | None = None


@dataclass
class CertificateFetcher:
    """Fetches and caches :class:`CertificateBundle` s per x5u URL."""

    policy: FetchPolicy = field(default_factory=FetchPolicy)
    ssl_context: ssl.SSLContext | None = None
    cache_seconds: float = 3600.0
    negative_seconds: float = 60.0
    clock: Clock = field(default_factory=SystemClock)
    max_entries: int = 10_000
    fetches: int = field(default=0, init=False)  # network fetches made (tests, metrics)
    _cache: OrderedDict[str, _Entry] = field(default_factory=OrderedDict, init=False, repr=False)
    _inflight: dict[str, asyncio.Future[CertificateBundle]] = field(
        default_factory=dict, init=False, repr=False
    )

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> CertificateFetcher:
        ca_file = settings.shaken_x5u_tls_ca
        return cls(
            policy=FetchPolicy.from_settings(settings),
            ssl_context=ssl.create_default_context(cafile=ca_file) if ca_file else None,
            cache_seconds=settings.shaken_cache_seconds,
            negative_seconds=settings.shaken_negative_cache_seconds,
            clock=clock or SystemClock(),
        )

    def cached(self, url: str) -> CertificateBundle | None:
        """The cached certificate for ``url`` (a cached failure raises it); None: not cached."""
        entry = self._cache.get(url)
        if entry is None or entry.expires <= self.clock.now():
            return None
        self._cache.move_to_end(url)
        if entry.failure is not None:
            raise entry.failure
        return entry.bundle

    async def get(self, url: str) -> CertificateBundle:
        """The certificate bundle at ``url``, from the cache or fetched; else 436/437."""
        bundle = self.cached(url)
        if bundle is not None:
            return bundle
        pending = self._inflight.get(url)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[CertificateBundle] = asyncio.get_running_loop().create_future()
        self._inflight[url] = future
        try:
            bundle = await self._fetch(url)
            future.set_result(bundle)
            return bundle
        except ShakenFailure as failure:
            future.set_exception(failure)
            future.exception()  # retrieved here, so an unawaited future does not warn
            raise
        finally:
            del self._inflight[url]

    async def _fetch(self, url: str) -> CertificateBundle:
        self.fetches += 1
        now = self.clock.now()
        try:
            body, max_age = await download(url, self.policy, self.ssl_context)
            bundle = load_bundle(body)
        except ShakenFailure as failure:
            self._store(url, _Entry(now + timedelta(seconds=self.negative_seconds), None, failure))
            raise
        seconds = min(self.cache_seconds, max_age if max_age is not None else self.cache_seconds)
        expires = min(now + timedelta(seconds=seconds), bundle.leaf.not_valid_after_utc)
        self._store(url, _Entry(expires, bundle))
        return bundle

    def _store(self, url: str, entry: _Entry) -> None:
        self._cache[url] = entry
        self._cache.move_to_end(url)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)

    def put(self, url: str, bundle: CertificateBundle) -> None:
        """Cache a certificate known out of band (``--cert``, a lab's own signer)."""
        expires = min(
            self.clock.now() + timedelta(seconds=self.cache_seconds),
            bundle.leaf.not_valid_after_utc,
        )
        self._store(url, _Entry(expires, bundle))
