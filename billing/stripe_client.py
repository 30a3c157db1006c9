"""The one place that talks to Stripe: configuration (key, API base, timeout, retries),
error translation, and plain-dict results.

Every call goes through ``call``: connection refused, timeouts, rate limits and 5xx answers
become ``StripeUnavailableError`` (a message an admin can read; callers change no local state and
background work retries), other Stripe errors become ``StripeRequestError``. Results are
converted to plain dicts at this boundary, so the rest of billing never depends on the
library's object model (and works with both Stripe's current API shape and localstripe's
older one).
"""

import logging
from collections.abc import Callable
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from billing import conf

logger = logging.getLogger(__name__)


class StripeError(Exception):
    """A Stripe call failed; ``str(exc)`` is safe to show to a tenant admin."""


class StripeUnavailableError(StripeError):
    """Stripe could not be reached or answered with a server error: try again later."""


class StripeRequestError(StripeError):
    """Stripe refused the request (bad parameters, missing object, authentication)."""

    def __init__(self, message: str, *, http_status: int | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code


class StripeNotConfiguredError(StripeError):
    pass


def configure_stripe_module() -> None:
    """Mirror the settings on the ``stripe`` module for any code that uses the global API
    (the webhook signature check needs no network, but keep one source of truth)."""
    stripe.api_key = settings.STRIPE_SECRET_KEY or None
    stripe.api_base = settings.STRIPE_API_BASE or stripe.DEFAULT_API_BASE
    stripe.max_network_retries = conf.stripe_max_network_retries()


def client() -> stripe.StripeClient:
    """A client built from the current settings (tests and environments may change them)."""
    if not settings.STRIPE_SECRET_KEY:
        raise StripeNotConfiguredError(_("Payments are not configured on this platform yet."))
    base = (settings.STRIPE_API_BASE or stripe.DEFAULT_API_BASE).rstrip("/")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base},
        max_network_retries=conf.stripe_max_network_retries(),
        http_client=stripe.RequestsClient(timeout=conf.stripe_timeout()),
    )


def call(operation: Callable[[stripe.StripeClient], Any], *, what: str) -> Any:
    """Run ``operation(client)``, translate failures, return plain data (dicts and lists)."""
    try:
        result = operation(client())
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        logger.warning("Stripe unreachable during %s: %s", what, exc)
        raise StripeUnavailableError(
            _("The payment provider cannot be reached right now. Nothing was changed; "
              "please try again in a few minutes.")
        ) from exc
    except stripe.StripeError as exc:
        status = getattr(exc, "http_status", None)
        if status is None or status >= 500:
            logger.warning("Stripe server error during %s: %s", what, exc)
            raise StripeUnavailableError(
                _("The payment provider is having problems right now. Nothing was changed; "
                  "please try again in a few minutes.")
            ) from exc
        logger.warning("Stripe refused %s (%s): %s", what, status, exc)
        raise StripeRequestError(
            _("The payment provider refused the request: %(error)s")
            % {"error": getattr(exc, "user_message", None) or str(exc)},
            http_status=status, code=getattr(exc, "code", None),
        ) from exc
    return plain(result)


def plain(value: Any) -> Any:
    """Stripe objects (and lists of them) as plain Python data."""
    if isinstance(value, stripe.StripeObject):
        return value.to_dict()
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def is_missing(exc: StripeRequestError) -> bool:
    return exc.http_status == 404 or exc.code == "resource_missing"
