"""Subscriptions: read the truth from Stripe, apply it locally; Checkout, the Billing Portal
and seat changes.

Stripe is called first and local rows are written only after it answered: a Stripe outage
raises StripeUnavailableError and leaves every local row as it was.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import stripe_api
from billing.models import BillingAccount, BillingAction, BillingInterval, Plan
from billing.services.accounts import billing_account_ensure
from billing.services.errors import BillingError
from billing.services.notices import admins_notify_later
from billing.services.status import grace_over, grace_start, tenant_status_set, trial_running
from tenants.models import Tenant, TenantStatus
from tenants.seats import seats_in_use
from tenants.urls_util import tenant_url
from tenants.users.models import User

Data = dict[str, Any]
logger = logging.getLogger(__name__)

LIVE = ("active", "trialing", "past_due", "unpaid")
BILLING_PATH = "/crm/settings/billing/"


@dataclass(frozen=True)
class StripeFacts:
    """What Stripe says now about a customer's current subscription."""

    subscription: Data | None
    latest_invoice: Data | None


# Reading -----------------------------------------------------------------------------------

def current_subscription(subscriptions: list[Data]) -> Data | None:
    """The subscription that decides the tenant's status: the newest live one, else the
    newest pending one, else the newest (cancelled) one. Independent of event order."""
    if not subscriptions:
        return None
    by_age = sorted(subscriptions, key=lambda sub: sub.get("created") or 0, reverse=True)
    for wanted in (LIVE, ("incomplete",)):
        for sub in by_age:
            if sub.get("status") in wanted:
                return sub
    return by_age[0]


def stripe_facts_read(*, account: BillingAccount) -> StripeFacts:
    """Re-read the customer's subscriptions (and the current one's latest invoice)."""
    if not account.stripe_customer_id:
        return StripeFacts(None, None)
    subscription = current_subscription(
        stripe_api.subscriptions_for_customer(account.stripe_customer_id)
    )
    invoice = None
    if subscription is not None:
        latest = subscription.get("latest_invoice")
        if isinstance(latest, dict):
            invoice = latest
        elif isinstance(latest, str) and latest:
            invoice = stripe_api.invoice_retrieve(latest)
    return StripeFacts(subscription, invoice)


def _first_item(subscription: Data) -> Data:
    items = subscription.get("items") or {}
    data = items.get("data") if isinstance(items, dict) else None
    return data[0] if data else {}


def _price_of(item: Data) -> Data:
    # Current API: item.price; localstripe (older API): item.plan.
    return item.get("price") or item.get("plan") or {}


