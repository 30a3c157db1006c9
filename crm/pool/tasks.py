"""Celery tasks of crm.pool: thin adapters over the services, safe to run twice."""

from celery import shared_task

from crm.pool.services import reclaim_idle_accounts


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3, acks_late=True)
def reclaim_idle_pool_accounts() -> dict[str, int]:
    """Nightly, per tenant (the tenant travels with the task): apply the pool rules.
    Idempotent: a second run the same night reclaims and warns nothing more."""
    result = reclaim_idle_accounts()
    return {"reclaimed": result.reclaimed, "warned": result.warned}
