"""Who sees which imports: admins see every import of the tenant, others their own."""

from django.db.models import QuerySet
from django.http import Http404

from crm.imports.models import ImportJob
from tenants.users.models import User
from tenants.users.permissions import Capability, can


def import_visible_queryset(*, viewer: User) -> QuerySet[ImportJob]:
    queryset = ImportJob.objects.select_related("created_by")
    if can(viewer, Capability.MANAGE_SETTINGS):
        return queryset
    return queryset.filter(created_by=viewer)


def import_get_for(*, viewer: User, job_id: int | str) -> ImportJob:
    try:
        pk = int(job_id)
    except (TypeError, ValueError):
        raise Http404 from None
    job = import_visible_queryset(viewer=viewer).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