def _timestamp(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def plan_for_subscription(subscription: Data) -> Plan | None:
    code = (subscription.get("metadata") or {}).get("plan_code")
    if code:
        plan = Plan.objects.filter(code=code).first()
        if plan is not None:
            return plan
    price = _price_of(_first_item(subscription))
    price_id = price.get("id") or ""
    lookup_key = price.get("lookup_key") or price_id
    for plan in Plan.objects.all():
        if price_id and price_id in (plan.stripe_price_monthly_id, plan.stripe_price_yearly_id):
            return plan
        if lookup_key in (plan.lookup_key("month"), plan.lookup_key("year")):
            return plan
    return None


def desired_status(facts: StripeFacts) -> str | None:
    """The tenant status Stripe's facts call for (None: leave it)."""
    subscription = facts.subscription
    if subscription is None:
        return None
    status = subscription.get("status")
    invoice = facts.latest_invoice or {}
    payment_failed = (
        invoice.get("status") == "open" and (invoice.get("attempt_count") or 0) > 0
    )
    if status in ("active", "trialing"):
        return TenantStatus.PAST_DUE if payment_failed else TenantStatus.ACTIVE
    if status in ("past_due", "unpaid"):
        return TenantStatus.PAST_DUE
    if status == "canceled":
        return TenantStatus.SUSPENDED
    return None  # incomplete: Checkout still running, nothing to decide yet


# Applying ----------------------------------------------------------------------------------

def stripe_facts_apply(*, account: BillingAccount, facts: StripeFacts, reason: str) -> str:
    """Store the subscription as Stripe reported it and move the tenant's status; returns a
    short outcome for the event log. Idempotent: applying the same facts twice changes
    nothing the second time."""
    subscription = facts.subscription
    if subscription is None:
        return "no subscription"
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().select_related("tenant").get(
            pk=account.pk
        )
        tenant = account.tenant
        item = _first_item(subscription)
        price = _price_of(item)
        plan = plan_for_subscription(subscription)
        account.stripe_subscription_id = subscription.get("id") or ""
        account.stripe_subscription_item_id = item.get("id") or ""
        account.subscription_status = subscription.get("status") or ""
        account.seats_paid = int(item.get("quantity") or subscription.get("quantity") or 0)
        account.current_period_end = _timestamp(
            item.get("current_period_end") or subscription.get("current_period_end")
        )
        account.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
        interval = (price.get("recurring") or {}).get("interval") or price.get("interval")
        if interval in BillingInterval.values:
            account.interval = interval
        if plan is not None:
            account.plan = plan
        account.last_synced_at = timezone.now()
        account.save()
        if plan is not None and tenant.plan_code != plan.code:
            Tenant.objects.filter(pk=tenant.pk).update(plan_code=plan.code)
        before = tenant.status
        outcome = _apply_status(account=account, tenant=tenant, facts=facts, reason=reason)
    return f"{subscription.get('status')}: {before} -> {outcome}"


def _apply_status(*, account: BillingAccount, tenant: Tenant, facts: StripeFacts,
                  reason: str) -> str:
    wanted = desired_status(facts)
    if wanted == TenantStatus.ACTIVE:
        if account.grace_ends_at is not None:
            account.grace_ends_at = None
            account.save(update_fields=["grace_ends_at", "updated_at"])
        tenant_status_set(tenant=tenant, status=TenantStatus.ACTIVE, reason=reason)
    elif wanted == TenantStatus.PAST_DUE:
        if grace_start(account=account) and account.grace_ends_at is not None:
            admins_notify_later(
                tenant=tenant, verb="billing_past_due",
                subject=_("Payment failed for %(name)s") % {"name": tenant.name},
                message=_("The last payment failed. Please update the payment method by "
                          "%(date)s to keep full access.")
                % {"date": account.grace_ends_at.date().isoformat()},
            )
        if grace_over(account):
            tenant_status_set(tenant=tenant, status=TenantStatus.READ_ONLY, reason=reason)
        else:
            tenant_status_set(tenant=tenant, status=TenantStatus.PAST_DUE, reason=reason)
    elif wanted == TenantStatus.SUSPENDED and not (
        tenant.status == TenantStatus.TRIAL and trial_running(tenant)
    ):
        changed = tenant_status_set(tenant=tenant, status=TenantStatus.SUSPENDED, reason=reason)
        if changed:
            admins_notify_later(
                tenant=tenant, verb="billing_cancelled",
                subject=_("Subscription ended for %(name)s") % {"name": tenant.name},
                message=_("The subscription has ended and the workspace is suspended. "
                          "Your data is kept; subscribe again to restore access."),
            )
    return tenant.status


def account_sync(*, tenant: Tenant, reason: str = "sync") -> str:
    """Re-read the tenant's subscription from Stripe and apply it (background sync)."""
    account = billing_account_ensure(tenant=tenant)
    facts = stripe_facts_read(account=account)
    return stripe_facts_apply(account=account, facts=facts, reason=reason)


def queue_subscription_sync(*, tenant_id: int) -> None:
    """Ask Celery to re-read the tenant's subscription (retries with backoff while Stripe
    is unreachable); a broker outage only loses this refresh, never a payment event."""
    from billing.tasks import sync_tenant_subscription

    try:
        sync_tenant_subscription.delay(tenant_id)
    except Exception:
        logger.warning("Could not queue a subscription sync for tenant %s", tenant_id,
                       exc_info=True)


# Checkout, portal, seats -------------------------------------------------------------------

def customer_ensure(*, account: BillingAccount, actor: User) -> str:
    """The tenant's Stripe customer id, created in Stripe first when missing."""
    if account.stripe_customer_id:
        return account.stripe_customer_id
    tenant = account.tenant
    customer = stripe_api.customer_create(
        tenant_id=tenant.pk, schema=tenant.schema_name, name=tenant.name, email=actor.email,
    )
    BillingAccount.objects.filter(pk=account.pk, stripe_customer_id="").update(
        stripe_customer_id=customer["id"], billing_email=customer.get("email") or actor.email,
    )
    account.refresh_from_db()
    return account.stripe_customer_id


def checkout_seats_default(*, plan: Plan) -> int:
    """Seats to buy by default: everyone active now, at least the plan's included seats."""
    return max(seats_in_use(), plan.seats_included, 1)


def checkout_start(
    *, tenant: Tenant, actor: User, plan_code: str, interval: str, seats: int,
) -> str:
    """Open a Stripe Checkout session (subscription mode, quantity = seats); returns its URL.
    Call inside the tenant's schema (seats in use are counted there). A live subscription is
    replaced when the new one is paid (see the webhook's checkout.session.completed)."""
    plan = Plan.objects.filter(code=plan_code, active=True).first()
    if plan is None:
        raise BillingError(_("Choose one of the plans on sale."))
    if interval not in BillingInterval.values:
        raise BillingError(_("Choose monthly or yearly billing."))
    price_id = plan.stripe_price_monthly_id if interval == "month" else plan.stripe_price_yearly_id
    if not price_id:
        raise BillingError(_("This plan cannot be bought online yet. Please contact support."))
    in_use = seats_in_use()
    if seats < max(in_use, 1):
        raise BillingError(
            _("Buy at least %(count)s seats: that many staff users are active.")
            % {"count": max(in_use, 1)}
        )
    account = billing_account_ensure(tenant=tenant)
    customer_id = customer_ensure(account=account, actor=actor)
    metadata = {"tenant_id": str(tenant.pk), "plan_code": plan.code, "interval": interval}
    if account.has_subscription:
        metadata["replaces_subscription"] = account.stripe_subscription_id
    session = stripe_api.checkout_session_create(
        customer_id=customer_id, price_id=price_id, quantity=seats,
        success_url=tenant_url(tenant, BILLING_PATH + "?checkout=success"),
        cancel_url=tenant_url(tenant, BILLING_PATH + "?checkout=cancelled"),
        client_reference_id=str(tenant.pk), metadata=metadata,
    )
    BillingAction.objects.create(
        tenant=tenant, kind=BillingAction.Kind.CHECKOUT_STARTED, actor_email=actor.email,
        after={"plan": plan.code, "interval": interval, "seats": seats,
               "session": session.get("id", "")},
    )
    return str(session["url"])


def portal_start(*, tenant: Tenant, actor: User) -> str:
    """A Stripe Billing Portal session (payment methods, invoices); returns its URL."""
    account = billing_account_ensure(tenant=tenant)
    customer_id = customer_ensure(account=account, actor=actor)
    session = stripe_api.portal_session_create(
        customer_id=customer_id, return_url=tenant_url(tenant, BILLING_PATH)
    )
    return str(session["url"])


def subscription_seats_update(*, tenant: Tenant, actor: User, seats: int) -> BillingAccount:
    """Change the paid seats: the subscription quantity in Stripe (prorated), then here.
    Call inside the tenant's schema."""
    account = billing_account_ensure(tenant=tenant)
    if not account.has_subscription or not account.stripe_subscription_item_id:
        raise BillingError(_("Subscribe to a plan before changing seats."))
    in_use = seats_in_use()
    if seats < max(in_use, 1):
        raise BillingError(
            _("Keep at least %(count)s seats: that many staff users are active. Deactivate "
              "users first to pay for fewer.") % {"count": max(in_use, 1)}
        )
    if seats == account.seats_paid:
        return account
    subscription = stripe_api.subscription_set_quantity(
        subscription_id=account.stripe_subscription_id,
        item_id=account.stripe_subscription_item_id, quantity=seats,
    )
    with transaction.atomic():
        before = account.seats_paid
        item = _first_item(subscription)
        account.seats_paid = int(item.get("quantity") or subscription.get("quantity") or seats)
        account.stripe_subscription_item_id = item.get("id") or account.stripe_subscription_item_id
        account.save(update_fields=["seats_paid", "stripe_subscription_item_id", "updated_at"])
        BillingAction.objects.create(
            tenant=tenant, kind=BillingAction.Kind.SEATS_CHANGED, actor_email=actor.email,
            before={"seats": before}, after={"seats": account.seats_paid},
        )
    return account
