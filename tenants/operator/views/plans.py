"""Plans (public schema), edited only here on the public host and synced to Stripe by
billing's plan sync before they are saved."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from billing.models import Plan
from tenants.operator import forms
from tenants.operator.access import operator_required
from tenants.operator.services import plan_edit
from tenants.services import TenantActionError


@require_GET
@operator_required
def plan_list(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count

    plans = Plan.objects.annotate(accounts_count=Count("accounts")).order_by(
        "sort_order", "price_monthly")
    return render(request, "operator/plan_list.html", {"plans": plans})


def _edit(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = forms.PlanForm(request.POST or None, instance=plan)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            edited = form.save()
            try:
                report = plan_edit(plan=edited, actor=request.user,
                                   reason=form.cleaned_data["reason"],
                                   changed=form.changed_for_audit)
            except TenantActionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _(
                    "%(plan)s saved and synced to Stripe (%(created)s created, %(updated)s "
                    "updated, %(unchanged)s unchanged).") % {
                        "plan": edited.name, "created": len(report.created),
                        "updated": len(report.updated), "unchanged": len(report.unchanged)})
                return redirect("operator:plans")
        status = 400
    return render(request, "operator/plan_form.html", {"form": form, "plan": plan},
                  status=status)


@operator_required
def plan_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, Plan(features={}))


@operator_required
def plan_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Plan, pk=pk))
