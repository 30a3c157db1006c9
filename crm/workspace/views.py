"""/crm/settings/workspace/ and /crm/settings/audit-log/ (administrators). Adapters: parse,
call crm.workspace.services / selectors, render."""

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from crm.core.audit import audit_event
from crm.core.decorators import capability_required, staff_required
from crm.core.forms import apply_service_errors
from crm.core.models import AuditEntry
from crm.workspace import selectors, services
from crm.workspace.forms import AuditLogFilterForm, WorkspaceSettingsForm
from tenants.users.permissions import Capability

LOGO_CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif",
                      "webp": "image/webp"}


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def workspace_settings(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    workspace = selectors.workspace_settings_get(tenant=tenant)
    initial = {
        "name": tenant.name, "currency": tenant.currency, "language": tenant.language,
        "time_zone": tenant.time_zone,
        "fiscal_year_start_month": workspace.fiscal_year_start_month,
        "date_format": workspace.date_format, "number_format": workspace.number_format,
        "require_2fa_admins": workspace.require_2fa_admins,
        "require_2fa_everyone": workspace.require_2fa_everyone,
        "session_lifetime_hours": workspace.session_lifetime_hours,
    }
    form = WorkspaceSettingsForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.workspace_update(
                actor=request.user, tenant=tenant, name=data["name"],
                currency=data["currency"], language=data["language"],
                time_zone=data["time_zone"],
                fiscal_year_start_month=data["fiscal_year_start_month"],
                date_format=data["date_format"], number_format=data["number_format"],
                logo=data.get("logo") or None, remove_logo=data["remove_logo"],
                require_2fa_admins=data["require_2fa_admins"],
                require_2fa_everyone=data["require_2fa_everyone"],
                session_lifetime_hours=data["session_lifetime_hours"] or 0,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Workspace settings saved."))
            return redirect("crm_workspace:settings")
    from crm.core.settings_sections import settings_sections_for

    return render(request, "crm/workspace/settings.html", {
        "form": form, "workspace": workspace, "example_now": timezone.now(),
        "sections": settings_sections_for(request.user, request.path),
    }, status=400 if form.errors else 200)


@require_GET
@staff_required
def workspace_logo(request: HttpRequest) -> HttpResponse:
    """The workspace's logo for its staff pages (media is not served by a generic view)."""
    workspace = selectors.workspace_settings_get(tenant=request.tenant)
    if not workspace.logo:
        raise Http404
    extension = workspace.logo.name.rsplit(".", 1)[-1].lower()
    try:
        handle = workspace.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=LOGO_CONTENT_TYPES.get(
        extension, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- audit log ------------------------------------------------------------------------------

PAGE_SIZE = 50


def _filter_form(request: HttpRequest) -> AuditLogFilterForm:
    return AuditLogFilterForm(request.GET or None)


@require_GET
@capability_required(Capability.MANAGE_SETTINGS)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    if request.GET and not form.is_valid():
        entries: list[AuditEntry] = []
        next_before = None
    else:
        filters = form.to_filters() if request.GET else selectors.AuditLogFilters()
        entries, next_before = selectors.audit_log_page(filters=filters, size=PAGE_SIZE)
    next_query = None
    if next_before is not None:
        query = request.GET.copy()
        query["before"] = str(next_before)
        next_query = query.urlencode()
    export_query = request.GET.copy()
    export_query.pop("before", None)
    from crm.core.settings_sections import settings_sections_for

    return render(request, "crm/workspace/audit_log.html", {
        "form": form, "entries": entries, "next_query": next_query,
        "export_query": export_query.urlencode(), "first_page": "before" not in request.GET,
        "sections": settings_sections_for(request.user, request.path),
    }, status=400 if form.errors else 200)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _target(entry: AuditEntry) -> tuple[str, str]:
    if entry.content_type_id is None:
        return "", ""
    content_type = entry.content_type
    return f"{content_type.app_label}.{content_type.model}", str(entry.object_id or "")


def _csv_rows(entries: Any) -> Iterator[list[str]]:
    yield ["id", "at", "actor_email", "action", "target_type", "target_id", "ip_address",
           "changes", "data"]
    import json

    for entry in entries.iterator(chunk_size=1000):
        target_type, target_id = _target(entry)
        yield [
            str(entry.pk), entry.created_at.isoformat(),
            entry.actor.email if entry.actor_id else "", entry.action, target_type, target_id,
            entry.ip_address or "", json.dumps(entry.changes, ensure_ascii=False),
            json.dumps(entry.data, ensure_ascii=False),
        ]


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula in spreadsheet programs.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@require_GET
@capability_required(Capability.MANAGE_SETTINGS)
def audit_log_export(request: HttpRequest) -> HttpResponse:
    """Every matching entry as CSV (streamed; times in UTC, ISO 8601)."""
    form = _filter_form(request)
    if request.GET and not form.is_valid():
        return HttpResponse(_("Check the filter values."), status=400,
                            content_type="text/plain; charset=utf-8")
    filters = form.to_filters() if request.GET else selectors.AuditLogFilters()
    filters = selectors.AuditLogFilters(actor_id=filters.actor_id, action=filters.action,
                                        since=filters.since, until=filters.until)
    audit_event(instance=None, action="export.audit_log", actor=request.user,
                data={"filters": {key: value for key, value in request.GET.items()
                                  if key != "before"}})
    writer = csv.writer(_Echo())
    rows = (writer.writerow([_csv_safe(cell) for cell in row])
            for row in _csv_rows(selectors.audit_log_entries(filters=filters)))
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
