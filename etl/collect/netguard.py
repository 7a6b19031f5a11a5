"""Which addresses the collector may fetch: the one owner of that rule.

A SOURCES.csv (uploaded by anyone on the dashboard) and every site the collector walks choose where the
server sends requests: a seed URL, a pagination link, an attachment, robots.txt, every redirect hop. Left
alone, that lets a stranger make the server fetch its own internal pages (server-side request forgery):
an admin page on loopback, a router on 192.168.x, the cloud metadata service at 169.254.169.254. So only
public addresses are fetched: loopback, private (RFC 1918, CGNAT 100.64/10, ULA fc00::/7 and the other
non-global ranges), link-local (169.254/16, fe80::/10), unspecified, multicast and reserved addresses are
refused, unless the operator allows a network explicitly (`etl collect --allow-network 10.1.0.0/16`, or
the DISCLOSURE_COLLECT_ALLOW_NETWORKS setting for the dashboard's background runs).

The check is made on the address a name resolves to, twice:
- GuardMiddleware, the first downloader middleware, resolves each request's host (through the resolver
  below) before robots.txt, the cache or the download see it, and refuses it with a coded reason
  (Blocked) that the spider records. Redirects re-enter the middleware chain as new requests, so every
  hop is checked.
- GuardedResolver is the reactor's resolver: the download itself connects only to an address that passed
  the check at connection time, so a name that resolves to a public address for the first lookup and to
  127.0.0.1 for the second (DNS rebinding) still reaches nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlparse
from urllib.request import getproxies

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

from etl import settings

ALLOW_ENV = settings.setting("collect_allow_networks").env  # comma- or space-separated, e.g. "10.1.0.0/16"
SETTING = "COLLECT_ALLOW_NETWORKS"  # the Scrapy setting the middleware and resolver read (a list)
SCHEMES = ("http", "https")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

# host -> (code, address) refused by the resolver during this run, for the spider's errback: a refusal at
# connection time reaches it as a plain DNS lookup failure
_refused_hosts: dict[str, tuple[str, str]] = {}


class Blocked(IgnoreRequest):
    """A request refused before anything was sent: `code` is a reason code (etl.reasons)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail


class RefusedAddress(DNSLookupError):
    """The resolver's refusal (a DNSLookupError, so Twisted ends the connection attempt quietly)."""

    def __init__(self, code: str, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to {address}: {code}")
        self.code, self.host, self.address = code, host, address


def parse_networks(items: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Networks from CIDR strings ("127.0.0.0/8", "10.0.0.5"); ValueError names a bad one."""
    out = []
    for item in items:
        for part in item.replace(",", " ").split():
            try:
                out.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"{part!r} is not a network (expected e.g. 10.1.0.0/16 or 127.0.0.1)") from None
    return out


def allowed_from_env() -> list[str]:
    return [str(n) for n in parse_networks([settings.raw("collect_allow_networks")])]


def category(ip: IPAddress) -> str | None:
    """The reason code an address is refused for, or None for a public address."""
    if ip.version == 6:
        inner = ip.ipv4_mapped or ip.sixtofour or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if inner is not None:
            return category(inner)
    if ip.is_loopback:
        return "address_loopback"
    if ip.is_link_local:  # 169.254.0.0/16 (the cloud metadata service) and fe80::/10
        return "address_link_local"
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return "address_reserved"
    if ip.is_private or not ip.is_global:  # RFC 1918, 100.64/10, fc00::/7, documentation, benchmarking …
        return "address_private"
    return None


class Policy:
    def __init__(self, allow: Iterable[str] = ()) -> None:
        self.allow = parse_networks(allow)

    @classmethod
    def from_settings(cls, settings) -> Policy:
        return cls(settings.getlist(SETTING))

    def refuse(self, address: str | IPAddress) -> str | None:
        """The reason code for refusing `address`, or None when it may be fetched."""
        ip = ipaddress.ip_address(address)
        if any(ip.version == n.version and ip in n for n in self.allow):
            return None
        return category(ip)


def refused_host(host: str | None) -> tuple[str, str] | None:
    """(code, address) when the resolver refused `host` in this run."""
    return _refused_hosts.get(host or "")


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver with the address check: installed as TWISTED_DNS_RESOLVER."""

    policy: Policy = Policy()
    proxies: frozenset[str] = frozenset()

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.policy = Policy.from_settings(crawler.settings)
        if crawler.settings.getbool("HTTPPROXY_ENABLED"):
            # The operator's proxy (http_proxy/https_proxy) is connected to as set: the sites behind it are
            # checked by GuardMiddleware, which never exempts a proxy's address as a target.
            resolver.proxies = frozenset(urlparse(u).hostname or "" for u in getproxies().values()) - {""}
        return resolver

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 (Twisted's interface)
        return super().getHostByName(name, timeout).addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        if name in self.proxies:
            return address
        code = self.policy.refuse(address)
        if code:
            _refused_hosts[name] = (code, address)
            raise RefusedAddress(code, name, address)
        return address


class GuardMiddleware:
    """Downloader middleware: refuse a request whose scheme is not http(s) or whose host resolves to a
    refused address, before anything is sent (robots.txt included)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler) -> GuardMiddleware:
        return cls(Policy.from_settings(crawler.settings))

    async def process_request(self, request, spider=None):
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor

        url = urlparse(request.url)
        host = url.hostname
        if url.scheme not in SCHEMES or not host:
            raise Blocked("address_scheme", request.url[:200])
        try:
            address: str | IPAddress = ipaddress.ip_address(host)
        except ValueError:
            try:
                address = await maybe_deferred_to_future(reactor.resolve(host))
            except RefusedAddress as e:
                raise Blocked(e.code, f"{host} {e.address}") from None
            except DNSLookupError:
                return None  # the download fails with its own lookup error (fetch_failed)
        code = self.policy.refuse(address)
        if code:
            raise Blocked(code, host if str(address) == host else f"{host} {address}")
        return None
