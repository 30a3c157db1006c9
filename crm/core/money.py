# ruff: noqa: RUF002  (the totals rule is written with the multiplication and minus signs)
"""Money: the currency's minor unit, rounding, and THE totals rule of quotes and orders.

One place for these rules (issue 9): the quote builder (staff and portal), orders and
receivables call ``line_totals`` / ``document_totals`` and never compute a total themselves.

    line_net  = round(quantity × unit_price × (1 − discount/100))      to the minor unit,
    line_tax  = round(line_net × tax_rate/100)                          half up
    subtotal  = Σ line_net,  tax_total = Σ line_tax,  total = subtotal + tax_total

A document-level discount is spread over the lines *before* tax: the discount amount
``D = round(Σ line_net × document_discount/100)`` is shared out in proportion to each line's
net, in whole minor units, by the largest-remainder method (each line first gets the floor of
its exact share; the units left over go one each to the lines with the largest dropped
fractions; ties go to the larger line net, then the higher tax rate, then the larger
quantity and unit price, so the result depends on the lines, never on their order). So
``Σ shares == D`` exactly, no line goes below zero, and ``subtotal == Σ line_net − D``.

Everything is ``Decimal`` (floats are refused); the minor unit comes from Babel's currency
data (CLDR): 2 for USD/CNY/EUR, 0 for JPY/KRW, 3 for BHD/KWD.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.numbers import get_currency_precision, is_currency
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HUNDRED = Decimal(100)


def currency_is_known(currency: str) -> bool:
    """True for an ISO 4217 code Babel knows ("USD", "CNY", "JPY"...)."""
    return bool(currency) and len(currency) == 3 and is_currency((currency or "").upper())


def minor_unit(currency: str) -> int:
    """Decimal places of the currency's minor unit (CLDR data through Babel)."""
    code = (currency or "").upper()
    if not currency_is_known(code):
        raise ValueError(f"Unknown currency: {currency!r}")
    return int(get_currency_precision(code))


def quantum(currency: str) -> Decimal:
    """The smallest amount of the currency: Decimal("0.01"), Decimal("1"), Decimal("0.001")."""
    return Decimal(1).scaleb(-minor_unit(currency))


def round_money(amount: Decimal | int | str, currency: str) -> Decimal:
    """``amount`` rounded half up to the currency's minor unit."""
    return to_decimal(amount, field="amount").quantize(quantum(currency), rounding=ROUND_HALF_UP)


def is_whole_money(amount: Decimal, currency: str) -> bool:
    """True when ``amount`` has no digits below the currency's minor unit (1.5 JPY: False)."""
    return amount == amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def to_decimal(value: Any, *, field: str) -> Decimal:
    """``value`` as a finite Decimal (int, str or Decimal; never float); ValidationError
    naming ``field`` otherwise."""
    if isinstance(value, bool | float):
        raise ValidationError({field: _("Give an exact number (not a float).")},
                              code="invalid")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter a number.")}, code="invalid") from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")}, code="invalid")
    return number


@dataclass(frozen=True)
class TotalsLine:
    """One line's inputs to the totals rule."""

    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class LineTotals:
    line_net: Decimal  # after the line's and its share of the document discount
    line_tax: Decimal
    # The line's share of the document-level discount (0 without one).
    document_discount: Decimal = Decimal(0)

    @property
    def line_total(self) -> Decimal:
        return self.line_net + self.line_tax


@dataclass(frozen=True)
class DocumentTotals:
    lines: tuple[LineTotals, ...]
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    document_discount: Decimal
    currency: str


def _clean_line(*, quantity: Any, unit_price: Any, discount_percent: Any, tax_rate: Any,
                line: int | None = None) -> TotalsLine:
    where = "" if line is None else _(" (line %(number)s)") % {"number": line}
    qty = to_decimal(quantity, field="quantity")
    price = to_decimal(unit_price, field="unit_price")
    discount = to_decimal(discount_percent if discount_percent is not None else 0,
                          field="discount_percent")
    tax = to_decimal(tax_rate if tax_rate is not None else 0, field="tax_rate")
    if qty < 0:
        raise ValidationError({"quantity": _("The quantity cannot be negative.") + where},
                              code="negative")
    if price < 0:
        raise ValidationError({"unit_price": _("The unit price cannot be negative.") + where},
                              code="negative")
    if discount < 0 or discount > HUNDRED:
        raise ValidationError(
            {"discount_percent": _("A discount is between 0 and 100 %.") + where},
            code="out_of_range")
    if tax < 0:
        raise ValidationError({"tax_rate": _("The tax rate cannot be negative.") + where},
                              code="negative")
    return TotalsLine(quantity=qty, unit_price=price, discount_percent=discount, tax_rate=tax)


