"""The one HTTP call of a delivery, with the SSRF guard.

The target's name is resolved once, at delivery time; every address it resolves to must be
public (unless ``WEBHOOKS_ALLOW_PRIVATE_TARGETS``), and the request then connects to that
very address, with the original name in the Host header and, for https, as SNI and for the
certificate check. A name that resolves to a public address when checked and to 127.0.0.1
when connected (DNS rebinding) therefore cannot reach the inside: there is no second lookup.

No redirects are followed (a 3xx is a failed attempt), proxies from the environment are
ignored (they would bypass the pinning), timeouts are short and at most a few KB of the
answer are read."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

MAX_RESPONSE_BYTES = 4096
DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefusedError(Exception):
    """The URL may not be called (scheme, or an address that is not public)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: ipaddress.IPv4Address | ipaddress.IPv6Address

    @property
    def pinned_url(self) -> str:
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{literal}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == DEFAULT_PORTS[self.scheme] else f"{name}:{self.port}"


@dataclass(frozen=True)
class AttemptResult:
    status: int | None
    body: str
    duration_ms: int
    error: str

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _private_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False))


NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def _plainly_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if (address.is_reserved or address.is_multicast or address.is_unspecified
            or address.is_private or address.is_loopback or address.is_link_local):
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return False
    return address.is_global


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (NAT64, 6to4, Teredo, IPv4-compatible):
    each of them is where the packet may end up."""
    embedded: list[ipaddress.IPv4Address] = []
    if address in NAT64_PREFIX or address in IPV4_COMPATIBLE:
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        embedded.append(address.sixtofour)
    if address.teredo is not None:
        embedded.append(address.teredo[1])
    return embedded


def address_is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local, site-local, shared, reserved, unspecified and multicast
    addresses are not, nor IPv6 addresses carrying such an IPv4 address (NAT64, 6to4, Teredo,
    IPv4-compatible); an IPv4-mapped address is judged as the IPv4 address it is."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return _plainly_public(address.ipv4_mapped)
        if not all(_plainly_public(inner) for inner in _embedded_ipv4(address)):
            return False
    return _plainly_public(address)


def url_check(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an http(s) URL; TargetRefusedError otherwise."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError as exc:  # "http://[::1" and friends
        raise TargetRefusedError("The URL is not valid.") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not hostname:
        raise TargetRefusedError("Only http and https URLs with a host can receive webhooks.")
    if parts.username or parts.password:
        raise TargetRefusedError("Put no user name or password in the URL.")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise TargetRefusedError("The port is not valid.") from exc
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, hostname, port, path


def resolve_target(url: str) -> Target:
    """Resolve the URL's host once and pick the address to connect to."""
    scheme, host, port, path = url_check(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefusedError(f"The host name {host} does not resolve.") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise TargetRefusedError(f"The host name {host} does not resolve.")
    if not _private_allowed():
        refused = [str(address) for address in addresses if not address_is_public(address)]
        if refused:
            raise TargetRefusedError(
                f"{host} resolves to an address that is not public ({', '.join(refused)}).")
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


class _PinnedHostAdapter(HTTPAdapter):
    """Connects to the pinned address while TLS uses the original name (SNI, certificate)."""

    def __init__(self, server_hostname: str) -> None:
        self._server_hostname = server_hostname
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request: Any, verify: Any,
                                             cert: Any = None) -> tuple[dict, dict]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert)
        if host_params.get("scheme") == "https":
            pool_kwargs["server_hostname"] = self._server_hostname
            pool_kwargs["assert_hostname"] = self._server_hostname
        return host_params, pool_kwargs


def post(*, url: str, body: bytes, headers: dict[str, str]) -> AttemptResult:
    """POST ``body`` to ``url``; never raises for network trouble (it is the result)."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = resolve_target(url)
    except TargetRefusedError as exc:
        return AttemptResult(status=None, body="", duration_ms=elapsed(), error=str(exc))
    session = requests.Session()
    session.trust_env = False  # no proxies from the environment: they would skip the pinning
    session.mount("http://", HTTPAdapter(max_retries=0))
    session.mount("https://", _PinnedHostAdapter(target.host))
    timeout = (float(getattr(settings, "WEBHOOKS_CONNECT_TIMEOUT", 3)),
               float(getattr(settings, "WEBHOOKS_READ_TIMEOUT", 10)))
    try:
        with session:
            response = session.post(
                target.pinned_url, data=body, timeout=timeout, allow_redirects=False,
                stream=True, headers={**headers, "Host": target.host_header},
            )
            with response:
                raw = response.raw.read(MAX_RESPONSE_BYTES, decode_content=True) or b""
                text = raw.decode(response.encoding or "utf-8", errors="replace")
                error = ""
                if 300 <= response.status_code < 400:
                    error = "Redirects are not followed."
                return AttemptResult(status=response.status_code, body=text,
                                     duration_ms=elapsed(), error=error)
    except requests.RequestException as exc:
        return AttemptResult(status=None, body="", duration_ms=elapsed(),
                             error=f"{type(exc).__name__}: {exc}"[:300])
