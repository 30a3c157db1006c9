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


def _hit(kind: str, value: str, limit: int, now: float) -> bool:
    """Count one hit for ``value``; True when it is over ``limit`` in the current window."""
    window = int(now // WINDOW_SECONDS)
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"inquiry-rate:{kind}:{window}:{digest}"
    try:
        cache.add(key, 0, WINDOW_SECONDS + 60)
        count = cache.incr(key)
    except Exception:  # cache down (django-redis raises when not ignoring errors)
        logger.warning("Inquiry rate limit skipped: cache unreachable")
        return False
    if count is None:  # django-redis with IGNORE_EXCEPTIONS answers None when Redis is down
        logger.warning("Inquiry rate limit skipped: cache unreachable")
        return False
    return int(count) > limit


def rate_limited(*, client_ip: str | None, email: str, per_address: int, per_email: int,
                 now: float | None = None) -> bool:
    """Count this submission; True when its address or e-mail is over the hourly limit."""
    moment = now if now is not None else time.time()
    over = False
    if client_ip:
        over = _hit("ip", client_ip, per_address, moment)
    if email:
        over = _hit("email", email.strip().lower(), per_email, moment) or over
    return over
