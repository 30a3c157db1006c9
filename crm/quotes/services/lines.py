"""A quote's lines: prices from the pricing service unless overridden (the override is
recorded), tax rates from the product unless overridden, and totals ONLY through
crm.core.money.document_totals (stored on the quote and its lines)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from crm.catalog.models import Product
from crm.catalog.pricing import PriceQuote, prices_for
from crm.core.money import (
    HUNDRED,
    TotalsLine,
    currency_is_known,
    document_totals,
    is_whole_money,
    to_decimal,
)
from crm.quotes.models import Quote, QuoteLine

MAX_LINES = 1000


@dataclass(frozen=True)
class QuoteLineInput:
    """One line as a person (or the API) gives it: a product or a free-text description;
    ``unit_price``/``tax_rate`` None means "from the price book"/"from the product"."""

    quantity: Decimal
    product: Product | None = None
    description: str = ""
    unit_price: Decimal | None = None
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal | None = None


@dataclass(frozen=True)
class PricedLine:
    """A line with every value decided (what is stored and what the totals rule gets)."""

    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    product: Product | None
    description: str
    list_unit_price: Decimal | None
    price_book_id: int | None
    price_overridden: bool
    tax_overridden: bool


def _line_error(index: int, field: str, message: str) -> ValidationError:
    where = _(" (line %(number)s)") % {"number": index + 1}
    return ValidationError({field: message + where}, code="invalid")


def _free_text_key(description: str) -> str:
    return " ".join(description.split()).casefold()


def free_text_references(quote: Quote) -> dict[str, Decimal]:
    """The list price each free-text line of ``quote`` was quoted against, by description
    (docs/DECISIONS.md "Quotes"): what a changed line with the same description is measured
    against, so cutting its price later counts as discount."""
    references: dict[str, Decimal] = {}
    for line in quote.lines.filter(product__isnull=True).order_by("position", "pk"):
        reference = line.list_unit_price if line.list_unit_price is not None \
            else line.unit_price
        references.setdefault(_free_text_key(line.description), reference)
    return references


def price_lines(*, account: Any, currency: str, lines: Sequence[QuoteLineInput], on: date,
                free_text_list_prices: Mapping[str, Decimal] | None = None,
                ) -> list[PricedLine]:
    """Decide each line's price and tax: the pricing service's answer for product lines
    (in one batch), the given values where a person overrode them. Refuses negative
    quantities and prices, discounts outside 0..100 %, amounts finer than the currency's
    minor unit, and a book price in another currency without an override.

    A free-text line has no book price: its list price is the price it was first quoted at
    (``free_text_list_prices``, by description, from the quote being changed), else its own
    unit price; a price below it counts as discount like a price below the book."""
    if not lines:
        raise ValidationError({"lines": _("A quote needs at least one line.")}, code="required")
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": _("A quote has at most %(count)s lines.")
                               % {"count": MAX_LINES}}, code="too_many")
    cleaned: list[tuple[QuoteLineInput, Decimal, Decimal]] = []
    for index, line in enumerate(lines):
        quantity = to_decimal(line.quantity, field="quantity")
        discount = to_decimal(line.discount_percent or 0, field="discount_percent")
        if quantity < 0:
            raise _line_error(index, "quantity", _("The quantity cannot be negative."))
        if discount < 0 or discount > HUNDRED:
            raise _line_error(index, "discount_percent",
                              _("A discount is between 0 and 100 %."))
        if line.product is None and not (line.description or "").strip():
            raise _line_error(index, "description",
                              _("Choose a product or describe the line."))
        if line.product is None and line.unit_price is None:
            raise _line_error(index, "unit_price", _("A free-text line needs a unit price."))
        if line.unit_price is not None:
            price = to_decimal(line.unit_price, field="unit_price")
            if price < 0:
                raise _line_error(index, "unit_price", _("The unit price cannot be negative."))
            if not is_whole_money(price, currency):
                raise _line_error(index, "unit_price", _(
                    "%(currency)s has no amounts this small.") % {"currency": currency})
        if line.tax_rate is not None and to_decimal(line.tax_rate, field="tax_rate") < 0:
            raise _line_error(index, "tax_rate", _("The tax rate cannot be negative."))
        cleaned.append((line, quantity, discount))
    product_items = [(line.product, quantity) for line, quantity, _d in cleaned
                     if line.product is not None]
    answers: list[PriceQuote] = prices_for(account=account, items=product_items, on=on)
    answer_iter = iter(answers)
    priced = []
    for index, (line, quantity, discount) in enumerate(cleaned):
        answer = next(answer_iter) if line.product is not None else None
        book_price = (answer.unit_price if answer is not None
                      and answer.currency.upper() == currency else None)
        if line.unit_price is not None:
            unit_price = to_decimal(line.unit_price, field="unit_price")
            overridden = book_price is None or unit_price != book_price
        elif book_price is not None:
            unit_price, overridden = book_price, False
        else:
            assert answer is not None
            raise _line_error(index, "unit_price", _(
                "The price book's price is in %(book)s, the quote in %(quote)s: give the "
                "unit price.") % {"book": answer.currency, "quote": currency})
        list_price = book_price
        if line.product is None:
            list_price = (free_text_list_prices or {}).get(
                _free_text_key(line.description or ""), unit_price)
        if line.tax_rate is not None:
            tax_rate, tax_overridden = to_decimal(line.tax_rate, field="tax_rate"), True
        else:
            tax_rate = line.product.tax_rate if line.product is not None else Decimal(0)
            tax_overridden = False
        if line.product is not None and tax_overridden and tax_rate == line.product.tax_rate:
            tax_overridden = False
        priced.append(PricedLine(
            quantity=quantity, unit_price=unit_price, discount_percent=discount,
            tax_rate=tax_rate, product=line.product,
            description=(line.description or "").strip()[:500]
            or (line.product.name if line.product is not None else ""),
            list_unit_price=list_price,
            price_book_id=(answer.price_book.id if answer is not None and book_price is not None
                           and answer.price_book is not None else None),
            price_overridden=line.product is not None and overridden,
            tax_overridden=tax_overridden,
        ))
    return priced


def workspace_currency() -> str:
    """The workspace's currency (tenants.Tenant.currency), USD when unknown."""
    tenant = getattr(connection, "tenant", None)
    code = str(getattr(tenant, "currency", "") or "USD").upper()
    return code if currency_is_known(code) else "USD"


