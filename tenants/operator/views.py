"""The operator console on the public host: tenants with status, plan, users; suspend and
reactivate (audited)."""

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tenants.forms import OperatorActionForm
from tenants.models import Tenant, TenantKind
from tenants.security.throttle import LoginThrottleMixin
from tenants.services import TenantActionError, staff_counts, tenant_reactivate, tenant_suspend
from tenants.urls_util import tenant_url
from tenants.users.permissions import is_operator


def operator_required(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_operator(request.user):
            return redirect(f"{reverse('operator:login')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


class OperatorLoginView(LoginThrottleMixin, auth_views.LoginView):
    template_name = "operator/login.html"
    redirect_authenticated_user = False

    def get_success_url(self) -> str:
        return self.get_redirect_url() or reverse("operator:tenants")


@require_GET
@operator_required
def tenant_list(request: HttpRequest) -> HttpResponse:
    tenants = Tenant.objects.filter(kind=TenantKind.CUSTOMER).prefetch_related("domains")
    query = request.GET.get("q", "").strip()
    if query:
        tenants = tenants.filter(slug__icontains=query) | tenants.filter(name__icontains=query)
    status = request.GET.get("status", "")
    if status:
        tenants = tenants.filter(status=status)
    page = Paginator(tenants.order_by("-created_at"), 50).get_page(request.GET.get("page"))
    counts = staff_counts(list(page.object_list))
    rows = [
        {"tenant": t, "users": counts.get(t.pk, 0), "url": tenant_url(t)} for t in page.object_list
    ]
    return render(request, "operator/tenant_list.html",
                  {"page": page, "rows": rows, "q": query, "status": status,
                   "statuses": Tenant._meta.get_field("status").choices})


@operator_required
def tenant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = get_object_or_404(Tenant, pk=pk, kind=TenantKind.CUSTOMER)
    return render(request, "operator/tenant_detail.html", {
        "tenant": tenant, "form": OperatorActionForm(), "url": tenant_url(tenant),
        "actions": tenant.operator_actions.select_related("operator")[:50],
        "users": staff_counts([tenant]).get(tenant.pk, 0),
    })


@require_POST
@operator_required
def tenant_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    tenant = get_object_or_404(Tenant, pk=pk, kind=TenantKind.CUSTOMER)
    form = OperatorActionForm(request.POST)
    commands = {"suspend": tenant_suspend, "reactivate": tenant_reactivate}
    if action not in commands:
        return HttpResponse(status=404)
    if not form.is_valid():
        messages.error(request, form.errors.get("reason", ["?"])[0])
        return redirect("operator:tenant_detail", pk=pk)
    try:
        commands[action](tenant=tenant, actor=request.user, reason=form.cleaned_data["reason"])
    except TenantActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{tenant.name}: {action}")
    return redirect("operator:tenant_detail", pk=pk)
