"""Celery tasks of crm.dataexport: thin adapters over the services, safe to run twice.
The tenant travels with each task (sent inside its schema)."""

from celery import shared_task
from django.db import OperationalError, connection
from django_tenants.utils import tenant_context

from crm.dataexport import services


@shared_task(
    autoretry_for=(OperationalError, OSError), retry_backoff=True, max_retries=3,
    acks_late=True,
)
def build_tenant_export(export_id: int) -> str:
    """Build one export of the schema the task was sent from."""
    export = services.export_build(export_id=export_id)
    return export.status if export is not None else "missing"


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3, acks_late=True)
def purge_expired_exports() -> int:
    """Per tenant: delete export files past their retention."""
    return services.exports_purge_expired()


@shared_task(acks_late=True)
def purge_expired_exports_everywhere() -> int:
    """Beat, once (public): send the purge into every customer schema that exists, including
    suspended and archived workspaces, whose exports expire like everyone else's."""
    from tenants.models import Tenant, TenantKind, TenantStatus

    sent = 0
    tenants = Tenant.objects.filter(kind=TenantKind.CUSTOMER).exclude(
        status=TenantStatus.PROVISIONING
    )
    for tenant in tenants:
        with tenant_context(tenant):
            purge_expired_exports.delay()
        sent += 1
    connection.set_schema_to_public()
    return sent
