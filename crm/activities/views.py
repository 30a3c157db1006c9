"""Activity pages: Today, the list with filters, create forms per kind (htmx), the sales log
feed with comments and likes, visit check-in and nearby accounts.

Adapters only: they parse input, call crm.activities.services / selectors and render.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.accounts.selectors import account_get_for, account_visible_queryset
from crm.activities import selectors, services
from crm.activities.filters import ActivityFilter
from crm.activities.forms import (
    ActivityForm,
    CheckInForm,
    CommentForm,
    LocationForm,
    NearbyForm,
)
from crm.activities.models import ActivityKind
from crm.activities.targets import target_get_for, target_key_of
from crm.core.decorators import capability_required, staff_required
from crm.core.exports import export_requested, page_export
from crm.core.forms import apply_service_errors
from crm.core.page_filters import page_filters
from crm.core.redirects import safe_next
from tenants.users.permissions import Capability, can

PAGE_SIZE = 50



def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _resolve_target(request: HttpRequest, data: dict[str, Any]) -> models.Model | None:
    """The record the form names, through its visibility accessor (Http404 if not yours)."""
    if data.get("target_type") and data.get("target_id"):
        return target_get_for(viewer=request.user, target_type=data["target_type"],
                              target_id=data["target_id"])
    if data.get("account"):
        return account_get_for(viewer=request.user, account_id=data["account"])
    return None


def _target_initial(request: HttpRequest) -> tuple[dict[str, Any], models.Model | None]:
    target_type = request.GET.get("target_type", "")
    target_id = request.GET.get("target_id", "")
    if not (target_type and target_id):
        return {}, None
    target = target_get_for(viewer=request.user, target_type=target_type, target_id=target_id)
    return {"target_type": target_type, "target_id": target.pk}, target


# --- today ---------------------------------------------------------------------------------

@require_GET
@staff_required
def today(request: HttpRequest) -> HttpResponse:
    data = selectors.today_for(viewer=request.user)
    return render(request, "crm/activities/today.html", {"today": data})


def today_widget_context(request: HttpRequest) -> dict[str, object]:
    """The Today list on the CRM home page."""
    return {"today": selectors.today_for(viewer=request.user, limit=10)}


# --- list ----------------------------------------------------------------------------------

@require_GET
@staff_required
def activity_list(request: HttpRequest) -> HttpResponse:
    filters = page_filters(request, ActivityFilter,
                           selectors.activity_list(viewer=request.user))
    if export_requested(request) and filters.valid:
        return page_export(request, filters.rows, api_basename="activity")
    page = Paginator(filters.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters, "form": filters.form, "page": page, "query": query.urlencode(),
        "kinds": ActivityKind.choices, "can_edit": can(request.user, Capability.EDIT_RECORDS),
    }
    if _is_htmx(request):
        return render(request, "crm/activities/_activity_rows.html", context,
                      status=filters.status)
    return render(request, "crm/activities/activity_list.html", context,
                  status=filters.status)


# --- create / complete ---------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@capability_required(Capability.EDIT_RECORDS)
def activity_create(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ActivityKind.values:
        raise Http404
    initial, target = _target_initial(request)
    form = ActivityForm(request.POST or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = _resolve_target(request, data)
        try:
            activity = services.activity_create(
                actor=request.user, kind=kind, subject=data["subject"], target=target,
                notes=data.get("notes", ""), occurred_at=data.get("occurred_at"),
                due_at=data.get("due_at"), remind_at=data.get("remind_at"),
                duration_minutes=data.get("duration_minutes"),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(kind)s saved.") % {
                "kind": activity.get_kind_display()})
            if _is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = services.activity_url(activity)
                return response
            return redirect("activities:activity_detail", activity_id=activity.pk)
    template = ("crm/activities/_activity_form.html" if _is_htmx(request)
                else "crm/activities/activity_form.html")
    return render(request, template, {
        "form": form, "kind": kind, "kind_label": ActivityKind(kind).label, "target": target,
        "kinds": ActivityKind.choices,
    })


@require_GET
@staff_required
def account_options(request: HttpRequest) -> HttpResponse:
    """<option>s of visible accounts matching ``account_q`` (the forms' account search)."""
    term = request.GET.get("account_q", "").strip()
    accounts = account_visible_queryset(viewer=request.user).only("pk", "name")
    if term:
        accounts = accounts.filter(name__icontains=term)
    return render(request, "crm/activities/_account_options.html",
                  {"accounts": accounts.order_by("name")[:20]})


@require_GET
@staff_required
def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_get_for(viewer=request.user, activity_id=activity_id)
    return render(request, "crm/activities/activity_detail.html", {
        "activity": activity, "comments": selectors.activity_comments(activity=activity),
        "comment_form": CommentForm(), "can_edit": can(request.user, Capability.EDIT_RECORDS),
        "target": activity.target if activity.target_type_id else None,
    })


@require_POST
@capability_required(Capability.EDIT_RECORDS)
def activity_complete(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_get_for(viewer=request.user, activity_id=activity_id)
    try:
        services.activity_complete(activity=activity, actor=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Marked as done."))
    return redirect(safe_next(request, reverse("activities:activity_detail",
                                               args=[activity.pk])))


# --- comments and likes --------------------------------------------------------------------

@require_POST
@capability_required(Capability.EDIT_RECORDS)
def activity_comment(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_get_for(viewer=request.user, activity_id=activity_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.activity_comment(activity=activity, actor=request.user,
                                      body=form.cleaned_data["body"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            form = CommentForm()
    status = 200 if not form.errors else 400
    context = {"activity": activity, "comments": selectors.activity_comments(activity=activity),
               "comment_form": form, "can_edit": True}
    if _is_htmx(request):
        return render(request, "crm/activities/_comments.html", context, status=status)
    if form.errors:
        messages.error(request, _("The comment was not saved."))
    return redirect("activities:activity_detail", activity_id=activity.pk)


@require_POST
@capability_required(Capability.EDIT_RECORDS)
def activity_like(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_get_for(viewer=request.user, activity_id=activity_id)
    if request.POST.get("unlike"):
        result = services.activity_unlike(activity=activity, actor=request.user)
    else:
        result = services.activity_like(activity=activity, actor=request.user)
    if _is_htmx(request):
        return render(request, "crm/activities/_like.html", {
            "activity": activity, "liked": result.liked, "like_count": result.count})
    return redirect("activities:activity_detail", activity_id=activity.pk)


@require_GET
@staff_required
def sales_log_feed(request: HttpRequest) -> HttpResponse:
    logs = selectors.sales_log_feed(viewer=request.user)
    page = Paginator(logs, 20).get_page(request.GET.get("page"))
    return render(request, "crm/activities/feed.html", {
        "page": page, "can_edit": can(request.user, Capability.EDIT_RECORDS),
        "comment_form": CommentForm(),
    })


# --- check-in and nearby -------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@capability_required(Capability.EDIT_RECORDS)
def check_in(request: HttpRequest) -> HttpResponse:
    initial, target = _target_initial(request)
    form = CheckInForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = _resolve_target(request, data)
        try:
            activity = services.visit_check_in(
                actor=request.user, latitude=data["latitude"], longitude=data["longitude"],
                target=target, address=data["address"], subject=data["subject"],
                notes=data["notes"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Checked in."))
            return redirect("activities:activity_detail", activity_id=activity.pk)
    return render(request, "crm/activities/check_in.html", {"form": form, "target": target},
                  status=400 if form.errors else 200)


@require_GET
@staff_required
def nearby(request: HttpRequest) -> HttpResponse:
    form = NearbyForm(request.GET or None)
    accounts: list = []
    if form.is_bound and form.is_valid():
        accounts = selectors.nearby_accounts(
            viewer=request.user, latitude=form.cleaned_data["latitude"],
            longitude=form.cleaned_data["longitude"],
            radius_km=form.cleaned_data["radius_km"] or 25,
        )
    context = {"form": form, "accounts": accounts, "searched": form.is_bound}
    template = ("crm/activities/_nearby_rows.html" if _is_htmx(request)
                else "crm/activities/nearby.html")
    return render(request, template, context, status=400 if form.errors else 200)


@require_POST
@capability_required(Capability.EDIT_RECORDS)
def account_location(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_get_for(viewer=request.user, account_id=account_id)
    form = LocationForm(request.POST)
    if form.is_valid():
        services.account_location_set(actor=request.user, account=account,
                                      latitude=form.cleaned_data["latitude"],
                                      longitude=form.cleaned_data["longitude"])
        messages.success(request, _("Location saved."))
    else:
        messages.error(request, _("Enter a latitude between -90 and 90 and a longitude "
                                  "between -180 and 180."))
    return redirect(safe_next(request, reverse("activities:nearby")))


# --- timelines -----------------------------------------------------------------------------

@require_GET
@staff_required
def timeline(request: HttpRequest, target_type: str, target_id: int) -> HttpResponse:
    """A record's timeline as a fragment (contact, lead and opportunity pages load it with
    htmx; the account page shows it as a panel)."""
    record = target_get_for(viewer=request.user, target_type=target_type, target_id=target_id)
    return render(request, "crm/activities/_timeline.html", {
        "record": record, "target_type": target_key_of(record),
        "activities": selectors.timeline_for(viewer=request.user, record=record),
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    })


def account_timeline_panel(request: HttpRequest, account: Any, descendant_ids: list[int]
                           ) -> dict[str, Any]:
    """Context of the account page's timeline panel (crm.accounts.panels)."""
    return {
        "activities": selectors.timeline_for(viewer=request.user, record=account, limit=20),
        "target_type": "account", "record": account,
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    }
