"""Operator console additions on the public host (/billing/operator/...); the same
command as the console's own grace form (tenants.operator.services.tenant_grace_extend)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.forms import GraceExtensionForm
from tenants.models import Tenant, TenantKind
from tenants.operator.access import operator_required
from tenants.operator.services import tenant_grace_extend
from tenants.services import TenantActionError


@require_POST
@operator_required
def extend_grace(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = get_object_or_404(Tenant, pk=pk, kind=TenantKind.CUSTOMER)
    form = GraceExtensionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("operator:tenant_detail", pk=pk)
    try:
        account = tenant_grace_extend(tenant=tenant, actor=request.user,
                                      days=form.cleaned_data["days"],
                                      reason=form.cleaned_data["reason"])
    except TenantActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s: grace period until %(date)s") % {
            "name": tenant.name, "date": account.grace_ends_at.date().isoformat()})
    return redirect("operator:tenant_detail", pk=pk)
