"""Celery tasks of crm.webhooks: thin adapters over the services, safe to run twice."""

from celery import shared_task

from crm.webhooks.selectors import deliveries_due
from crm.webhooks.services import delivery_attempt, queue_deliveries_now


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt of one delivery (the retry schedule is the row's, not Celery's: a failed
    attempt sets ``next_attempt_at`` and beat sends the row again then)."""
    delivery = delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "skipped"


@shared_task(acks_late=True, ignore_result=True)
def deliver_due_webhooks() -> int:
    """Beat (every minute, per tenant): queue every delivery whose attempt is due, including
    rows whose first queueing failed because the broker was down."""
    due = deliveries_due()
    queue_deliveries_now(due)
    return len(due)
