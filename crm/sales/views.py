"""Sales pages: opportunity list/detail/forms, Kanban board, forecast, pipeline settings.

Adapters only: they parse input, call crm.sales.services / selectors and render.
"""

from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.accounts.selectors import account_visible_queryset
from crm.core.audit import history_for
from crm.core.decorators import capability_required
from crm.core.exports import export_requested, page_export
from crm.core.forms import apply_service_errors
from crm.core.page_filters import page_filters
from crm.sales import forms, selectors, services
from crm.sales.filters import OpportunityFilter
from crm.sales.models import KeyAction, Opportunity, Pipeline, Stage
from tenants.users.models import User
from tenants.users.permissions import Capability, can

PAGE_SIZE = 50


def sales_required(*, write: bool = False) -> Callable:
    """Staff who work sales (or see everything); ``write`` also needs MANAGE_SALES.
    Service agents have no sales area: 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            user = request.user
            if not can(user, Capability.USE_CRM) or not selectors.sees_sales(user):
                raise PermissionDenied
            if write and not (can(user, Capability.MANAGE_SALES)
                              and can(user, Capability.EDIT_RECORDS)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator



def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- list ----------------------------------------------------------------------------------

@require_GET
@sales_required()
def opportunity_list(request: HttpRequest) -> HttpResponse:
    filters = page_filters(request, OpportunityFilter,
                           selectors.opportunity_list(viewer=request.user),
                           sort_param="ordering", sort_choices=forms.ORDERING_CHOICES,
                           sort_label=_("Order by"))
    opportunities = selectors.opportunity_order(filters.rows, filters.sort)
    if export_requested(request) and filters.valid:
        return page_export(request, opportunities, api_basename="opportunity")
    page = Paginator(opportunities, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "crm/sales/opportunity_list.html", {
        "filters": filters, "page": page, "query": query.urlencode(),
        "can_create": can(request.user, Capability.MANAGE_SALES),
    }, status=filters.status)


# --- create / edit --------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@sales_required(write=True)
def opportunity_create(request: HttpRequest) -> HttpResponse:
    initial = {"account": request.GET.get("account", "")}
    form = forms.OpportunityCreateForm(request.POST or None, viewer=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opportunity = services.opportunity_create(
                account=data["account"], name=data["name"], amount=data["amount"],
                currency=data["currency"] or None, close_date=data["close_date"],
                pipeline=data["pipeline"], owner=data.get("owner") or request.user,
                actor=request.user, next_step=data["next_step"],
                competitors=data["competitors"].split(","),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Opportunity created."))
            return redirect("sales:opportunity_detail", opportunity_id=opportunity.pk)
    return render(request, "crm/sales/opportunity_form.html", {"form": form, "creating": True})


@require_GET
@sales_required()
def account_options(request: HttpRequest) -> HttpResponse:
    """<option>s of visible accounts matching ``account_q`` (the create form's search)."""
    term = request.GET.get("account_q", "").strip()
    accounts = account_visible_queryset(viewer=request.user).only("pk", "name")
    if term:
        accounts = accounts.filter(name__icontains=term)
    return render(request, "crm/sales/_account_options.html",
                  {"accounts": accounts.order_by("name")[:20], "term": term})


@require_http_methods(["GET", "POST"])
@sales_required(write=True)
def opportunity_edit(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get_for(viewer=request.user,
                                                opportunity_id=opportunity_id)
    initial = {
        "name": opportunity.name, "amount": opportunity.amount,
        "currency": opportunity.currency, "close_date": opportunity.close_date,
        "probability": opportunity.probability if opportunity.probability_overridden else None,
        "owner": opportunity.owner_id, "next_step": opportunity.next_step,
        "competitors": ", ".join(opportunity.competitors), "lost_reason": opportunity.lost_reason,
    }
    form = forms.OpportunityEditForm(request.POST or None, viewer=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items()
                   if name in form.changed_data}
        try:
            services.opportunity_update(opportunity=opportunity, actor=request.user, **changes)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Opportunity saved."))
            return redirect("sales:opportunity_detail", opportunity_id=opportunity.pk)
    return render(request, "crm/sales/opportunity_form.html",
                  {"form": form, "opportunity": opportunity, "creating": False},
                  status=400 if form.errors else 200)


# --- detail ---------------------------------------------------------------------------------

def _detail_context(request: HttpRequest, opportunity: Opportunity) -> dict[str, Any]:
    data = selectors.opportunity_detail_data(opportunity=opportunity)
    writer = can(request.user, Capability.MANAGE_SALES) and can(request.user,
                                                                  Capability.EDIT_RECORDS)
    return {
        "opportunity": opportunity,
        **data,
        "can_edit": writer,
        "can_override": can(request.user, Capability.OVERRIDE_KEY_ACTIONS),
        "move_form": forms.MoveForm(pipeline=opportunity.pipeline,
                                    initial={"stage": opportunity.stage_id}),
        "committee_form": forms.CommitteeForm(contacts=selectors.committee_candidates(
            viewer=request.user, opportunity=opportunity)),
        "team_form": forms.TeamMemberForm(),
        "history_entries": history_for(opportunity)[:30],
    }


@require_GET
@sales_required()
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get_for(viewer=request.user,
                                                opportunity_id=opportunity_id)
    return render(request, "crm/sales/opportunity_detail.html",
                  _detail_context(request, opportunity))


@require_POST
@sales_required(write=True)
def opportunity_key_action_toggle(request: HttpRequest, opportunity_id: int,
                                  key_action_id: int) -> HttpResponse:
    """htmx: tick/untick a key action; answers the re-rendered stage path and checklist."""
    opportunity = selectors.opportunity_get_for(viewer=request.user,
                                                opportunity_id=opportunity_id)
    key_action = KeyAction.objects.filter(
        pk=key_action_id, stage__pipeline_id=opportunity.pipeline_id
    ).select_related("stage").first()
    if key_action is None:
        raise Http404
    services.key_action_complete(opportunity=opportunity, key_action=key_action,
                                 actor=request.user, done=request.POST.get("done") == "1")
    if request.headers.get("HX-Request"):
        data = selectors.opportunity_detail_data(opportunity=opportunity)
        return render(request, "crm/sales/_stage_path.html", {
            "opportunity": opportunity, **data, "can_edit": True,
        })
    return redirect("sales:opportunity_detail", opportunity_id=opportunity.pk)


def _move_error_payload(request: HttpRequest, error: ValidationError) -> dict[str, Any]:
    if isinstance(error, services.KeyActionsIncompleteError):
        return {
            "ok": False, "code": "key_actions_incomplete",
            "message": " ".join(error.message_dict["stage"]),
            "missing": [{"id": item.pk, "label": item.label, "stage": item.stage.name}
                        for item in error.missing],
            "can_override": can(request.user, Capability.OVERRIDE_KEY_ACTIONS),
        }
    fields = error.message_dict if hasattr(error, "error_dict") else {"stage": error.messages}
    code = "lost_reason_required" if "lost_reason" in fields else "invalid"
    return {"ok": False, "code": code,
            "message": " ".join(message for items in fields.values() for message in items),
            "errors": fields, "can_override": False}


@require_POST
@sales_required(write=True)
def opportunity_move(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Move to a stage: the board posts with ``Accept: application/json`` (JSON answer,
    400 when refused); the detail page's form gets a redirect with a message."""
    opportunity = selectors.opportunity_get_for(viewer=request.user,
                                                opportunity_id=opportunity_id)
    form = forms.MoveForm(request.POST, pipeline=opportunity.pipeline)
    as_json = _wants_json(request)
    if not form.is_valid():
        payload = {"ok": False, "code": "invalid", "errors": form.errors.get_json_data(),
                   "message": _("Choose a stage of this deal's pipeline."),
                   "can_override": False}
        if as_json:
            return JsonResponse(payload, status=400)
        messages.error(request, payload["message"])
        return redirect("sales:opportunity_detail", opportunity_id=opportunity.pk)
    data = form.cleaned_data
    try:
        moved = services.opportunity_move_stage(
            opportunity=opportunity, stage=data["stage"], actor=request.user,
            override_reason=data["override_reason"], lost_reason=data["lost_reason"],
        )
    except PermissionDenied:
        message = _("Only a manager may override key actions.")
        if as_json:
            return JsonResponse({"ok": False, "code": "forbidden", "message": message,
                                 "can_override": False}, status=403)
        messages.error(request, message)
        return redirect("sales:opportunity_detail", opportunity_id=opportunity.pk)
    except ValidationError as error:
        payload = _move_error_payload(request, error)
        if as_json:
            return JsonResponse(payload, status=400)
        messages.error(request, payload["message"])
        return redirect("sales:opportunity_detail", opportunity_id=opportunity.pk)
    if as_json:
        return JsonResponse({
            "ok": True, "opportunity": moved.pk, "stage": moved.stage_id,
            "stage_name": moved.stage.name, "probability": moved.probability,
            "closed": moved.closed_at is not None,
        })
    messages.success(request, _("Moved to %(stage)s.") % {"stage": moved.stage.name})
    return redirect("sales:opportunity_detail", opportunity_id=opportunity.pk)


@require_POST
@sales_required(write=True)
def opportunity_committee_add(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get_for(viewer=request.user,
                                                opportunity_id=opportunity_id)
    form = forms.CommitteeForm(request.POST, contacts=selectors.committee_candidates(
        viewer=request.user, opportunity=opportunity))
    if form.is_valid():
        try:
            services.opportunity_contact_set(
                opportunity=opportunity, contact=form.cleaned_data["contact"],
                role=form.cleaned_data["role"], is_primary=form.cleaned_data["is_primary"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Added to the buying committee."))
    else:
        messages.error(request, _("Choose a contact of this account and a role."))
    return redirect(reverse("sales:opportunity_detail", args=[opportunity.pk]) + "#committee")


@require_POST
@sales_required(write=True)
def opportunity_committee_remove(request: HttpRequest, opportunity_id: int,
                                 contact_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get_for(viewer=request.user,
                                                opportunity_id=opportunity_id)
    contact = opportunity.committee.filter(contact_id=contact_id).first()
    if contact is None:
        raise Http404
    services.opportunity_contact_remove(opportunity=opportunity, contact=contact.contact,
                                        actor=request.user)
    return redirect(reverse("sales:opportunity_detail", args=[opportunity.pk]) + "#committee")


@require_POST
@sales_required(write=True)
def opportunity_team_add(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get_for(viewer=request.user,
                                                opportunity_id=opportunity_id)
    form = forms.TeamMemberForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_team_member_set(
                opportunity=opportunity, user=form.cleaned_data["user"],
                role=form.cleaned_data["role"], actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Added to the deal team."))
    else:
        messages.error(request, _("Choose a colleague and a role."))
    return redirect(reverse("sales:opportunity_detail", args=[opportunity.pk]) + "#team")


@require_POST
@sales_required(write=True)
def opportunity_team_remove(request: HttpRequest, opportunity_id: int,
                            user_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get_for(viewer=request.user,
                                                opportunity_id=opportunity_id)
    member = opportunity.team_members.filter(user_id=user_id).select_related("user").first()
    if member is None:
        raise Http404
    services.opportunity_team_member_remove(opportunity=opportunity, user=member.user,
                                            actor=request.user)
    return redirect(reverse("sales:opportunity_detail", args=[opportunity.pk]) + "#team")


# --- pipelines and the board ----------------------------------------------------------------

@require_GET
@sales_required()
def pipeline_list(request: HttpRequest) -> HttpResponse:
    pipelines = selectors.pipeline_list(viewer=request.user)
    return render(request, "crm/sales/pipeline_list.html", {
        "pipelines": pipelines,
        "can_manage": can(request.user, Capability.MANAGE_SETTINGS),
    })


@require_GET
@sales_required()
def pipeline_board(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = selectors.pipeline_get_for(viewer=request.user, pipeline_id=pipeline_id)
    owner = request.GET.get("owner", "")
    filters = selectors.OpportunityFilters(
        status="", q=request.GET.get("q", "")[:100],
        owner=int(owner) if owner.isdigit() else None,
    )
    columns = selectors.board_columns(viewer=request.user, pipeline=pipeline, filters=filters)
    return render(request, "crm/sales/board.html", {
        "pipeline": pipeline, "columns": columns,
        "pipelines": selectors.pipeline_list(viewer=request.user),
        "can_move": can(request.user, Capability.MANAGE_SALES)
        and can(request.user, Capability.EDIT_RECORDS),
        "can_override": can(request.user, Capability.OVERRIDE_KEY_ACTIONS),
        "q": filters.q, "owner": owner,
    })


@require_GET
@sales_required()
def pipeline_default_board(request: HttpRequest) -> HttpResponse:
    pipeline = selectors.pipeline_list(viewer=request.user).first()
    if pipeline is None:
        return redirect("sales:pipeline_list")
    return redirect("sales:pipeline_board", pipeline_id=pipeline.pk)


# --- forecast ------------------------------------------------------------------------------

def _pivot(rows: list[selectors.ForecastRow], months: list[Any]) -> list[dict[str, Any]]:
    """Rows keyed by (label, currency) with weighted amounts per month column."""
    table: OrderedDict[tuple[Any, str], dict[str, Any]] = OrderedDict()
    for row in rows:
        entry = table.setdefault((row.key, row.currency), {
            "label": row.label, "currency": row.currency, "cells": {}, "weighted": 0,
            "amount": 0, "count": 0,
        })
        entry["cells"][row.month] = entry["cells"].get(row.month, 0) + row.weighted
        entry["weighted"] += row.weighted
        entry["amount"] += row.amount
        entry["count"] += row.count
    for entry in table.values():
        entry["columns"] = [entry["cells"].get(month) for month in months]
    return list(table.values())


@require_GET
@sales_required()
def forecast(request: HttpRequest) -> HttpResponse:
    form = forms.ForecastFilterForm(request.GET or None)
    params: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        params = {
            "start": form.cleaned_data["start"], "end": form.cleaned_data["end"],
            "pipeline": form.cleaned_data["pipeline"].pk if form.cleaned_data["pipeline"]
            else None,
        }
    by_month = selectors.forecast_by_month(viewer=request.user, **params)
    months = sorted({row.month for row in by_month})
    by_rep = selectors.forecast_by_rep(viewer=request.user, **params)
    by_team = selectors.forecast_by_team(viewer=request.user, **params)
    return render(request, "crm/sales/forecast.html", {
        "form": form, "by_month": by_month, "months": months,
        "totals": selectors.forecast_totals(by_month),
        "rep_rows": _pivot(by_rep, months), "team_rows": _pivot(by_team, months),
    })


# --- pipeline settings (admins) ---------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def pipeline_settings_index(request: HttpRequest) -> HttpResponse:
    form = forms.PipelineForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            pipeline = services.pipeline_create(
                name=form.cleaned_data["name"], is_default=form.cleaned_data["is_default"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Pipeline created with the standard stages."))
            return redirect("sales:pipeline_settings", pipeline_id=pipeline.pk)
    pipelines = Pipeline.objects.prefetch_related("stages")
    return render(request, "crm/sales/pipeline_settings_index.html",
                  {"pipelines": pipelines, "form": form})


def _settings_action(request: HttpRequest, pipeline: Pipeline) -> Form | None:
    """Run the settings form named by POST ``op``; return a form with errors to re-show."""
    op = request.POST.get("op", "")
    actor: User = request.user
    if op == "pipeline":
        form: Form = forms.PipelineForm(request.POST)
        if form.is_valid():
            services.pipeline_update(pipeline=pipeline, actor=actor, **form.cleaned_data)
        return form
    if op == "add_stage":
        form = forms.StageForm(request.POST)
        if form.is_valid():
            services.stage_create(pipeline=pipeline, actor=actor, **form.cleaned_data)
        return form
    stage = None
    if request.POST.get("stage", "").isdigit():
        stage = pipeline.stages.filter(pk=int(request.POST["stage"])).first()
    if op in {"update_stage", "delete_stage", "add_key_action"} and stage is None:
        raise Http404
    if op == "update_stage":
        form = forms.StageForm(request.POST)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if v is not None}
            services.stage_update(stage=stage, actor=actor, **values)
        return form
    if op == "delete_stage":
        services.stage_delete(stage=stage, actor=actor)
        return None
    if op == "add_key_action":
        form = forms.KeyActionForm(request.POST)
        if form.is_valid():
            services.key_action_create(stage=stage, actor=actor, **form.cleaned_data)
        return form
    key_action = None
    if request.POST.get("key_action", "").isdigit():
        key_action = KeyAction.objects.filter(
            pk=int(request.POST["key_action"]), stage__pipeline=pipeline
        ).select_related("stage__pipeline").first()
    if key_action is None:
        raise Http404
    if op == "toggle_required":
        services.key_action_update(key_action=key_action, actor=actor,
                                   required=not key_action.required)
        return None
    if op == "delete_key_action":
        services.key_action_delete(key_action=key_action, actor=actor)
        return None
    raise Http404


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def pipeline_settings(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
    if pipeline is None:
        raise Http404
    if request.method == "POST":
        try:
            form = _settings_action(request, pipeline)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if form is not None and form.errors:
                messages.error(request, " ".join(
                    str(message) for errors in form.errors.values() for message in errors
                ))
            else:
                messages.success(request, _("Pipeline settings saved."))
        return redirect("sales:pipeline_settings", pipeline_id=pipeline.pk)
    stages = list(Stage.objects.filter(pipeline=pipeline).prefetch_related("key_actions"))
    return render(request, "crm/sales/pipeline_settings.html", {
        "pipeline": pipeline, "stages": stages,
        "pipeline_form": forms.PipelineForm(initial={
            "name": pipeline.name, "is_default": pipeline.is_default, "active": pipeline.active,
        }),
        "stage_form": forms.StageForm(), "key_action_form": forms.KeyActionForm(),
    })
