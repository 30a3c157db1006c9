"""Reads of exports shared by the tenant's settings page and the operator console."""

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.dataexport.models import ExportStatus, TenantExport
from tenants.users.models import User
from tenants.users.permissions import Capability, can


def export_list() -> QuerySet[TenantExport]:
    """The tenant's exports, newest first (callers check the viewer may see them)."""
    return TenantExport.objects.select_related("requested_by")


def export_list_for(*, viewer: User) -> QuerySet[TenantExport]:
    """Exports ``viewer`` may see: all of them for admins, none for anyone else."""
    if not can(viewer, Capability.MANAGE_SETTINGS):
        return TenantExport.objects.none()
    return export_list()


def export_get(*, export_id: int | str) -> TenantExport:
    """The export with this id, Http404 for garbage or missing ids (operator console: the
    tenant was chosen by the operator, there is no viewer in this schema)."""
    try:
        pk = int(export_id)
    except (TypeError, ValueError):
        raise Http404 from None
    export = export_list().filter(pk=pk).first()
    if export is None:
        raise Http404
    return export


def export_get_for(*, viewer: User, export_id: int | str) -> TenantExport:
    """The export if ``viewer`` is an admin of this tenant; one Http404 for "missing" and
    "not yours" alike."""
    if not can(viewer, Capability.MANAGE_SETTINGS):
        raise Http404
    return export_get(export_id=export_id)


def export_latest_ready() -> TenantExport | None:
    """The newest export that can still be downloaded (what a tenant deletion keeps)."""
    return (
        TenantExport.objects.filter(status=ExportStatus.SUCCEEDED, expires_at__gt=timezone.now())
        .exclude(file="").first()
    )


def export_status_payload(export: TenantExport, *, download_url: str) -> dict[str, object]:
    """What the progress bar polls: state, percent, tables done / total, the link when ready."""
    error = ""
    if export.status == ExportStatus.FAILED:
        error = _("The export failed. Please start a new one; if it fails again, contact "
                  "support.")
    return {
        "id": export.pk,
        "status": export.status,
        "status_label": str(export.get_status_display()),
        "percent": export.percent,
        "tables_done": export.tables_done,
        "tables_total": export.tables_total,
        "download_url": download_url if export.is_downloadable else "",
        "expires_at": export.expires_at.isoformat() if export.expires_at else None,
        "error": error,
        "finished": export.status not in (ExportStatus.PENDING, ExportStatus.RUNNING),
    }


def tenant_download_url(export: TenantExport) -> str:
    return reverse("dataexport:export_download", args=[export.pk])


def tenant_status_url(export: TenantExport) -> str:
    return reverse("dataexport:export_status", args=[export.pk])
