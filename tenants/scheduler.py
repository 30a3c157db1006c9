"""Celery beat sends per-tenant schedules to live customer tenants (and to public for
platform-wide entries), never to the template or warm spares."""

from django.db.models import Q, QuerySet
from tenant_schemas_celery.scheduler import TenantAwarePersistentScheduler

from tenants.models import LIVE_STATUSES, Tenant, TenantKind


class CustomerTenantScheduler(TenantAwarePersistentScheduler):
    @classmethod
    def get_queryset(cls) -> QuerySet:
        return Tenant.objects.filter(
            Q(kind=TenantKind.CUSTOMER, status__in=LIVE_STATUSES) | Q(kind=TenantKind.PUBLIC)
        )
