"""Service pages under /crm/service/: the agent's queue (home page), requests (list,
detail with timeline and actions, the staff create form) and assets (list, page with
coverage, components and service history, forms). Adapters only: selectors read, services
decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.core.decorators import capability_required, staff_required
from crm.core.files import file_url
from crm.core.forms import apply_service_errors
from crm.core.pagination import page_of
from crm.service import forms, selectors, services
from crm.service.coverage import coverage_for, coverage_for_assets
from crm.service.filters import AssetFilter, ServiceRequestFilter
from crm.service.models import AssetStatus, RequestStatus
from crm.service.services.requests import TRANSITIONS, reopen_deadline
from tenants.users.permissions import Capability, can

edit_required = capability_required(Capability.EDIT_RECORDS)
service_required = capability_required(Capability.MANAGE_SERVICE)


def _with_badges(rows: list[Any]) -> list[Any]:
    now = timezone.now()
    for row in rows:
        row.sla_badge = selectors.sla_state(row, now)
    return rows


# --- the agent's queue ----------------------------------------------------------------

@require_GET
@staff_required
def agent_home(request: HttpRequest) -> HttpResponse:
    page = page_of(selectors.agent_queue(viewer=request.user), request)
    _with_badges(page["rows"])
    return render(request, "crm/service/agent_queue.html", {
        "page": page, "available": selectors.agent_is_available(request.user),
        "queues": selectors.queue_list().filter(agents=request.user),
        "can_work": can(request.user, Capability.MANAGE_SERVICE),
    })


@require_POST
@service_required
def availability_set(request: HttpRequest) -> HttpResponse:
    available = request.POST.get("available") == "1"
    services.agent_availability_set(agent=request.user, actor=request.user,
                                    available=available)
    messages.success(request, _("You take new requests.") if available
                     else _("You take no new requests for now."))
    return redirect("crm_service:home")


# --- requests -------------------------------------------------------------------------

@require_GET
@staff_required
def request_list(request: HttpRequest) -> HttpResponse:
    filters = ServiceRequestFilter(request.GET or None,
                                   queryset=selectors.service_request_list(viewer=request.user))
    queryset = filters.qs if filters.is_bound and filters.is_valid() else filters.queryset
    page = page_of(queryset.order_by("-reported_at", "-pk"), request)
    _with_badges(page["rows"])
    return render(request, "crm/service/request_list.html", {
        "filters": filters, "page": page, "statuses": RequestStatus.choices,
        "can_create": can(request.user, Capability.EDIT_RECORDS),
    })


@require_http_methods(["GET", "POST"])
@edit_required
def request_create(request: HttpRequest) -> HttpResponse:
    initial = {name: request.GET.get(name) for name in ("account", "asset", "contact")
               if request.GET.get(name, "").isdigit()}
    form = forms.ServiceRequestForm(request.POST or None, viewer=request.user,
                                    initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.service_request_create(actor=request.user,
                                                      **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Request %(number)s opened.")
                             % {"number": created.number})
            return redirect("crm_service:request_detail", request_id=created.pk)
    return render(request, "crm/service/request_form.html", {"form": form},
                  status=400 if form.errors else 200)


def _detail_context(request: HttpRequest, service_request: Any, **forms_given: Any
                    ) -> dict[str, Any]:
    viewer = request.user
    can_work = can(viewer, Capability.MANAGE_SERVICE)
    attachments = list(selectors.request_attachments(service_request))
    for attachment in attachments:
        attachment.url = file_url(kind="attachment", object_id=attachment.pk)
    deadline = reopen_deadline(service_request)
    service_request.sla_badge = selectors.sla_state(service_request, timezone.now())
    return {
        "sr": service_request,
        "timeline": selectors.request_timeline(viewer=viewer, request=service_request),
        "attachments": attachments,
        "can_work": can_work,
        "can_edit": can(viewer, Capability.EDIT_RECORDS),
        "next_statuses": [(value, label) for value, label in RequestStatus.choices
                          if value in TRANSITIONS[service_request.status]],
        "reopen_until": deadline,
        "may_reopen": can_work and deadline is not None and timezone.now() <= deadline,
        "may_rate": service_request.rated_at is None and service_request.status in (
            RequestStatus.RESOLVED, RequestStatus.CLOSED),
        "comment_form": forms_given.get("comment_form") or forms.CommentForm(),
        "assign_form": forms_given.get("assign_form") or forms.AssignForm(
            initial={"assignee": service_request.assignee_id,
                     "queue": service_request.queue_id}),
        "status_form": forms_given.get("status_form") or forms.StatusForm(),
        "work_log_form": forms_given.get("work_log_form") or forms.WorkLogForm(viewer=viewer),
        "attachment_form": forms_given.get("attachment_form") or forms.AttachmentForm(),
        "reopen_form": forms.ReopenForm(),
        "rating_form": forms_given.get("rating_form") or forms.RatingForm(),
    }


@require_GET
@staff_required
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    service_request = selectors.service_request_get_for(viewer=request.user,
                                                        request_id=request_id)
    return render(request, "crm/service/request_detail.html",
                  _detail_context(request, service_request))


def _act(request: HttpRequest, request_id: int, form_name: str, form: Any,
         action: Any, done: str) -> HttpResponse:
    """Run ``action(service_request, cleaned_data)`` for a valid form, else show errors."""
    service_request = selectors.service_request_get_for(viewer=request.user,
                                                        request_id=request_id)
    if form.is_valid():
        try:
            action(service_request, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied:
            raise
        else:
            messages.success(request, done)
            return redirect("crm_service:request_detail", request_id=service_request.pk)
    return render(request, "crm/service/request_detail.html",
                  _detail_context(request, service_request, **{form_name: form}), status=400)


@require_POST
@service_required
def request_assign(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, "assign_form", forms.AssignForm(request.POST),
                lambda sr, data: services.service_request_assign(
                    request=sr, actor=request.user, assignee=data.get("assignee"),
                    queue=data.get("queue")), _("Assignment saved."))


@require_POST
@service_required
def request_status(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, "status_form", forms.StatusForm(request.POST),
                lambda sr, data: services.service_request_status_set(
                    request=sr, actor=request.user, status=data["status"],
                    note=data.get("note", "")), _("Status changed."))


@require_POST
@service_required
def request_reopen(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, "status_form", forms.ReopenForm(request.POST),
                lambda sr, data: services.service_request_reopen(
                    request=sr, actor=request.user, reason=data.get("reason", "")),
                _("Request reopened."))


@require_POST
@edit_required
def request_comment(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, "comment_form", forms.CommentForm(request.POST),
                lambda sr, data: services.service_comment_add(
                    request=sr, actor=request.user, body=data["body"],
                    public=data.get("public", False)), _("Comment added."))


def _log_work(request: HttpRequest, service_request: Any, data: dict[str, Any]) -> None:
    parts = []
    if data.get("part") is not None:
        if not data.get("part_quantity"):
            raise ValidationError({"part_quantity": _("Give the quantity of the part.")})
        parts.append(services.PartUsed(product=data["part"], quantity=data["part_quantity"]))
    services.work_log_add(request=service_request, actor=request.user, kind=data["kind"],
                          minutes=data["minutes"], performed_on=data.get("performed_on"),
                          description=data.get("description", ""), parts=parts)


@require_POST
@service_required
def request_work_log(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, "work_log_form",
                forms.WorkLogForm(request.POST, viewer=request.user),
                lambda sr, data: _log_work(request, sr, data), _("Work logged."))


@require_POST
@edit_required
def request_attachment(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, "attachment_form",
                forms.AttachmentForm(request.POST, request.FILES),
                lambda sr, data: services.service_request_attachment_add(
                    request=sr, actor=request.user, upload=data["file"]), _("File attached."))


@require_POST
@edit_required
def request_rate(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, "rating_form", forms.RatingForm(request.POST),
                lambda sr, data: services.service_request_rate(
                    request=sr, actor=request.user, score=data["score"],
                    remark=data.get("remark", "")), _("Rating recorded."))


# --- assets ---------------------------------------------------------------------------

@require_GET
@staff_required
def asset_list(request: HttpRequest) -> HttpResponse:
    filters = AssetFilter(request.GET or None, queryset=selectors.asset_list(viewer=request.user))
    queryset = filters.qs if filters.is_bound and filters.is_valid() else filters.queryset
    page = page_of(queryset.order_by("account__name", "serial_number", "pk"), request)
    coverage = coverage_for_assets(assets=page["rows"])
    for asset in page["rows"]:
        asset.coverage = coverage.get(asset.pk)
    return render(request, "crm/service/asset_list.html", {
        "filters": filters, "page": page, "statuses": AssetStatus.choices,
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    })


@require_GET
@staff_required
def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = selectors.asset_get_for(viewer=request.user, asset_id=asset_id)
    subtree = selectors.asset_subtree_ids(asset_id=asset.pk)
    history = list(selectors.asset_service_history(viewer=request.user, subtree_ids=subtree))
    _with_badges(history)
    return render(request, "crm/service/asset_detail.html", {
        "asset": asset, "coverage": coverage_for(account=asset.account, asset=asset),
        "components": selectors.asset_component_tree(asset=asset, subtree_ids=subtree),
        "ancestors": selectors.asset_ancestors(asset=asset),
        "history": history, "can_edit": can(request.user, Capability.EDIT_RECORDS),
    })


def _asset_form(request: HttpRequest, asset: Any | None) -> HttpResponse:
    initial = {}
    if asset is None:
        initial = {name: request.GET.get(name) for name in ("account", "parent")
                   if request.GET.get(name, "").isdigit()}
    form = forms.AssetForm(request.POST or None, instance=asset, viewer=request.user,
                           initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if asset is None:
                saved = services.asset_create(actor=request.user,
                                              account=form.cleaned_data["account"],
                                              **form.service_values())
            else:
                saved = services.asset_update(asset=asset, actor=request.user,
                                              **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Asset saved."))
            return redirect("crm_service:asset_detail", asset_id=saved.pk)
    return render(request, "crm/service/asset_form.html", {"form": form, "asset": asset},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@edit_required
def asset_create(request: HttpRequest) -> HttpResponse:
    return _asset_form(request, None)


@require_http_methods(["GET", "POST"])
@edit_required
def asset_edit(request: HttpRequest, asset_id: int) -> HttpResponse:
    return _asset_form(request, selectors.asset_get_for(viewer=request.user, asset_id=asset_id))


@require_POST
@edit_required
def asset_verify(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = selectors.asset_get_for(viewer=request.user, asset_id=asset_id)
    try:
        services.asset_verify(asset=asset, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Asset verified."))
    return redirect("crm_service:asset_detail", asset_id=asset.pk)


@require_POST
@edit_required
def asset_retire(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = selectors.asset_get_for(viewer=request.user, asset_id=asset_id)
    services.asset_retire(asset=asset, actor=request.user)
    messages.success(request, _("Asset retired."))
    return redirect("crm_service:asset_detail", asset_id=asset.pk)
