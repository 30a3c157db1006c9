"""The one way an order comes to exist: ``order_create`` (entered directly, or by
``order_from_quote`` when a quote is accepted). Totals come from crm.core.money, the one
totals rule; an order made from a quote copies the accepted revision's lines and prices,
so the order equals what the customer accepted, to the minor unit."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account, Contact
from crm.catalog.models import Product
from crm.core.audit import audit_event
from crm.core.money import currency_is_known, document_totals
from crm.core.numbering import next_number
from crm.orders.models import Order, OrderKind, OrderLine
from crm.quotes.models import Quote, QuoteLine, QuoteStatus
from crm.sales.models import Opportunity
from tenants.users.models import User

ORDER_NUMBER_PREFIX = "SO"


@dataclass(frozen=True)
class OrderLineInput:
    quantity: Decimal
    unit_price: Decimal
    product: Product | None = None
    description: str = ""
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)
    quote_line: QuoteLine | None = None


def _check_header(*, account: Account, currency: str, kind: str, contact: Contact | None,
                  opportunity: Opportunity | None, starts_on: date | None,
                  ends_on: date | None) -> None:
    errors: dict[str, Any] = {}
    if not currency_is_known(currency):
        errors["currency"] = _("Unknown currency code.")
    if contact is not None and contact.account_id != account.pk:
        errors["contact"] = _("The contact belongs to another account.")
    if opportunity is not None and opportunity.account_id != account.pk:
        errors["opportunity"] = _("The opportunity belongs to another account.")
    if kind == OrderKind.CONTRACT and (starts_on is None or ends_on is None):
        errors["ends_on"] = _("A contract needs a start and an end date.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The end date is before the start date.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def order_create(
    *, account: Account, actor: User | None, currency: str, lines: Sequence[OrderLineInput],
    kind: str = OrderKind.ORDER, opportunity: Opportunity | None = None,
    contact: Contact | None = None, owner: User | None = None, quote: Quote | None = None,
    ordered_on: date | None = None, delivery_terms: str = "", payment_terms: str = "",
    starts_on: date | None = None, ends_on: date | None = None,
    renewal_on: date | None = None, discount_percent: Decimal = Decimal(0),
    external_id: str | None = None,
) -> Order:
    """A draft order (or contract) with its lines and exact totals."""
    currency = (currency or "").upper()
    _check_header(account=account, currency=currency, kind=kind, contact=contact,
                  opportunity=opportunity, starts_on=starts_on, ends_on=ends_on)
    if not lines:
        raise ValidationError({"lines": _("An order needs at least one line.")})
    for number, line in enumerate(lines, start=1):
        if line.product is None and not line.description.strip():
            raise ValidationError({"lines": _("Line %(number)s needs a product or a "
                                              "description.") % {"number": number}})
    totals = document_totals(lines, currency=currency, document_discount_percent=discount_percent)
    order = Order.objects.create(
        number=next_number(ORDER_NUMBER_PREFIX), kind=kind, account=account,
        opportunity=opportunity, contact=contact, quote=quote,
        owner=owner or account.owner or actor, created_by=actor, currency=currency,
        ordered_on=ordered_on or timezone.localdate(), delivery_terms=delivery_terms,
        payment_terms=payment_terms, starts_on=starts_on, ends_on=ends_on,
        renewal_on=renewal_on or (ends_on if kind == OrderKind.CONTRACT else None),
        discount_percent=discount_percent, subtotal=totals.subtotal,
        tax_total=totals.tax_total, total=totals.total, external_id=external_id or None,
    )
    OrderLine.objects.bulk_create([
        OrderLine(
            order=order, position=position, quote_line=line.quote_line, product=line.product,
            description=line.description.strip()[:500], quantity=line.quantity,
            unit_price=line.unit_price, discount_percent=line.discount_percent,
            tax_rate=line.tax_rate, line_net=result.line_net, line_tax=result.line_tax,
        )
        for position, (line, result) in enumerate(zip(lines, totals.lines, strict=True),
                                                   start=1)
    ])
    audit_event(instance=order, action="create", actor=actor,
                data={"number": order.number, "total": str(order.total),
                      "currency": currency, "quote": quote.pk if quote else None})
    return order


@transaction.atomic
def order_from_quote(*, quote: Quote, actor: User | None) -> Order:
    """The order for an accepted quote (idempotent: a second call returns the same order)."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    existing = Order.objects.filter(quote=quote).order_by("pk").first()
    if existing is not None:
        return existing
    if quote.status != QuoteStatus.ACCEPTED:
        raise ValidationError(_("Only an accepted quote becomes an order."))
    lines = [
        OrderLineInput(quantity=line.quantity, unit_price=line.unit_price, product=line.product,
                       description=line.description, discount_percent=line.discount_percent,
                       tax_rate=line.tax_rate, quote_line=line)
        for line in quote.lines.select_related("product").order_by("position", "pk")
    ]
    return order_create(
        account=quote.account, actor=actor, currency=quote.currency, lines=lines,
        opportunity=quote.opportunity, contact=quote.contact, owner=quote.owner, quote=quote,
        payment_terms=quote.terms, discount_percent=quote.discount_percent,
    )
