"""The one sign-in throttle: every way to sign in (or to ask for a password reset) goes
through it.

Who uses it today
- staff login ``/accounts/login/``, Wagtail ``/cms/login/``, Django admin ``/admin/login/``
  and the operator login ``/operator/login/`` (public host): views built with
  ``LoginThrottleMixin``;
- ``POST /api/v1/auth/token/``: calls ``throttle_check`` and answers
  ``429 {"detail", "code": "throttled"}`` with ``Retry-After``;
- password reset requests ``/accounts/password-reset/`` and ``/cms/password_reset/``:
  ``PasswordResetThrottleMixin`` (every request counts, scope ``password_reset``).

Adding a sign-in page (the portal login, for example) is one line::

    class PortalLoginView(LoginThrottleMixin, auth_views.LoginView): ...

Any other path that signs people in calls ``throttle_check(request, login_name)`` before it
checks the password and answers 429 when ``decision.blocked``. Failures are recorded from
Django's ``user_login_failed`` signal, which ``django.contrib.auth.authenticate()`` sends on
every path (so do not record them twice); a successful ``login()`` (``user_logged_in``)
clears the name's counter. Call ``throttle_record_failure`` yourself only for attempts that
do not go through ``authenticate()``.

Counting
- Two fixed-window counters per scope: one per normalised login name (case-folded, trimmed;
  hashed in the key) and one per client address (``tenants.security.client_ip``). Login:
  10 failures per name and 100 per address in 15 minutes; password reset: 5 requests per
  name and 100 per address. A locked name does not lock the other names of an office
  behind one NAT; only the generous address limit does. Override with the setting
  ``AUTH_THROTTLE_LIMITS = {"login": {"per_name": .., "per_address": .., "window": ..}}``.
- Keys live in the ``throttle`` cache (Redis), whose key function prefixes every key with
  the current schema (``django_tenants.cache.make_key``): a name locked on one tenant's
  host is free on every other tenant's and on the public host.

When Redis is unreachable (decision recorded in docs/DECISIONS.md)
- Sign-in keeps working. The throttle logs a warning and counts in a small per-process
  in-memory store instead (same limits, keys still prefixed with the schema), and leaves
  Redis alone for 30 seconds before trying again, so a dead Redis costs one failed
  connection per process per 30 s, not one per request. Each worker process then
  enforces the limits on its own: weaker (an attacker spread over N processes gets N
  times the budget) but never open, and no one is locked out by the outage itself.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection
from django.dispatch import receiver
from django.forms import Form
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from tenants.security.client_ip import client_ip

logger = logging.getLogger(__name__)

SCOPE_LOGIN = "login"
SCOPE_PASSWORD_RESET = "password_reset"

THROTTLED_MESSAGES = {
    SCOPE_LOGIN: _("Too many sign-in attempts. Please wait a few minutes."),
    SCOPE_PASSWORD_RESET: _("Too many password reset requests. Please wait a few minutes."),
}

CACHE_ALIAS = "throttle"
REDIS_RETRY_SECONDS = 30
MEMORY_MAX_KEYS = 10_000


@dataclass(frozen=True)
class ThrottleLimit:
    per_name: int
    per_address: int
    window: int  # seconds


DEFAULT_LIMITS = {
    SCOPE_LOGIN: ThrottleLimit(per_name=10, per_address=100, window=15 * 60),
    SCOPE_PASSWORD_RESET: ThrottleLimit(per_name=5, per_address=100, window=15 * 60),
}


@dataclass(frozen=True)
class ThrottleDecision:
    blocked: bool
    retry_after: int = 0  # seconds until the counter that blocks expires
    reason: str = ""  # "name" or "address" when blocked
    scope: str = SCOPE_LOGIN

    @property
    def message(self) -> str:
        return str(THROTTLED_MESSAGES.get(self.scope, THROTTLED_MESSAGES[SCOPE_LOGIN]))


def limit_for(scope: str) -> ThrottleLimit:
    default = DEFAULT_LIMITS.get(scope, DEFAULT_LIMITS[SCOPE_LOGIN])
    override = getattr(settings, "AUTH_THROTTLE_LIMITS", {}).get(scope, {})
    return ThrottleLimit(
        per_name=int(override.get("per_name", default.per_name)),
        per_address=int(override.get("per_address", default.per_address)),
        window=int(override.get("window", default.window)),
    )


def normalise_login_name(login_name: object) -> str:
    """The form of a login name the throttle counts: trimmed and case-folded."""
    return str(login_name or "").strip().casefold()


# ---------------------------------------------------------------------------------------
# Storage: the tenant-prefixed Redis cache, or per-process counters while Redis is down.
# ---------------------------------------------------------------------------------------
class _MemoryCounters:
    """Fixed-window counters in this process (used only while Redis is unreachable)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, float]] = {}

    def _scoped(self, key: str) -> str:
        # The Redis path gets the schema from the cache's key function; do the same here.
        return f"{getattr(connection, 'schema_name', 'public')}:{key}"

    def _live(self, key: str, now: float) -> tuple[int, float] | None:
        entry = self._entries.get(key)
        if entry is None or entry[1] <= now:
            self._entries.pop(key, None)
            return None
        return entry

    def get_many(self, keys: Iterable[str]) -> dict[str, int]:
        now = time.monotonic()
        with self._lock:
            found = {}
            for key in keys:
                entry = self._live(self._scoped(key), now)
                if entry is not None:
                    found[key] = entry[0]
            return found

    def hit(self, key: str, window: int) -> None:
        now = time.monotonic()
        scoped = self._scoped(key)
        with self._lock:
            entry = self._live(scoped, now)
            if entry is None:
                if len(self._entries) >= MEMORY_MAX_KEYS:
                    self._evict(now)
                self._entries[scoped] = (1, now + window)
            else:
                self._entries[scoped] = (entry[0] + 1, entry[1])

    def _evict(self, now: float) -> None:
        for key in [k for k, (_count, until) in self._entries.items() if until <= now]:
            del self._entries[key]
        while len(self._entries) >= MEMORY_MAX_KEYS:
            oldest = min(self._entries, key=lambda k: self._entries[k][1])
            del self._entries[oldest]

    def ttl(self, key: str) -> int | None:
        now = time.monotonic()
        with self._lock:
            entry = self._live(self._scoped(key), now)
            return None if entry is None else max(1, int(entry[1] - now))

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(self._scoped(key), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class _RedisCounters:
    def __init__(self) -> None:
        self.down_until = 0.0

    @property
    def cache(self) -> Any:
        alias = CACHE_ALIAS if CACHE_ALIAS in settings.CACHES else "default"
        return caches[alias]

    def get_many(self, keys: Iterable[str]) -> dict[str, int]:
        return {key: int(value) for key, value in self.cache.get_many(list(keys)).items()}

    def hit(self, key: str, window: int) -> None:
        cache = self.cache
        # add() starts the window (sets the expiry) only for the first hit; incr keeps it.
        if not cache.add(key, 1, timeout=window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=window)

    def ttl(self, key: str) -> int | None:
        ttl = getattr(self.cache, "ttl", None)
        if ttl is None:
            return None
        remaining = ttl(key)
        return int(remaining) if remaining and remaining > 0 else None

    def delete(self, key: str) -> None:
        self.cache.delete(key)


_redis = _RedisCounters()
_memory = _MemoryCounters()


def _call(operation: str, *args: Any) -> Any:
    """Run a storage operation on Redis, or on the in-process counters while it is down."""
    if time.monotonic() >= _redis.down_until:
        try:
            return getattr(_redis, operation)(*args)
        except Exception as error:  # any client error: refused, timeout, protocol
            _redis.down_until = time.monotonic() + REDIS_RETRY_SECONDS
            logger.warning(
                "Sign-in throttle: cache unreachable (%s); counting in this process for "
                "the next %s s.", error.__class__.__name__, REDIS_RETRY_SECONDS,
            )
    return getattr(_memory, operation)(*args)


def _reset_degraded_state() -> None:
    """Forget a Redis outage and the in-process counters (tests; a deploy hook)."""
    _redis.down_until = 0.0
    _memory.clear()


def _keys(request: HttpRequest | None, login_name: object, scope: str) -> tuple[str | None,
                                                                            str | None]:
    name = normalise_login_name(login_name)
    name_key = None
    if name:
        digest = hashlib.sha256(name.encode()).hexdigest()[:40]
        name_key = f"auth-throttle:{scope}:name:{digest}"
    address = client_ip(request) if request is not None else ""
    address_key = f"auth-throttle:{scope}:addr:{address}" if address else None
    return name_key, address_key


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------
def throttle_check(
    request: HttpRequest | None, login_name: object, *, scope: str = SCOPE_LOGIN
) -> ThrottleDecision:
    """Whether this attempt must be refused (call before checking the password)."""
    limit = limit_for(scope)
    name_key, address_key = _keys(request, login_name, scope)
    keys = [key for key in (name_key, address_key) if key]
    counts = _call("get_many", keys) if keys else {}
    for key, allowed, reason in ((name_key, limit.per_name, "name"),
                                 (address_key, limit.per_address, "address")):
        if key and counts.get(key, 0) >= allowed:
            retry_after = _call("ttl", key) or limit.window
            return ThrottleDecision(blocked=True, retry_after=retry_after, reason=reason,
                                    scope=scope)
    return ThrottleDecision(blocked=False, scope=scope)


def throttle_record_failure(
    request: HttpRequest | None, login_name: object, *, scope: str = SCOPE_LOGIN
) -> None:
    """Count one failed attempt (for password reset: one request) against the name and
    the client address."""
    window = limit_for(scope).window
    for key in _keys(request, login_name, scope):
        if key:
            _call("hit", key, window)


def throttle_reset(
    request: HttpRequest | None, login_name: object, *, scope: str = SCOPE_LOGIN
) -> None:
    """Clear the name's counter (after a successful sign-in). The address counter stays:
    one success must not wipe out a guessing run against other names."""
    name_key, _address_key = _keys(request, login_name, scope)
    if name_key:
        _call("delete", name_key)


def mark_throttled(request: HttpRequest | None) -> None:
    """Flag the request so the refused attempt is not counted as one more failure."""
    if request is not None:
        request._auth_throttled = True  # type: ignore[attr-defined]


def throttled_response(response: HttpResponse, decision: ThrottleDecision) -> HttpResponse:
    """The page (or JSON) answer to a refused attempt: 429 with ``Retry-After``."""
    response.status_code = 429
    response["Retry-After"] = str(max(1, decision.retry_after))
    return response


def add_throttle_error(form: Form, decision: ThrottleDecision) -> None:
    """Show the throttle message as the form's only error, without validating the form
    (validating a login form would check the password)."""
    if form._errors is None:
        form._errors = ErrorDict()
        form.cleaned_data = {}
    form.add_error(None, ValidationError(decision.message, code="throttled"))


class LoginThrottleMixin:
    """For ``django.contrib.auth.views.LoginView`` and its subclasses: a throttled POST
    renders the view's own template with the message and status 429, before the password
    is checked. Failures and successes are counted through the auth signals."""

    throttle_scope = SCOPE_LOGIN

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()  # type: ignore[attr-defined]
        login_name = form.data.get(form.add_prefix("username"), "")
        decision = throttle_check(request, login_name, scope=self.throttle_scope)
        if decision.blocked:
            mark_throttled(request)
            add_throttle_error(form, decision)
            response = self.render_to_response(  # type: ignore[attr-defined]
                self.get_context_data(form=form))  # type: ignore[attr-defined]
            return throttled_response(response, decision)
        return super().post(request, *args, **kwargs)  # type: ignore[misc]


class PasswordResetThrottleMixin:
    """For ``PasswordResetView`` and its subclasses: every valid request counts against
    the e-mail and the address; past the limit the form answers 429 and sends nothing."""

    throttle_scope = SCOPE_PASSWORD_RESET

    def form_valid(self, form: Form) -> HttpResponse:
        email = form.cleaned_data.get("email", "")
        request = self.request  # type: ignore[attr-defined]
        decision = throttle_check(request, email, scope=self.throttle_scope)
        if decision.blocked:
            add_throttle_error(form, decision)
            response = self.render_to_response(  # type: ignore[attr-defined]
                self.get_context_data(form=form))  # type: ignore[attr-defined]
            return throttled_response(response, decision)
        throttle_record_failure(request, email, scope=self.throttle_scope)
        return super().form_valid(form)  # type: ignore[misc]


# ---------------------------------------------------------------------------------------
# Signals: every authenticate() failure counts, every login() clears the name.
# ---------------------------------------------------------------------------------------
@receiver(user_login_failed, dispatch_uid="tenants.security.throttle.failed")
def _count_failed_login(sender: Any, credentials: dict[str, Any],
                        request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and getattr(request, "_auth_throttled", False):
        return
    login_name = credentials.get("username") or credentials.get("email") or ""
    throttle_record_failure(request, login_name)


@receiver(user_logged_in, dispatch_uid="tenants.security.throttle.logged_in")
def _clear_after_login(sender: Any, request: HttpRequest | None, user: Any,
                       **kwargs: Any) -> None:
    from tenants.two_factor.services import two_factor_enabled

    if two_factor_enabled(user=user):
        # The password alone is half a sign-in: the code step (tenants.two_factor) clears
        # the name once the code is right, so failed codes keep counting across re-logins.
        return
    throttle_reset(request, user.get_username())
