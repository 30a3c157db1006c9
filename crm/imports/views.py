"""Import pages under /crm/imports/: upload, map the columns (with a preview of the first
rows and their errors), then follow the job's progress bar; templates to download.

Between the upload and the start the file waits in the tenant's private storage under a
random name kept in the session (``imports/staged/``); starting the import hands it to
``crm.imports.services.import_request`` like an API upload."""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.core.decorators import capability_required, staff_required
from crm.core.pagination import page_of
from crm.dataexport.storage import private_tenant_storage
from crm.imports import selectors, services
from crm.imports.forms import ImportUploadForm
from crm.imports.kinds import KINDS
from tenants.users.permissions import Capability

edit_required = capability_required(Capability.EDIT_RECORDS)
STAGED = "imports_staged"


@require_GET
@staff_required
@edit_required
def import_list(request: HttpRequest) -> HttpResponse:
    jobs = selectors.import_visible_queryset(viewer=request.user).order_by("-created_at", "-pk")
    return render(request, "crm/imports/import_list.html", {
        "form": ImportUploadForm(), "page": page_of(jobs, request), "kinds": KINDS.values(),
    })


@require_POST
@staff_required
@edit_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST, request.FILES)
    jobs = selectors.import_visible_queryset(viewer=request.user).order_by("-created_at", "-pk")
    if form.is_valid():
        kind = services.kind_for(form.cleaned_data["kind"])
        upload = form.cleaned_data["file"]
        try:
            inspection = services.inspect_upload(kind=kind, upload=upload)
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages))
        else:
            storage = private_tenant_storage()
            name = storage.save(f"imports/staged/{uuid.uuid4().hex}.{inspection.file_format}",
                                upload)
            request.session[STAGED] = {
                "name": name, "original": upload.name, "kind": kind.key,
                "mode": form.cleaned_data["mode"], "dry_run": form.cleaned_data["dry_run"],
                "duplicates": form.cleaned_data["duplicates"],
            }
            return redirect("crm_imports:import_mapping")
    return render(request, "crm/imports/import_list.html", {
        "form": form, "page": page_of(jobs, request), "kinds": KINDS.values(),
    }, status=400)


def _staged_file(staged: dict[str, Any]) -> File:
    storage = private_tenant_storage()
    name = staged.get("name", "")
    if not name.startswith("imports/staged/") or not storage.exists(name):
        raise Http404
    handle = File(storage.open(name, "rb"), name=staged.get("original") or os.path.basename(name))
    handle.size = storage.size(name)
    return handle


@require_http_methods(["GET", "POST"])
@staff_required
@edit_required
def import_mapping(request: HttpRequest) -> HttpResponse:
    staged = request.session.get(STAGED)
    if not staged:
        messages.info(request, _("Upload a file first."))
        return redirect("crm_imports:import_list")
    kind = services.kind_for(staged["kind"])
    upload = _staged_file(staged)
    try:
        response = _mapping_page(request, staged, kind, upload)
    except ValidationError as exc:
        # The file stopped being readable past the part checked at upload (a bad byte, an
        # over-long field): say so on the upload page instead of failing.
        messages.error(request, " ".join(exc.messages))
        del request.session[STAGED]
        response = redirect("crm_imports:import_list")
    finally:
        upload.close()
    if STAGED not in request.session:  # started or given up: the staged copy goes
        private_tenant_storage().delete(staged["name"])
    return response


def _mapping_page(request: HttpRequest, staged: dict[str, Any], kind: Any, upload: File
                  ) -> HttpResponse:
    try:
        inspection = services.inspect_upload(kind=kind, upload=upload)
        mapping = inspection.mapping
        if request.method == "POST":
            mapping = {name: request.POST.get(f"map-{index}", "")
                       for index, name in enumerate(inspection.header) if name}
        error = services.mapping_problem(kind=kind.key, header=inspection.header,
                                         mapping=mapping)
        preview = services.import_preview(actor=request.user, kind=kind.key, upload=upload,
                                          mapping=mapping)
        if request.method == "POST" and "start" in request.POST and not error:
            try:
                job = services.import_request(
                    actor=request.user, kind=kind.key, upload=upload, mode=staged["mode"],
                    dry_run=staged["dry_run"], duplicates=staged["duplicates"], mapping=mapping)
            except (ValidationError, PermissionDenied) as exc:
                error = " ".join(getattr(exc, "messages", [str(exc)]))
            else:
                del request.session[STAGED]
                return redirect("crm_imports:import_detail", job_id=job.pk)
    finally:
        upload.seek(0)
    return render(request, "crm/imports/import_mapping.html", {
        "kind": kind, "staged": staged, "header": list(enumerate(inspection.header)),
        "mapping": mapping, "preview": preview, "error": error,
        "encoding": inspection.encoding,
    }, status=400 if error and request.method == "POST" else 200)


@require_GET
@staff_required
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.import_get_for(viewer=request.user, job_id=job_id)
    template = ("crm/imports/_progress.html" if request.headers.get("HX-Request")
                else "crm/imports/import_detail.html")
    return render(request, template, {"job": job, "progress": services.import_progress(job)})


@require_GET
@staff_required
def import_error_file(request: HttpRequest, job_id: int) -> FileResponse:
    job = selectors.import_get_for(viewer=request.user, job_id=job_id)
    if not job.error_file:
        raise Http404
    return FileResponse(job.error_file.open("rb"), as_attachment=True,
                        filename=f"{os.path.splitext(job.original_name)[0]}-errors.csv",
                        content_type="text/csv; charset=utf-8")


@require_GET
@staff_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    language = request.GET.get("language", "en")
    if request.GET.get("format") == "xlsx":
        body = services.template_xlsx(kind=kind, language=language)
        response = HttpResponse(body, content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
        return response
    response = HttpResponse(services.template_csv(kind=kind, language=language),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response
