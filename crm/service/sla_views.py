"""SLA pages under /crm/service/: SLA policies (with the holiday proposal a tenant reviews
before saving) and SLA settings, service contracts, and the service analysis. Every staff
user reads; MANAGE_SLA changes policies, settings and contracts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.core.decorators import capability_required, staff_required
from crm.core.forms import apply_service_errors
from crm.core.pagination import page_of
from crm.service import reports, sla_forms, sla_selectors
from crm.service.business_time import zone_names
from crm.service.models import ServiceContract, Severity, SlaPolicy
from crm.service.services import contracts as contract_services
from crm.service.services import policies as policy_services
from crm.service.sla_filters import ServiceContractFilter
from tenants.users.permissions import Capability, can

sla_required = capability_required(Capability.MANAGE_SLA)


# --- policies -----------------------------------------------------------------------------

@require_GET
@staff_required
def policy_list(request: HttpRequest) -> HttpResponse:
    can_manage = can(request.user, Capability.MANAGE_SLA)
    settings = policy_services.sla_settings_get()
    return render(request, "crm/service/sla/policy_list.html", {
        "policies": sla_selectors.sla_policy_list(viewer=request.user).order_by("name", "pk"),
        "can_manage": can_manage, "settings": settings,
        "settings_form": sla_forms.SlaSettingsForm(initial={
            "warning_lead_minutes": settings.warning_lead_minutes,
            "renewal_reminder_days": settings.renewal_reminder_days}) if can_manage else None,
    })


def _targets_by_severity(policy: SlaPolicy) -> list[dict[str, Any]]:
    targets = {t["severity"]: t for t in policy.targets}
    return [{"label": severity.label, **targets[severity.value]}
            for severity in Severity if severity.value in targets]


@require_GET
@staff_required
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = sla_selectors.sla_policy_get_for(viewer=request.user, policy_id=policy_id)
    contracts = (sla_selectors.service_contract_list(viewer=request.user)
                 .filter(sla_policy=policy).order_by("ends_on", "pk")[:50])
    days = [{"name": name, "intervals": [item for item in policy.hours
                                         if item["weekday"] == weekday]}
            for weekday, name in enumerate(sla_forms.WEEKDAY_NAMES)]
    return render(request, "crm/service/sla/policy_detail.html", {
        "policy": policy, "days": days, "targets": _targets_by_severity(policy),
        "contracts": contracts, "can_manage": can(request.user, Capability.MANAGE_SLA),
    })


def _proposal(request: HttpRequest) -> tuple[sla_forms.HolidayProposalForm,
                                             policy_services.HolidayProposal | None]:
    form = sla_forms.HolidayProposalForm(request.GET if "country" in request.GET else None)
    if not form.is_bound or not form.is_valid():
        return form, None
    try:
        proposal = policy_services.holiday_proposal(country=form.cleaned_data["country"],
                                                    year=form.cleaned_data["year"])
    except ValidationError as error:
        apply_service_errors(form, error)
        return form, None
    return form, proposal


def _policy_form(request: HttpRequest, policy: SlaPolicy | None) -> HttpResponse:
    proposal_form, proposal = _proposal(request)
    proposed = ({"holidays": proposal.holidays,
                 "extra_working_days": proposal.extra_working_days} if proposal else None)
    form = sla_forms.SlaPolicyForm(request.POST or None, policy=policy, proposal=proposed)
    if request.method == "POST" and form.is_valid():
        try:
            if policy is None:
                saved = policy_services.sla_policy_create(actor=request.user,
                                                          **form.service_values())
            else:
                saved = policy_services.sla_policy_update(policy=policy, actor=request.user,
                                                          **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("SLA policy saved."))
            return redirect("crm_sla:policy_detail", policy_id=saved.pk)
    if proposal is not None:
        messages.info(request, _("%(count)s holidays and %(extra)s extra working days of "
                                 "%(year)s proposed below: review them, then save.") % {
            "count": len(proposal.holidays), "extra": len(proposal.extra_working_days),
            "year": proposal.year})
    return render(request, "crm/service/sla/policy_form.html", {
        "form": form, "policy": policy, "proposal_form": proposal_form, "proposal": proposal,
        "zones": sorted(zone_names()),
    })


@require_http_methods(["GET", "POST"])
@sla_required
def policy_create(request: HttpRequest) -> HttpResponse:
    return _policy_form(request, None)


@require_http_methods(["GET", "POST"])
@sla_required
def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    return _policy_form(request, sla_selectors.sla_policy_get_for(viewer=request.user,
                                                                  policy_id=policy_id))


@require_GET
@sla_required
def holiday_proposal(request: HttpRequest) -> HttpResponse:
    """The holiday fields filled with a country's year (htmx swaps them into the form; the
    tenant reviews and saves the whole form)."""
    proposal_form, proposal = _proposal(request)
    form = sla_forms.SlaPolicyForm(proposal={
        "holidays": proposal.holidays if proposal else [],
        "extra_working_days": proposal.extra_working_days if proposal else []})
    return render(request, "crm/service/sla/_holiday_fields.html", {
        "form": form, "proposal": proposal, "proposal_form": proposal_form,
    }, status=200 if proposal is not None else 400)


@require_POST
@sla_required
def settings_update(request: HttpRequest) -> HttpResponse:
    form = sla_forms.SlaSettingsForm(request.POST)
    if form.is_valid():
        try:
            policy_services.sla_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("SLA settings saved."))
            return redirect("crm_sla:policy_list")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("crm_sla:policy_list")


# --- contracts ----------------------------------------------------------------------------

@require_GET
@staff_required
def contract_list(request: HttpRequest) -> HttpResponse:
    filters = ServiceContractFilter(
        request.GET or None, queryset=sla_selectors.service_contract_list(viewer=request.user))
    queryset = filters.qs if filters.is_bound and filters.is_valid() else filters.queryset
    return render(request, "crm/service/sla/contract_list.html", {
        "filters": filters, "today": timezone.localdate(),
        "page": page_of(queryset.order_by("ends_on", "pk"), request),
        "can_manage": can(request.user, Capability.MANAGE_SLA),
    })


@require_GET
@staff_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = sla_selectors.service_contract_get_for(viewer=request.user,
                                                      contract_id=contract_id)
    remaining = (contract.allowance - contract.used
                 if contract.allowance is not None else None)
    return render(request, "crm/service/sla/contract_detail.html", {
        "contract": contract, "assets": contract.assets.all(), "remaining": remaining,
        "today": timezone.localdate(), "can_manage": can(request.user, Capability.MANAGE_SLA),
    })


def _contract_form(request: HttpRequest, contract: ServiceContract | None) -> HttpResponse:
    form = sla_forms.ServiceContractForm(request.POST or None, viewer=request.user,
                                         contract=contract)
    if request.method == "POST" and form.is_valid():
        try:
            if contract is None:
                saved = contract_services.service_contract_create(actor=request.user,
                                                                  **form.service_values())
            else:
                saved = contract_services.service_contract_update(
                    contract=contract, actor=request.user, **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Service contract saved."))
            return redirect("crm_sla:contract_detail", contract_id=saved.pk)
    return render(request, "crm/service/sla/contract_form.html", {"form": form,
                                                                   "contract": contract})


@require_http_methods(["GET", "POST"])
@sla_required
def contract_create(request: HttpRequest) -> HttpResponse:
    return _contract_form(request, None)


@require_http_methods(["GET", "POST"])
@sla_required
def contract_edit(request: HttpRequest, contract_id: int) -> HttpResponse:
    return _contract_form(request, sla_selectors.service_contract_get_for(
        viewer=request.user, contract_id=contract_id))


# --- analysis -----------------------------------------------------------------------------

@require_GET
@staff_required
def service_reports(request: HttpRequest) -> HttpResponse:
    form = sla_forms.ReportForm(request.GET or None)
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    try:
        report = reports.service_report(viewer=request.user,
                                        group_by=values.get("group_by") or "severity",
                                        since=values.get("since"), until=values.get("until"))
    except ValueError as exc:
        form.add_error(None, str(exc))
        report = reports.service_report(viewer=request.user)
    return render(request, "crm/service/sla/reports.html", {
        "form": form, "report": report, "chart": report.chart,
        "group_label": dict(sla_forms.GROUP_CHOICES)[report.group_by],
    })
