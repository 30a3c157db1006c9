"""Spam defences of the inquiry form: a signed start time (minimum time to submit) and
fixed-window counters per network address and per e-mail address.

The counters live in the default cache (keys prefixed with the tenant's schema, so tenants
never share a counter). When the cache cannot be reached they fail open: an inquiry is worth
more than a missed rate limit, and the honeypot and minimum time still apply."""

import hashlib
import logging
import time

from django.core import signing
from django.core.cache import cache

logger = logging.getLogger(__name__)

_SALT = "portal.inquiries.started"
MAX_FORM_AGE_SECONDS = 24 * 3600
WINDOW_SECONDS = 3600


def started_token(now: float | None = None) -> str:
    """A signed "the form was shown at" stamp for the form's hidden field."""
    return signing.Signer(salt=_SALT).sign(str(int(now if now is not None else time.time())))


def seconds_since(token: str, now: float | None = None) -> float | None:
    """Seconds since the form with ``token`` was shown; None for a forged/garbled token."""
    try:
        started = int(signing.Signer(salt=_SALT).unsign(token or ""))
    except (signing.BadSignature, ValueError):
        return None
    return (now if now is not None else time.time()) - started


def _key(kind: str, value: str, now: float) -> str:
    window = int(now // WINDOW_SECONDS)
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"inquiry-rate:{kind}:{window}:{digest}"


def _count(keys: list[str]) -> list[int] | None:
    """Count one hit on each key; the counts, or None when the cache cannot be reached.

    On django-redis: one round trip for every counter (a pipeline of INCR and EXPIRE NX per
    key, the key made by the cache's own key function, so schema-prefixed). Elsewhere (a
    test's local-memory cache): the portable add + incr."""
    try:
        client = getattr(cache, "client", None)
        get_client = getattr(client, "get_client", None)
        raw = get_client(write=True) if get_client is not None else None
        if raw is not None:
            pipe = raw.pipeline(transaction=False)
            for key in keys:
                full_key = cache.make_key(key)
                pipe.incr(full_key)
                pipe.expire(full_key, WINDOW_SECONDS + 60, nx=True)
            return [int(count) for count in pipe.execute()[::2]]
        counts = []
        for key in keys:
            cache.add(key, 0, WINDOW_SECONDS + 60)
            count = cache.incr(key)
            if count is None:  # django-redis with IGNORE_EXCEPTIONS: Redis is down
                return None
            counts.append(int(count))
        return counts
    except Exception:  # Redis down, refused, timed out: fail open (see the module docstring)
        return None


def rate_limited(*, client_ip: str | None, email: str, per_address: int, per_email: int,
                 now: float | None = None) -> bool:
    """Count this submission; True when its address or e-mail is over the hourly limit."""
    moment = now if now is not None else time.time()
    limits: list[tuple[str, int]] = []
    if client_ip:
        limits.append((_key("ip", client_ip, moment), per_address))
    if email:
        limits.append((_key("email", email.strip().lower(), moment), per_email))
    if not limits:
        return False
    counts = _count([key for key, _limit in limits])
    if counts is None:
        logger.warning("Inquiry rate limit skipped: cache unreachable")
        return False
    return any(count > limit for count, (_counter, limit) in zip(counts, limits, strict=True))
