"""Quotes for tests, built through crm.quotes.services (rules apply)."""

from decimal import Decimal
from typing import Any

from crm.quotes.models import Quote
from crm.quotes.services import QuoteLineInput, quote_create


def line(product: Any = None, quantity: Any = 1, **fields: Any) -> QuoteLineInput:
    return QuoteLineInput(product=product, quantity=Decimal(str(quantity)), **fields)


def make_quote(world: dict, *, actor: Any = None, lines: list | None = None,
               discount: Any = 0, **fields: Any) -> Quote:
    values = {"account": world["account"], "contact": world["contact"], **fields}
    return quote_create(
        actor=actor or world["rep"],
        lines=lines or [line(world["sensor"], 2, discount_percent=Decimal(str(discount))),
                        line(world["service"], 1)],
        **values)
