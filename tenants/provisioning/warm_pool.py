"""A small pool of pre-cloned spare schemas, so a sign-up only renames one.

Spares are real Tenant rows (kind SPARE, no domain), so ``migrate_schemas`` keeps them as
current as the template. Claiming renames the spare's schema to the new tenant's and deletes
the spare's row in one transaction; ``SKIP LOCKED`` lets concurrent sign-ups take different
spares.
"""

import logging
import uuid

from django.conf import settings
from django.db import connection, models, transaction
from django_tenants.utils import schema_exists

from tenants.models import StatusCause, Tenant, TenantKind, TenantStatus
from tenants.status import tenant_status_transition

logger = logging.getLogger(__name__)


def claim_spare_into(schema_name: str) -> bool:
    """Rename a ready spare schema to ``schema_name``; False when the pool is empty."""
    if not settings.TENANT_WARM_POOL_SIZE:
        return False
    connection.set_schema_to_public()
    with transaction.atomic():
        spare = (
            Tenant.objects.select_for_update(skip_locked=True)
            .filter(kind=TenantKind.SPARE, status=TenantStatus.TRIAL)
            .order_by("created_at")
            .first()
        )
        if spare is None or not schema_exists(spare.schema_name):
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                f'ALTER SCHEMA "{spare.schema_name}" RENAME TO "{schema_name}"'
            )
        # The schema now belongs to the new tenant: delete the row without dropping it.
        Tenant.objects.filter(pk=spare.pk).delete()
    return True


def spare_count() -> int:
    return Tenant.objects.filter(kind=TenantKind.SPARE, status=TenantStatus.TRIAL).count()


def refill(target: int | None = None) -> int:
    """Clone spares until the pool holds ``target`` (default TENANT_WARM_POOL_SIZE)."""
    connection.set_schema_to_public()
    target = settings.TENANT_WARM_POOL_SIZE if target is None else target
    created = 0
    while spare_count() < target:
        token = uuid.uuid4().hex[:12]
        spare = Tenant.objects.create(
            schema_name=f"spare_{token}",
            slug=f"spare-{token}",
            name="Warm spare",
            kind=TenantKind.SPARE,
            status=TenantStatus.PROVISIONING,
        )
        try:
            spare.create_schema(check_if_exists=True, verbosity=0)
        except Exception:
            connection.set_schema_to_public()
            spare.delete(force_drop=True)
            raise
        connection.set_schema_to_public()
        # "trial" means "ready" for a spare.
        tenant_status_transition(tenant=spare, to=TenantStatus.TRIAL,
                                 cause=StatusCause.PROVISIONING, reason="warm spare cloned")
        created += 1
    return created


def request_refill() -> None:
    from tenants.tasks import refill_warm_pool

    try:
        refill_warm_pool.delay()
    except Exception:
        logger.warning("Could not queue a warm pool refill; beat will refill it later")


def warm_pool_state() -> dict[str, int]:
    """Spares ready, spares being cloned, and the size the pool is kept at."""
    counts = dict(
        Tenant.objects.filter(kind=TenantKind.SPARE).values_list("status")
        .annotate(count=models.Count("pk")).values_list("status", "count")
    )
    return {
        "ready": counts.get(TenantStatus.TRIAL, 0),
        "building": counts.get(TenantStatus.PROVISIONING, 0),
        "target": int(settings.TENANT_WARM_POOL_SIZE),
    }
