"""Billing's Celery tasks: thin adapters (ids in, a service call, retries with backoff).
All run in the public schema (sent from it by the webhook view or by beat)."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from billing.models import StripeEvent
from billing.services import schedules
from billing.services.notices import admins_notify_now
from billing.services.subscriptions import account_sync
from billing.services.webhooks import stripe_event_process
from billing.stripe_client import StripeUnavailableError
from tenants.models import Tenant

STRIPE_RETRY = {
    "autoretry_for": (StripeUnavailableError,),
    "retry_backoff": 30,  # 30 s, 60 s, 120 s... capped below
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(acks_late=True, **STRIPE_RETRY)
def process_stripe_event(event_pk: int) -> str:
    event = stripe_event_process(event_pk=event_pk)
    return event.outcome or event.error


@shared_task(acks_late=True, **STRIPE_RETRY)
def sync_tenant_subscription(tenant_id: int) -> str:
    return account_sync(tenant=Tenant.objects.get(pk=tenant_id), reason="background sync")


@shared_task(acks_late=True)
def retry_unprocessed_events() -> int:
    """Queue events stored but never processed (broker was down, retries ran out)."""
    stale = StripeEvent.objects.filter(
        processed_at__isnull=True, received_at__lt=timezone.now() - timedelta(minutes=10)
    ).values_list("pk", flat=True)[:500]
    for event_pk in stale:
        process_stripe_event.delay(event_pk)
    return len(stale)


@shared_task(acks_late=True)
def billing_daily() -> dict[str, int]:
    """Trial reminders, expired trials -> read_only, ended grace periods -> read_only."""
    return {
        "trial_reminders": schedules.trial_reminders_send(),
        "trials_expired": schedules.trials_expire(),
        "grace_ended": schedules.grace_periods_enforce(),
    }


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def notify_billing_admins(tenant_id: int, verb: str, subject: str, message: str) -> int:
    return admins_notify_now(tenant_id=tenant_id, verb=verb, subject=subject, message=message)
