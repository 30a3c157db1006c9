"""Operators move a tenant to another plan: in Stripe first when it has a subscription (the
item moves to the new plan's Price, prorated), then the billing account and the tenant's
plan code here. Audited by the caller (the operator console records the reason)."""

from django.db import transaction
from django.utils.translation import gettext as _

from billing import stripe_api
from billing.models import BillingAccount, Plan
from billing.services.accounts import billing_account_ensure
from billing.services.errors import BillingError
from tenants.models import Tenant
from tenants.users.models import User
from tenants.users.permissions import is_operator


def billing_plan_change(*, tenant: Tenant, actor: User, plan_code: str) -> BillingAccount:
    """Put the tenant on ``plan_code``. A live subscription is changed in Stripe before any
    local row (a Stripe failure raises StripeError and changes nothing here); without one
    the plan applies at once (trial seats, and what Checkout offers first)."""
    if not is_operator(actor):
        raise BillingError(_("Only platform operators can change a workspace's plan."))
    plan = Plan.objects.filter(code=plan_code).first()
    if plan is None:
        raise BillingError(_("Choose one of the plans."))
    account = billing_account_ensure(tenant=tenant)
    if account.plan_id == plan.pk and tenant.plan_code == plan.code:
        raise BillingError(_("The workspace is on this plan already."))
    if account.has_subscription and account.stripe_subscription_item_id:
        price_id = (plan.stripe_price_monthly_id if account.interval == "month"
                    else plan.stripe_price_yearly_id)
        if not price_id:
            raise BillingError(_("This plan is not in Stripe yet: sync the plans first."))
        stripe_api.subscription_set_price(
            subscription_id=account.stripe_subscription_id,
            item_id=account.stripe_subscription_item_id, price_id=price_id,
            quantity=max(account.seats_paid, 1),
        )
    with transaction.atomic():
        BillingAccount.objects.filter(pk=account.pk).update(plan=plan)
        Tenant.objects.filter(pk=tenant.pk).update(plan_code=plan.code)
    tenant.plan_code = plan.code
    account.refresh_from_db()
    return account
