"""Reads for the billing pages."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from billing import stripe_api
from billing.models import BillingAccount, BillingAction, Plan
from billing.services.accounts import billing_account_ensure
from billing.services.seats import seats_limit
from billing.stripe_client import StripeError
from tenants.models import Tenant
from tenants.seats import seats_in_use
from tenants.users.models import User
from tenants.users.permissions import Capability, can


@dataclass(frozen=True)
class InvoiceRow:
    number: str
    created: datetime | None
    total: Decimal
    currency: str
    status: str
    url: str


@dataclass
class BillingOverview:
    tenant: Tenant
    account: BillingAccount
    seats_used: int
    seats_limit: int
    plans: list[Plan]
    invoices: list[InvoiceRow] = field(default_factory=list)
    upcoming: InvoiceRow | None = None
    # Why invoices could not be shown (Stripe unreachable...), for the page.
    stripe_problem: str = ""


def plans_on_sale() -> QuerySet[Plan]:
    return Plan.objects.filter(active=True).order_by("sort_order", "price_monthly")


def _money(cents: Any) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(Decimal("0.01"))


def _invoice_row(invoice: dict[str, Any]) -> InvoiceRow:
    created = invoice.get("created") or invoice.get("date")
    return InvoiceRow(
        number=str(invoice.get("number") or invoice.get("id") or ""),
        created=datetime.fromtimestamp(int(created), tz=UTC) if created else None,
        total=_money(invoice.get("total") if invoice.get("total") is not None
                     else invoice.get("amount_due")),
        currency=str(invoice.get("currency") or "").upper(),
        status=str(invoice.get("status") or ""),
        url=str(invoice.get("hosted_invoice_url") or ""),
    )


def billing_overview(*, viewer: User, tenant: Tenant, with_stripe: bool = True) -> BillingOverview:
    """The current tenant's billing state for a billing admin (PermissionError otherwise).
    Only ever the tenant the request came in on: nothing here takes an id from the user.
    Stripe's invoices are best effort: when Stripe cannot be reached the page still shows
    everything known locally, with a notice."""
    if not can(viewer, Capability.MANAGE_BILLING):
        raise PermissionError("billing is for billing admins")
    account = billing_account_ensure(tenant=tenant)
    overview = BillingOverview(
        tenant=tenant, account=account, seats_used=seats_in_use(),
        seats_limit=seats_limit(account), plans=list(plans_on_sale()),
    )
    if with_stripe and account.stripe_customer_id:
        try:
            overview.invoices = [
                _invoice_row(inv) for inv in stripe_api.invoices_for_customer(
                    account.stripe_customer_id)
            ]
            if account.has_subscription:
                preview = stripe_api.invoice_preview(
                    customer_id=account.stripe_customer_id,
                    subscription_id=account.stripe_subscription_id,
                )
                overview.upcoming = _invoice_row(preview) if preview else None
        except StripeError as exc:
            overview.stripe_problem = str(exc)
    return overview


def billing_actions_for(*, tenant: Tenant, limit: int = 20) -> list[BillingAction]:
    """Billing audit of one tenant (operator console)."""
    return list(BillingAction.objects.filter(tenant=tenant).select_related("operator")[:limit])


# Subscription states that bring in revenue (past_due is still billed, only late).
MRR_STATES = frozenset({"active", "past_due"})


def account_mrr(account: BillingAccount) -> Decimal:
    """Monthly recurring revenue of one billing account (0 without a billed subscription):
    the plan's flat price (a yearly one spread over 12 months) plus the seats above the
    included ones. Needs ``account.plan`` loaded."""
    plan = account.plan
    if plan is None or account.subscription_status not in MRR_STATES:
        return Decimal("0.00")
    flat = plan.price_monthly if account.interval == "month" else plan.price_yearly / 12
    extra = max(account.seats_paid - plan.seats_included, 0) * plan.price_per_extra_seat
    return (flat + extra).quantize(Decimal("0.01"))


def mrr_by_currency() -> dict[str, Decimal]:
    """Platform MRR per currency (no FX), for the operator overview: one query."""
    totals: dict[str, Decimal] = {}
    accounts = BillingAccount.objects.select_related("plan").filter(
        subscription_status__in=MRR_STATES, plan__isnull=False
    )
    for account in accounts:
        currency = account.plan.currency
        totals[currency] = totals.get(currency, Decimal("0.00")) + account_mrr(account)
    return dict(sorted(totals.items()))