def default_currency(*, account: Any, lines: Sequence[QuoteLineInput], on: date,
                     fallback: str) -> str:
    """The currency of the price book the first product line is priced from, else
    ``fallback`` (the workspace's currency)."""
    first = next((line for line in lines if line.product is not None), None)
    if first is None:
        return fallback
    assert first.product is not None
    answer = prices_for(account=account, items=[(first.product, Decimal(1))], on=on)[0]
    return answer.currency.upper() if answer.price_book is not None else fallback


def store_lines(*, quote: Quote, priced: Sequence[PricedLine]) -> None:
    """Replace ``quote``'s lines with ``priced`` and store the totals the one rule gives."""
    totals = document_totals(
        [TotalsLine(quantity=line.quantity, unit_price=line.unit_price,
                    discount_percent=line.discount_percent, tax_rate=line.tax_rate)
         for line in priced],
        currency=quote.currency, document_discount_percent=quote.discount_percent)
    quote.lines.all().delete()
    QuoteLine.objects.bulk_create([
        QuoteLine(quote=quote, position=position, product=line.product,
                  description=line.description, quantity=line.quantity,
                  unit_price=line.unit_price, list_unit_price=line.list_unit_price,
                  price_book_id=line.price_book_id, price_overridden=line.price_overridden,
                  discount_percent=line.discount_percent, tax_rate=line.tax_rate,
                  tax_overridden=line.tax_overridden, line_net=result.line_net,
                  line_tax=result.line_tax)
        for position, (line, result) in enumerate(zip(priced, totals.lines, strict=True),
                                                  start=1)
    ])
    quote.subtotal, quote.tax_total, quote.total = (totals.subtotal, totals.tax_total,
                                                    totals.total)


def effective_discount(*, line: QuoteLine | PricedLine, quote_discount: Decimal) -> Decimal:
    """The discount a line really gives, in percent (docs/DECISIONS.md "Quotes"):

        1 - (1 - line discount) * (1 - quote discount) * min(1, unit price / list price)

    The list price is what the pricing service answered (a product line) or the price a
    free-text line was first quoted at (``price_lines``); a price below it counts as
    discount, one above it does not offset anything. Every line counts, with or without a
    product."""
    factor = (1 - line.discount_percent / HUNDRED) * (1 - quote_discount / HUNDRED)
    book = line.list_unit_price
    if book is not None and book > 0 and line.unit_price < book:
        factor *= line.unit_price / book
    return (HUNDRED * (1 - factor)).quantize(Decimal("0.001"))
