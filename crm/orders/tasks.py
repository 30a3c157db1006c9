"""Celery tasks of crm.orders: thin adapters over the services, safe to run twice."""

from celery import shared_task

from crm.orders.services import contract_renewal_reminders_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3, acks_late=True)
def send_contract_renewal_reminders() -> dict[str, int]:
    """Daily, per tenant (the tenant travels with the task): remind owners of contracts
    that renew within the tenant's lead days. Each contract is reminded once."""
    return {"reminded": contract_renewal_reminders_send().reminded}
