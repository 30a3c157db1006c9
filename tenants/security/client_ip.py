"""The client's address, from one setting.

``TRUSTED_PROXY_COUNT`` (default 0) says how many reverse proxies in front of the app each
append the address they saw to ``CLIENT_IP_HEADER`` (default ``HTTP_X_FORWARDED_FOR``).
With 0 the header is ignored: a client can write anything into ``X-Forwarded-For``, so it
is never trusted unless the deployment says proxies put it there. With N, the client is the
N-th entry from the right (the one the outermost trusted proxy saw), the same rule as DRF's
``NUM_PROXIES`` (which settings set from the same value).

Everything that needs the address (sign-in throttle, audit log) calls ``client_ip()``.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return ""


def client_ip(request: HttpRequest) -> str:
    """The client's IP address as a normalised string ("" when unknown)."""
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    header = getattr(settings, "CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR")
    entries = [part.strip() for part in str(request.META.get(header, "")).split(",")]
    entries = [part for part in entries if part]
    if not entries:
        return remote
    # Fewer entries than proxies: the request skipped a proxy; take the leftmost we have
    # (as DRF does) rather than an address a client could not have chosen.
    candidate = entries[-min(count, len(entries))]
    return _valid(candidate) or remote
