"""/crm/settings/export/: admins start a whole-tenant export, watch its progress bar and
download it while it is kept."""

from django.contrib import messages
from django.core.files import File
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.core.decorators import capability_required
from crm.dataexport import selectors, services
from crm.dataexport.models import TenantExport
from tenants.users.permissions import Capability


@require_GET
@capability_required(Capability.MANAGE_SETTINGS)
def export_page(request: HttpRequest) -> HttpResponse:
    exports = list(selectors.export_list_for(viewer=request.user)[:20])
    rows = [
        {"export": export, "status_url": selectors.tenant_status_url(export),
         "download_url": selectors.tenant_download_url(export)}
        for export in exports
    ]
    return render(request, "crm/dataexport/export.html", {
        "rows": rows, "retention_days": services.retention().days,
    })


@require_POST
@capability_required(Capability.MANAGE_SETTINGS)
def export_start(request: HttpRequest) -> HttpResponse:
    services.export_request(actor=request.user)
    messages.success(request, _("The export has started. This page shows its progress."))
    return redirect("dataexport:export")


@require_GET
@capability_required(Capability.MANAGE_SETTINGS)
def export_status(request: HttpRequest, pk: str) -> JsonResponse:
    export = selectors.export_get_for(viewer=request.user, export_id=pk)
    return JsonResponse(selectors.export_status_payload(
        export, download_url=selectors.tenant_download_url(export)
    ))


@require_GET
@capability_required(Capability.MANAGE_SETTINGS)
def export_download(request: HttpRequest, pk: str) -> HttpResponse:
    export = selectors.export_get_for(viewer=request.user, export_id=pk)
    try:
        handle = services.export_open_for_download(export=export, actor=request.user)
    except services.ExportUnavailableError as exc:
        return render(request, "crm/dataexport/unavailable.html",
                      {"message": str(exc), "export": export}, status=410)
    return export_file_response(handle, slug=request.tenant.slug, export=export)


def export_file_response(handle: File, *, slug: str, export: TenantExport) -> FileResponse:
    """The archive as an attachment named after the workspace and the day it was built."""
    finished = export.finished_at or timezone.now()
    filename = f"{slug}-export-{finished:%Y%m%d-%H%M}.zip"
    response = FileResponse(handle, as_attachment=True, filename=filename,
                            content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response
