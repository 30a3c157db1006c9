"""Celery tasks of crm.receivables: thin adapters over the services, safe to run twice."""

from celery import shared_task

from crm.receivables.services import receivable_reminders_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3, acks_late=True)
def send_receivable_reminders() -> dict[str, int]:
    """Beat (hourly, per tenant: the tenant travels with the task): remind owners and
    finance of instalments coming due and overdue. Each reminder goes out once."""
    result = receivable_reminders_send()
    return {"before": result.before, "after": result.after}
