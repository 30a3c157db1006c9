"""Totals while a person types: the same pricing and the same totals rule as saving, without
saving (the quote editor asks the server; there is no copy of the rule in JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account
from crm.core.money import (
    DocumentTotals,
    TotalsLine,
    currency_is_known,
    document_totals,
    to_decimal,
)
from crm.quotes.models import Quote
from crm.quotes.services.lines import (
    PricedLine,
    QuoteLineInput,
    default_currency,
    effective_discount,
    free_text_references,
    price_lines,
    workspace_currency,
)


@dataclass(frozen=True)
class TotalsPreview:
    lines: list[PricedLine]
    totals: DocumentTotals
    effective_discounts: list[Decimal]

    @property
    def max_discount(self) -> Decimal:
        return max(self.effective_discounts, default=Decimal(0))


def quote_totals_preview(*, account: Account | None, currency: str,
                         lines: Sequence[QuoteLineInput],
                         discount_percent: Decimal | str | int = 0,
                         quote: Quote | None = None) -> TotalsPreview:
    """Price ``lines`` for ``account`` and total them by crm.core.money (ValidationError
    naming the field for bad input, as saving would). An empty ``currency`` is chosen as
    ``quote_create`` would; ``quote`` is the quote being edited (its free-text lines' list
    prices, as ``quote_update`` would use them)."""
    if not currency:
        currency = default_currency(account=account, lines=lines, on=timezone.localdate(),
                                    fallback=workspace_currency())
    elif not currency_is_known(currency):
        raise ValidationError({"currency": _("Unknown currency code.")})
    discount = to_decimal(discount_percent or 0, field="discount_percent")
    priced = price_lines(account=account, currency=currency, lines=lines,
                         on=timezone.localdate(),
                         free_text_list_prices=free_text_references(quote) if quote else None)
    totals = document_totals(
        [TotalsLine(quantity=line.quantity, unit_price=line.unit_price,
                    discount_percent=line.discount_percent, tax_rate=line.tax_rate)
         for line in priced], currency=currency, document_discount_percent=discount)
    return TotalsPreview(lines=priced, totals=totals, effective_discounts=[
        effective_discount(line=line, quote_discount=discount) for line in priced])
