"""One view per operator action on a tenant: parse the form, call the service, tell the
operator what happened, back to the tenant's page. Bad input is a message, never a 500."""

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.models import Plan
from tenants.models import Tenant
from tenants.operator import forms
from tenants.operator.access import operator_required
from tenants.operator.selectors import operator_tenant_get
from tenants.operator.services import tenant_domain_add, tenant_grace_extend, tenant_plan_change
from tenants.services import (
    TenantActionError,
    tenant_reactivate,
    tenant_reactivation_plan,
    tenant_suspend,
)


def _act(
    request: HttpRequest, pk: int, form: django_forms.Form,
    command: Callable[[Tenant, dict[str, Any]], str],
) -> HttpResponse:
    tenant = operator_tenant_get(tenant_id=pk)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("operator:tenant_detail", pk=tenant.pk)
    try:
        message = command(tenant, form.cleaned_data)
    except TenantActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
    return redirect("operator:tenant_detail", pk=tenant.pk)


@require_POST
@operator_required
def suspend(request: HttpRequest, pk: int) -> HttpResponse:
    def run(tenant: Tenant, data: dict[str, Any]) -> str:
        tenant_suspend(tenant=tenant, actor=request.user, reason=data["reason"])
        return _("%(name)s is suspended.") % {"name": tenant.name}

    return _act(request, pk, forms.ReasonForm(request.POST), run)


@require_POST
@operator_required
def reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    def run(tenant: Tenant, data: dict[str, Any]) -> str:
        plan = tenant_reactivation_plan(tenant=tenant)
        tenant = tenant_reactivate(tenant=tenant, actor=request.user, reason=data["reason"])
        return f"{tenant.name}: {plan.message}"

    return _act(request, pk, forms.ReasonForm(request.POST), run)


@require_POST
@operator_required
def extend_grace(request: HttpRequest, pk: int) -> HttpResponse:
    def run(tenant: Tenant, data: dict[str, Any]) -> str:
        account = tenant_grace_extend(tenant=tenant, actor=request.user, days=data["days"],
                                      reason=data["reason"])
        return _("%(name)s: grace period until %(date)s") % {
            "name": tenant.name, "date": account.grace_ends_at.date().isoformat()}

    return _act(request, pk, forms.GraceForm(request.POST), run)


@require_POST
@operator_required
def change_plan(request: HttpRequest, pk: int) -> HttpResponse:
    plans = list(Plan.objects.all())

    def run(tenant: Tenant, data: dict[str, Any]) -> str:
        tenant_plan_change(tenant=tenant, actor=request.user, plan_code=data["plan"],
                           reason=data["reason"])
        return _("%(name)s is on the %(plan)s plan now.") % {
            "name": tenant.name, "plan": data["plan"]}

    return _act(request, pk, forms.PlanChangeForm(request.POST, plans=plans), run)


@require_POST
@operator_required
def add_domain(request: HttpRequest, pk: int) -> HttpResponse:
    def run(tenant: Tenant, data: dict[str, Any]) -> str:
        domain = tenant_domain_add(tenant=tenant, actor=request.user, host=data["host"],
                                   reason=data["reason"])
        return _("%(host)s now opens %(name)s.") % {"host": domain.domain, "name": tenant.name}

    return _act(request, pk, forms.DomainForm(request.POST), run)

