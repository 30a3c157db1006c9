"""Celery tasks of the SLA part of crm.service: thin adapters over the services, safe to run
twice. Registered on import from CrmServiceConfig.ready() (the worker's autodiscovery only
reads ``tasks`` modules). Beat sends each inside every live tenant's schema
(config/schedules.py)."""

from celery import shared_task

from crm.service.services.contracts import contract_renewal_reminders_send
from crm.service.services.escalation import sla_escalation_sweep


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3, acks_late=True,
             expires=120)
def sweep_sla_escalations() -> dict[str, int]:
    """Beat (every minute, per tenant): warnings before and escalations at SLA breaches."""
    result = sla_escalation_sweep()
    return {"checked": result.checked, "warnings": result.warnings,
            "escalations": result.escalations}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3, acks_late=True)
def send_contract_renewal_reminders() -> int:
    """Beat (daily, per tenant): remind account owners of contracts about to end, once."""
    return contract_renewal_reminders_send()
