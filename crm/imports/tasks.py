"""Celery task of crm.imports: a thin adapter over the engine (the tenant travels with the
task: it is sent from inside the tenant's schema)."""

from celery import shared_task
from django.db import OperationalError

from crm.imports import engine


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3,
             acks_late=True)
def run_import(job_id: int) -> str:
    job = engine.run_import(job_id=job_id)
    return job.status if job is not None else "missing"