def _net_before_document_discount(line: TotalsLine, currency: str) -> Decimal:
    return round_money(
        line.quantity * line.unit_price * (1 - line.discount_percent / HUNDRED), currency)


def line_totals(*, quantity: Any, unit_price: Any, discount_percent: Any = 0,
                tax_rate: Any = 0, currency: str) -> LineTotals:
    """One line's net and tax by the totals rule (no document discount)."""
    line = _clean_line(quantity=quantity, unit_price=unit_price,
                       discount_percent=discount_percent, tax_rate=tax_rate)
    net = _net_before_document_discount(line, currency)
    return LineTotals(line_net=net, line_tax=round_money(net * line.tax_rate / HUNDRED,
                                                         currency))


def _as_line(raw: TotalsLine | Mapping[str, Any] | Any, number: int) -> TotalsLine:
    def get(name: str, default: Any = None) -> Any:
        if isinstance(raw, Mapping):
            return raw.get(name, default)
        return getattr(raw, name, default)

    return _clean_line(quantity=get("quantity"), unit_price=get("unit_price"),
                       discount_percent=get("discount_percent", 0),
                       tax_rate=get("tax_rate", 0), line=number)


def _spread(amount_units: int, weights: list[int], keys: list[tuple]) -> list[int]:
    """``amount_units`` shared in proportion to ``weights`` (largest remainder)."""
    total = sum(weights)
    if total == 0 or amount_units == 0:
        return [0] * len(weights)
    shares = [amount_units * w // total for w in weights]
    remainders = [amount_units * w % total for w in weights]
    left = amount_units - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], keys[i]))
    for index in order[:left]:
        shares[index] += 1
    return shares


def document_totals(lines: Iterable[TotalsLine | Mapping[str, Any] | Any], *, currency: str,
                    document_discount_percent: Any = 0) -> DocumentTotals:
    """Every line's net and tax and the document's subtotal, tax total and total.

    ``lines``: TotalsLine objects, mappings or objects with ``quantity``, ``unit_price``,
    ``discount_percent`` and ``tax_rate``. Raises ValidationError naming the field for a
    negative quantity/price/tax rate or a discount outside 0..100 %."""
    step = quantum(currency)
    cleaned = [_as_line(raw, number) for number, raw in enumerate(lines, start=1)]
    document_discount = to_decimal(document_discount_percent or 0,
                                   field="document_discount_percent")
    if document_discount < 0 or document_discount > HUNDRED:
        raise ValidationError(
            {"document_discount_percent": _("A discount is between 0 and 100 %.")},
            code="out_of_range")
    nets = [_net_before_document_discount(line, currency) for line in cleaned]
    discount_amount = round_money(sum(nets, Decimal(0)) * document_discount / HUNDRED, currency)
    units = [int(net / step) for net in nets]
    keys = [(-units[i], -line.tax_rate, -line.quantity, -line.unit_price,
             -line.discount_percent) for i, line in enumerate(cleaned)]
    shares = _spread(int(discount_amount / step), units, keys)
    results = []
    for line, net, share in zip(cleaned, nets, shares, strict=True):
        share_amount = (step * share).quantize(step)
        line_net = (net - share_amount).quantize(step)
        results.append(LineTotals(
            line_net=line_net,
            line_tax=round_money(line_net * line.tax_rate / HUNDRED, currency),
            document_discount=share_amount,
        ))
    zero = Decimal(0).quantize(step)
    subtotal = sum((r.line_net for r in results), zero)
    tax_total = sum((r.line_tax for r in results), zero)
    return DocumentTotals(lines=tuple(results), subtotal=subtotal, tax_total=tax_total,
                          total=subtotal + tax_total, document_discount=discount_amount,
                          currency=currency.upper())
