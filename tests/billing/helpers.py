"""Arranging billing scenarios in localstripe the way Checkout and a customer would."""

from typing import Any

import stripe

from billing.models import BillingAccount, Plan
from billing.services.accounts import billing_account_ensure
from tenants.models import Tenant

GOOD_CARD = "4242424242424242"
# Attaches fine, every charge fails (Stripe's documented test card).
FAILING_CARD = "4000000000000341"


def localstripe_plan(raw: stripe.StripeClient, plan: Plan, interval: str = "month") -> str:
    """localstripe knows Plans, not Prices: a Plan whose id is our lookup key."""
    plan_id = plan.lookup_key(interval)
    try:
        raw.v1.plans.retrieve(plan_id)
    except stripe.InvalidRequestError:
        raw.v1.plans.create(params={
            "id": plan_id, "amount": int(plan.price_monthly * 100),
            "currency": plan.currency.lower(), "interval": interval,
            "product": {"name": plan.name},
        })
    return plan_id


def card(raw: stripe.StripeClient, customer_id: str, number: str) -> str:
    method = raw.v1.payment_methods.create(params={
        "type": "card",
        "card": {"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"},
    })
    raw.v1.payment_methods.attach(method.id, params={"customer": customer_id})
    raw.v1.customers.update(customer_id, params={
        "invoice_settings": {"default_payment_method": method.id}})
    return method.id


def customer_for(raw: stripe.StripeClient, tenant: Tenant) -> BillingAccount:
    account = billing_account_ensure(tenant=tenant)
    customer = raw.v1.customers.create(params={
        "name": tenant.name, "email": f"billing@{tenant.slug}.test",
        "metadata": {"tenant_id": str(tenant.pk)},
    })
    BillingAccount.objects.filter(pk=account.pk).update(stripe_customer_id=customer.id)
    account.refresh_from_db()
    return account


def subscribe(raw: stripe.StripeClient, tenant: Tenant, *, plan_code: str = "growth",
              seats: int = 12) -> dict[str, Any]:
    """What a completed Checkout leaves in Stripe: a customer with a card and an active
    subscription carrying the tenant in its metadata."""
    plan = Plan.objects.get(code=plan_code)
    account = customer_for(raw, tenant)
    card(raw, account.stripe_customer_id, GOOD_CARD)
    subscription = raw.v1.subscriptions.create(params={
        "customer": account.stripe_customer_id,
        "items": [{"plan": localstripe_plan(raw, plan), "quantity": seats}],
        "metadata": {"tenant_id": str(tenant.pk), "plan_code": plan.code},
    })
    return subscription.to_dict()


def fail_next_payment(raw: stripe.StripeClient, subscription: dict[str, Any]) -> dict[str, Any]:
    """A renewal invoice charged to a card that declines: the invoice stays open."""
    customer_id = subscription["customer"]
    card(raw, customer_id, FAILING_CARD)
    raw.v1.invoice_items.create(params={
        "customer": customer_id, "amount": 9900, "currency": "usd",
        "subscription": subscription["id"]})
    invoice = raw.v1.invoices.create(params={"customer": customer_id,
                                             "subscription": subscription["id"]})
    raw.v1.invoices.pay(invoice.id)
    return raw.v1.invoices.retrieve(invoice.id).to_dict()


def pay_with_good_card(raw: stripe.StripeClient, invoice: dict[str, Any]) -> dict[str, Any]:
    card(raw, invoice["customer"], GOOD_CARD)
    raw.v1.invoices.pay(invoice["id"])
    return raw.v1.invoices.retrieve(invoice["id"]).to_dict()
