"""Billing settings with their defaults, read in one place (override any in settings)."""

from django.conf import settings


def grace_days() -> int:
    """Days a past-due tenant keeps full access before it becomes read-only."""
    return int(getattr(settings, "BILLING_GRACE_DAYS", 7))


def trial_reminder_days() -> tuple[int, ...]:
    """Days before the trial ends at which the tenant's admins get a reminder."""
    return tuple(getattr(settings, "BILLING_TRIAL_REMINDER_DAYS", (7, 3, 1)))


def stripe_timeout() -> float:
    """Seconds per Stripe HTTP call (a page that lists invoices must not hang on Stripe)."""
    return float(getattr(settings, "STRIPE_TIMEOUT", 10))


def stripe_max_network_retries() -> int:
    """Retries inside one Stripe call (the library backs off and sends idempotency keys)."""
    return int(getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", 2))
