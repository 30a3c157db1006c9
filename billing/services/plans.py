"""Plans -> Stripe Products and Prices, idempotent.

Each plan is one Product with a fixed id (``crm_plan_<code>``) and one Price per interval
found by lookup key (``crm_<code>_month`` / ``crm_<code>_year``). A graduated tiered Price
makes quantity = seats: the first tier (up to the included seats) costs the plan's flat
price, each further seat the extra-seat price. Prices are immutable in Stripe: when amounts
change, a new Price takes over the lookup key (``transfer_lookup_key``) and the old one is
archived; running the sync again changes nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from billing import stripe_api
from billing.models import Plan

Data = dict[str, Any]


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1")))


def price_spec(plan: Plan, interval: str) -> Data:
    """The Price Stripe should have for this plan and interval."""
    flat = plan.price_monthly if interval == "month" else plan.price_yearly
    per_seat = plan.price_per_extra_seat * (1 if interval == "month" else 12)
    return {
        "currency": plan.currency.lower(),
        "recurring": {"interval": interval},
        "billing_scheme": "tiered",
        "tiers_mode": "graduated",
        "tiers": [
            {"up_to": plan.seats_included, "flat_amount": _cents(flat), "unit_amount": 0},
            {"up_to": "inf", "unit_amount": _cents(per_seat)},
        ],
        "lookup_key": plan.lookup_key(interval),
        "metadata": {"plan_code": plan.code, "interval": interval},
    }


def _price_matches(price: Data, spec: Data) -> bool:
    if not price.get("active", True):
        return False
    if (price.get("currency") or "").lower() != spec["currency"]:
        return False
    if (price.get("recurring") or {}).get("interval") != spec["recurring"]["interval"]:
        return False
    tiers = price.get("tiers") or []
    if len(tiers) != len(spec["tiers"]):
        return False
    for have, want in zip(tiers, spec["tiers"], strict=True):
        up_to = have.get("up_to")
        if (up_to if up_to is not None else "inf") != want["up_to"]:
            return False
        if (have.get("flat_amount") or 0) != want.get("flat_amount", 0):
            return False
        if (have.get("unit_amount") or 0) != want["unit_amount"]:
            return False
    return True


def _product_ensure(plan: Plan, report: SyncReport) -> str:
    wanted = {"name": plan.name, "active": plan.active,
              "metadata": {"plan_code": plan.code}}
    product = stripe_api.product_retrieve(plan.stripe_product_key)
    if product is None:
        stripe_api.product_create({"id": plan.stripe_product_key, **wanted})
        report.created.append(f"product {plan.stripe_product_key}")
    elif product.get("name") != plan.name or bool(product.get("active")) != plan.active:
        stripe_api.product_update(plan.stripe_product_key, wanted)
        report.updated.append(f"product {plan.stripe_product_key}")
    else:
        report.unchanged.append(f"product {plan.stripe_product_key}")
    return plan.stripe_product_key


def plans_sync_to_stripe(*, plans: list[Plan] | None = None) -> SyncReport:
    """Create or update the Products and Prices of every plan; store the Price ids."""
    report = SyncReport()
    plans = plans if plans is not None else list(Plan.objects.all())
    for plan in plans:
        product_id = _product_ensure(plan, report)
        keys = [plan.lookup_key("month"), plan.lookup_key("year")]
        existing = {p.get("lookup_key"): p for p in stripe_api.prices_by_lookup_keys(keys)}
        price_ids: dict[str, str] = {}
        for interval in ("month", "year"):
            spec = price_spec(plan, interval)
            current = existing.get(spec["lookup_key"])
            if current is not None and _price_matches(current, spec):
                price_ids[interval] = current["id"]
                report.unchanged.append(f"price {spec['lookup_key']}")
                continue
            created = stripe_api.price_create(
                {**spec, "product": product_id, "transfer_lookup_key": True,
                 "expand": ["tiers"]}
            )
            if current is not None:
                stripe_api.price_archive(current["id"])
                report.updated.append(f"price {spec['lookup_key']}")
            else:
                report.created.append(f"price {spec['lookup_key']}")
            price_ids[interval] = created["id"]
        plan.stripe_product_id = product_id
        plan.stripe_price_monthly_id = price_ids["month"]
        plan.stripe_price_yearly_id = price_ids["year"]
        if plan.pk is not None:
            with transaction.atomic():
                Plan.objects.filter(pk=plan.pk).update(
                    stripe_product_id=product_id,
                    stripe_price_monthly_id=price_ids["month"],
                    stripe_price_yearly_id=price_ids["year"],
                )
    return report


def plan_save(*, plan: Plan) -> SyncReport:
    """Save an operator's edit of a plan (or a new plan): Stripe first (the Product and
    the Prices for the new amounts, by the same idempotent sync), then the row with the
    Price ids. A Stripe failure raises StripeError and saves nothing."""
    report = plans_sync_to_stripe(plans=[plan])
    plan.save()
    return report
