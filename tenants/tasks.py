"""Celery tasks of the public schema: thin adapters around tenants.provisioning."""

from celery import shared_task
from django.db import connection

from tenants.provisioning import services, warm_pool
from tenants.seats import seats_record


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def provision_tenant(self, job_id: int) -> str:
    job = services.tenant_build(job_id=job_id)
    return job.state


@shared_task(acks_late=True)
def refill_warm_pool() -> int:
    return warm_pool.refill()


@shared_task(acks_late=True)
def record_seat_usage() -> dict[str, object]:
    """Count active staff in the schema the task was sent from and record it on the tenant."""
    seats = seats_record()
    return {"schema": connection.schema_name, "seats_used": seats}
