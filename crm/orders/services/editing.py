"""Lines from what a user typed (prices from the one pricing rule), and edits of drafts.

An order is editable only as a draft: once submitted it waits for its approvers, once
approved it is locked and changes only through an amendment (crm.orders.services.amendment).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account, Contact
from crm.catalog.models import Product
from crm.catalog.pricing import price_for
from crm.core.audit import audit_changes, audit_snapshot
from crm.core.money import document_totals
from crm.orders.models import Order, OrderKind, OrderLine, OrderStatus
from crm.orders.services.creation import OrderLineInput, _check_header
from crm.sales.models import Opportunity
from tenants.users.models import User

AUDITED = ("kind", "contact", "opportunity", "currency", "ordered_on", "delivery_terms",
           "payment_terms", "starts_on", "ends_on", "renewal_on", "discount_percent",
           "subtotal", "tax_total", "total")


@dataclass(frozen=True)
class LineRequest:
    """A line as typed: a product or a description, a quantity, and optional price,
    discount and tax rate (the price from the pricing service, the tax from the product)."""

    quantity: Decimal
    product: Product | None = None
    description: str = ""
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    tax_rate: Decimal | None = None


def line_inputs(*, account: Account, currency: str, requests: Sequence[LineRequest],
                on: date | None = None) -> list[OrderLineInput]:
    """OrderLineInputs for ``requests``: a missing unit price is the account's price for the
    product (crm.catalog.pricing), which must be in the order currency."""
    currency = (currency or "").upper()
    on = on or timezone.localdate()
    inputs = []
    for number, request in enumerate(requests, start=1):
        unit_price = request.unit_price
        if request.product is None and not request.description.strip():
            raise ValidationError({"lines": _("Line %(number)s needs a product or a "
                                              "description.") % {"number": number}})
        if unit_price is None:
            if request.product is None:
                raise ValidationError({"lines": _("Line %(number)s needs a unit price.")
                                       % {"number": number}})
            answer = price_for(account=account, product=request.product,
                               quantity=request.quantity, on=on)
            if answer.currency.upper() != currency:
                raise ValidationError({"lines": _(
                    "Line %(number)s: the product is priced in %(price)s, not %(order)s; "
                    "give a unit price.") % {"number": number, "price": answer.currency,
                                             "order": currency}})
            unit_price = answer.unit_price
        tax_rate = request.tax_rate
        if tax_rate is None:
            tax_rate = request.product.tax_rate if request.product is not None else Decimal(0)
        inputs.append(OrderLineInput(
            quantity=request.quantity, unit_price=unit_price, product=request.product,
            description=request.description or (request.product.name if request.product
                                                 else ""),
            discount_percent=request.discount_percent or Decimal(0), tax_rate=tax_rate))
    return inputs


def _keep_deliveries(order: Order, lines: Sequence[OrderLineInput]) -> list[OrderLineInput]:
    """An amendment keeps what its order already delivered: a delivered line stays at its
    position with the same product and at least the delivered quantity."""
    kept = list(lines)
    for line in order.lines.order_by("position", "pk"):
        if line.delivered_quantity <= 0:
            continue
        index = line.position - 1
        if index >= len(kept) or kept[index].product != line.product or \
                kept[index].quantity < line.delivered_quantity:
            raise ValidationError({"lines": _(
                "Line %(number)s is delivered (%(delivered)s): keep its product and at least "
                "that quantity.") % {"number": line.position,
                                     "delivered": line.delivered_quantity.normalize()}})
        source = kept[index]
        kept[index] = OrderLineInput(
            quantity=source.quantity, unit_price=source.unit_price, product=source.product,
            description=source.description, discount_percent=source.discount_percent,
            tax_rate=source.tax_rate, quote_line=line.quote_line,
            delivered_quantity=line.delivered_quantity)
    return kept


@transaction.atomic
def order_update(
    *, order: Order, actor: User, kind: str | None = None, contact: Contact | None = None,
    opportunity: Opportunity | None = None, currency: str | None = None,
    ordered_on: date | None = None, delivery_terms: str | None = None,
    payment_terms: str | None = None, starts_on: date | None = None,
    ends_on: date | None = None, renewal_on: date | None = None,
    discount_percent: Decimal | None = None, lines: Sequence[OrderLineInput] | None = None,
    external_id: str | None = None,
) -> Order:
    """Change a draft (None leaves a field as it is; ``lines`` replaces every line). Refused
    once submitted or approved: an approved order changes only through an amendment."""
    order = Order.objects.select_for_update().select_related("account").get(pk=order.pk)
    if order.status != OrderStatus.DRAFT:
        raise ValidationError(_("Only a draft can be edited; an approved order changes "
                                "through an amendment."), code="locked")
    before = audit_snapshot(order, AUDITED)
    old_renewal = order.renewal_on
    for name, value in (("kind", kind), ("contact", contact), ("opportunity", opportunity),
                        ("ordered_on", ordered_on), ("delivery_terms", delivery_terms),
                        ("payment_terms", payment_terms), ("starts_on", starts_on),
                        ("ends_on", ends_on), ("renewal_on", renewal_on),
                        ("discount_percent", discount_percent), ("external_id", external_id)):
        if value is not None:
            setattr(order, name, value)
    if currency is not None:
        order.currency = currency.upper()
    if order.kind == OrderKind.CONTRACT and order.renewal_on is None:
        order.renewal_on = order.ends_on
    if order.kind == OrderKind.ORDER:
        order.starts_on = order.ends_on = order.renewal_on = None
    _check_header(account=order.account, currency=order.currency, kind=order.kind,
                  contact=order.contact, opportunity=order.opportunity,
                  starts_on=order.starts_on, ends_on=order.ends_on)
    if order.renewal_on != old_renewal:
        order.renewal_reminded_at = None
    if lines is not None:
        if not lines:
            raise ValidationError({"lines": _("An order needs at least one line.")})
        lines = _keep_deliveries(order, lines) if order.amends_id else list(lines)
        totals = document_totals(lines, currency=order.currency,
                                 document_discount_percent=order.discount_percent)
        order.lines.all().delete()
        OrderLine.objects.bulk_create([
            OrderLine(order=order, position=position, quote_line=line.quote_line,
                      product=line.product, description=line.description.strip()[:500],
                      quantity=line.quantity, unit_price=line.unit_price,
                      discount_percent=line.discount_percent, tax_rate=line.tax_rate,
                      line_net=result.line_net, line_tax=result.line_tax,
                      delivered_quantity=line.delivered_quantity)
            for position, (line, result) in enumerate(zip(lines, totals.lines, strict=True),
                                                       start=1)
        ])
    else:
        totals = document_totals(order.lines.all(), currency=order.currency,
                                 document_discount_percent=order.discount_percent)
        for line, result in zip(order.lines.order_by("position", "pk"), totals.lines,
                                strict=True):
            if (line.line_net, line.line_tax) != (result.line_net, result.line_tax):
                line.line_net, line.line_tax = result.line_net, result.line_tax
                line.save(update_fields=["line_net", "line_tax"])
    order.subtotal, order.tax_total, order.total = (totals.subtotal, totals.tax_total,
                                                    totals.total)
    order.save()
    audit_changes(instance=order, before=before, actor=actor)
    return order
