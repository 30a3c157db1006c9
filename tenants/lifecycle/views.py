"""Operator pages for a tenant's export, archive and deletion (public host). They read the
tenant's export rows (metadata only) inside its schema, never its CRM records."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tenants.utils import schema_exists, tenant_context

from crm.dataexport.models import TenantExport
from tenants.forms import OperatorActionForm
from tenants.lifecycle import services
from tenants.lifecycle.forms import TenantDeleteForm
from tenants.models import Tenant, TenantKind, TenantStatus
from tenants.operator.access import operator_required


def _tenant_or_404(pk: int) -> Tenant:
    return get_object_or_404(Tenant, pk=pk, kind=TenantKind.CUSTOMER)


def _has_schema(tenant: Tenant) -> bool:
    return tenant.status != TenantStatus.PROVISIONING and schema_exists(tenant.schema_name)


def _export_urls(tenant: Tenant, export_id: int) -> tuple[str, str]:
    return (
        reverse("lifecycle:export_status", args=[tenant.pk, export_id]),
        reverse("lifecycle:export_download", args=[tenant.pk, export_id]),
    )


@require_GET
@operator_required
def lifecycle_overview(request: HttpRequest, pk: int) -> HttpResponse:
    from crm.dataexport.selectors import export_latest_ready, export_list

    tenant = _tenant_or_404(pk)
    rows: list[dict[str, object]] = []
    ready = None
    if _has_schema(tenant):
        with tenant_context(tenant):
            for export in export_list()[:10]:
                status_url, download_url = _export_urls(tenant, export.pk)
                rows.append({"export": export, "status_url": status_url,
                             "download_url": download_url})
            ready = export_latest_ready()
    return render(request, "operator/lifecycle/overview.html", {
        "tenant": tenant, "rows": rows, "ready_export": ready, "has_schema": _has_schema(tenant),
        "form": OperatorActionForm(),
    })


def _reason_or_error(request: HttpRequest) -> str | None:
    form = OperatorActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.get("reason", [_("Give a reason.")])[0])
        return None
    return form.cleaned_data["reason"]


@require_POST
@operator_required
def export_start(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = _tenant_or_404(pk)
    reason = _reason_or_error(request)
    if reason is not None:
        try:
            services.tenant_export_request(tenant=tenant, operator=request.user, reason=reason)
        except services.LifecycleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The export has started."))
    return redirect("lifecycle:overview", pk=pk)


def _export_or_404(tenant: Tenant, export_id: str) -> TenantExport:
    from crm.dataexport.selectors import export_get

    if not _has_schema(tenant):
        raise Http404
    with tenant_context(tenant):
        return export_get(export_id=export_id)


@require_GET
@operator_required
def export_status(request: HttpRequest, pk: int, export_id: str) -> JsonResponse:
    from crm.dataexport.selectors import export_status_payload

    tenant = _tenant_or_404(pk)
    export = _export_or_404(tenant, export_id)
    _status_url, download_url = _export_urls(tenant, export.pk)
    return JsonResponse(export_status_payload(export, download_url=download_url))


@require_GET
@operator_required
def export_download(request: HttpRequest, pk: int, export_id: str) -> HttpResponse:
    from crm.dataexport.services import ExportUnavailableError, export_open_for_download
    from crm.dataexport.views import export_file_response

    tenant = _tenant_or_404(pk)
    export = _export_or_404(tenant, export_id)
    try:
        with tenant_context(tenant):
            handle = export_open_for_download(
                export=export, actor=None, operator_label=request.user.email
            )
    except ExportUnavailableError as exc:
        messages.error(request, str(exc))
        return redirect("lifecycle:overview", pk=pk)
    services.tenant_export_download_record(tenant=tenant, operator=request.user,
                                           export_id=export.pk)
    return export_file_response(handle, slug=tenant.slug, export=export)


@require_POST
@operator_required
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = _tenant_or_404(pk)
    reason = _reason_or_error(request)
    if reason is not None:
        try:
            services.tenant_archive(tenant=tenant, operator=request.user, reason=reason)
        except services.LifecycleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The workspace is archived; nobody can sign in."))
    return redirect("lifecycle:overview", pk=pk)


@require_http_methods(["GET", "POST"])
@operator_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Step one shows what deletion does and what it keeps; step two needs the slug typed."""
    from crm.dataexport.selectors import export_latest_ready

    tenant = _tenant_or_404(pk)
    form = TenantDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deletion = services.tenant_delete(
                tenant=tenant, operator=request.user, reason=form.cleaned_data["reason"],
                confirm_slug=form.cleaned_data["confirm_slug"],
            )
        except services.LifecycleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Workspace %(slug)s deleted; its last export is kept.")
                             % {"slug": deletion.slug})
            return redirect("operator:tenants")
    ready = None
    if _has_schema(tenant):
        with tenant_context(tenant):
            ready = export_latest_ready()
    return render(request, "operator/lifecycle/delete.html", {
        "tenant": tenant, "form": form, "ready_export": ready,
    }, status=400 if request.method == "POST" else 200)
