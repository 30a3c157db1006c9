"""Celery tasks of crm.activities: thin adapters over the services, safe to run twice."""

from celery import shared_task

from crm.activities.services import send_due_reminders


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3, acks_late=True)
def send_activity_reminders() -> int:
    """Beat (every few minutes, per tenant): remind owners of activities whose reminder time
    has come. Each reminder goes out once (``reminded_at``)."""
    return send_due_reminders()
