"""/crm/settings/billing/ on a tenant host: the billing admin's page, Checkout, the Billing
Portal and seat changes. Always the request's own tenant; nothing takes a tenant id."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing.forms import CheckoutForm, SeatsForm
from billing.selectors import billing_overview
from billing.services.errors import BillingError
from billing.services.subscriptions import (
    checkout_seats_default,
    checkout_start,
    portal_start,
    queue_subscription_sync,
    subscription_seats_update,
)
from billing.stripe_client import StripeError, StripeUnavailableError
from crm.core.decorators import capability_required
from tenants.users.permissions import Capability


def _page(request: HttpRequest, *, status: int = 200, with_stripe: bool = True,
          checkout_form: CheckoutForm | None = None, seats_form: SeatsForm | None = None,
          error: str = "") -> HttpResponse:
    overview = billing_overview(viewer=request.user, tenant=request.tenant,
                                with_stripe=with_stripe)
    account = overview.account
    current_plan = account.plan or (overview.plans[0] if overview.plans else None)
    if checkout_form is None:
        checkout_form = CheckoutForm(plans=overview.plans, initial={
            "plan": current_plan.code if current_plan else "",
            "interval": account.interval,
            "seats": checkout_seats_default(plan=current_plan) if current_plan else 1,
        })
    if seats_form is None:
        seats_form = SeatsForm(initial={"seats": account.seats_paid or overview.seats_used})
    context: dict[str, Any] = {
        "overview": overview, "account": account, "tenant": request.tenant,
        "checkout_form": checkout_form, "seats_form": seats_form, "error": error,
        "checkout_result": request.GET.get("checkout", ""),
    }
    return render(request, "billing/tenant/overview.html", context, status=status)


@require_GET
@capability_required(Capability.MANAGE_BILLING)
def overview(request: HttpRequest) -> HttpResponse:
    if request.GET.get("checkout") == "success":
        # Back from Checkout: refresh from Stripe in the background in case the webhook is
        # slow (both paths converge on the same state).
        queue_subscription_sync(tenant_id=request.tenant.pk)
    return _page(request)


def _stripe_failure(request: HttpRequest, exc: StripeError, **forms: Any) -> HttpResponse:
    status = 503 if isinstance(exc, StripeUnavailableError) else 400
    # Skip Stripe reads on this answer: it just failed, and the admin's message matters.
    return _page(request, status=status, with_stripe=False, error=str(exc), **forms)


@require_POST
@capability_required(Capability.MANAGE_BILLING)
def checkout(request: HttpRequest) -> HttpResponse:
    from billing.selectors import plans_on_sale

    form = CheckoutForm(request.POST, plans=list(plans_on_sale()))
    if not form.is_valid():
        return _page(request, status=400, with_stripe=False, checkout_form=form)
    try:
        url = checkout_start(
            tenant=request.tenant, actor=request.user, plan_code=form.cleaned_data["plan"],
            interval=form.cleaned_data["interval"], seats=form.cleaned_data["seats"],
        )
    except BillingError as exc:
        return _page(request, status=400, with_stripe=False, checkout_form=form, error=str(exc))
    except StripeError as exc:
        return _stripe_failure(request, exc, checkout_form=form)
    return HttpResponseRedirect(url, status=303)


@require_POST
@capability_required(Capability.MANAGE_BILLING)
def portal(request: HttpRequest) -> HttpResponse:
    try:
        url = portal_start(tenant=request.tenant, actor=request.user)
    except StripeError as exc:
        return _stripe_failure(request, exc)
    return HttpResponseRedirect(url, status=303)


@require_POST
@capability_required(Capability.MANAGE_BILLING)
def seats(request: HttpRequest) -> HttpResponse:
    form = SeatsForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, with_stripe=False, seats_form=form)
    try:
        subscription_seats_update(tenant=request.tenant, actor=request.user,
                                  seats=form.cleaned_data["seats"])
    except BillingError as exc:
        return _page(request, status=400, with_stripe=False, seats_form=form, error=str(exc))
    except StripeError as exc:
        return _stripe_failure(request, exc, seats_form=form)
    messages.success(request, _("Seats updated. The change is prorated on the next invoice."))
    return redirect(reverse("billing_tenant:overview"))
