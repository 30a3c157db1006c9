"""Tenants list (public-schema data plus one aggregate query) and one tenant's page."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from billing.models import Plan
from billing.selectors import account_mrr, billing_actions_for
from tenants.operator import forms
from tenants.operator.access import operator_required
from tenants.operator.selectors import (
    StaffStats,
    TenantFilters,
    operator_tenant_get,
    operator_tenant_list,
    staff_stats,
    tenant_figures,
)
from tenants.urls_util import tenant_url

PAGE_SIZE = 50


@require_GET
@operator_required
def tenant_list(request: HttpRequest) -> HttpResponse:
    plans = list(Plan.objects.order_by("sort_order", "price_monthly"))
    form = forms.TenantFilterForm(request.GET, plans=plans)
    data = form.cleaned_data if form.is_valid() else {}
    filters = TenantFilters(q=data.get("q", "").strip(), status=data.get("status", ""),
                            plan=data.get("plan", ""))
    page = Paginator(operator_tenant_list(filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page"))
    tenants = list(page.object_list)
    stats = staff_stats(tenants)
    plan_names = {plan.code: plan.name for plan in plans}
    rows = []
    for tenant in tenants:
        account = getattr(tenant, "billing", None)
        rows.append({
            "tenant": tenant, "staff": stats.get(tenant.pk, StaffStats()),
            "plan": plan_names.get(tenant.plan_code, tenant.plan_code),
            "account": account, "mrr": account_mrr(account) if account else None,
            "currency": account.plan.currency if account and account.plan else "",
        })
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "operator/tenant_list.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
    })


@require_GET
@operator_required
def tenant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from billing.services.accounts import billing_account_ensure

    tenant = operator_tenant_get(tenant_id=pk)
    account = billing_account_ensure(tenant=tenant)
    plans = list(Plan.objects.order_by("sort_order", "price_monthly"))
    return render(request, "operator/tenant_detail.html", {
        "tenant": tenant, "url": tenant_url(tenant), "account": account,
        "mrr": account_mrr(account), "figures": tenant_figures(tenant=tenant),
        "domains": list(tenant.domains.all()),
        "reason_form": forms.ReasonForm(), "grace_form": forms.GraceForm(),
        "plan_form": forms.PlanChangeForm(plans=plans, initial={"plan": tenant.plan_code}),
        "domain_form": forms.DomainForm(),
        "actions": tenant.operator_actions.select_related("operator")[:50],
        "status_changes": tenant.status_changes.select_related("actor")[:50],
        "billing_actions": billing_actions_for(tenant=tenant),
    })
