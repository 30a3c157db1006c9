"""Amounts in several currencies, for reports.

Without exchange rates a report shows each currency on its own (``MoneyBuckets.split``);
once the tenant records rates (crm.reports.models.ExchangeRate), every amount is converted
into the workspace currency at the latest rate on or before the report's end date, and the
report shows the rates it used (``RateTable.note``). Conversion happens on the per-currency
sums (one multiplication per currency and figure, rounded half up to the target's minor
unit), so a converted total is the sum of the per-currency totals at those rates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from crm.core.money import round_money
from crm.reports.models import ExchangeRate
from crm.reports.types import ConversionNote


def workspace_currency() -> str:
    tenant = getattr(connection, "tenant", None)
    return (getattr(tenant, "currency", "") or "USD").upper()


@dataclass(frozen=True)
class RateTable:
    target: str
    # currency -> (rate, valid_from)
    rates: dict[str, tuple[Decimal, date]]

    def can_convert(self, currency: str) -> bool:
        return currency.upper() == self.target or currency.upper() in self.rates

    def convert(self, amount: Decimal, currency: str) -> Decimal:
        """``amount`` of ``currency`` in the target currency, rounded to its minor unit.
        KeyError when there is no rate for ``currency`` (callers check ``can_convert``)."""
        code = currency.upper()
        if code == self.target:
            return round_money(amount, self.target)
        rate, _ = self.rates[code]
        return round_money(amount * rate, self.target)

    def note(self, used: Iterable[str]) -> ConversionNote:
        codes = sorted({c.upper() for c in used} - {self.target})
        return ConversionNote(target=self.target,
                              rates=[(c, *self.rates[c]) for c in codes if c in self.rates])


def rate_table(*, on: date | None = None) -> RateTable | None:
    """The rates in force on ``on`` (default: today), or None when the tenant has recorded
    no rate at all (reports then show amounts per currency)."""
    day = on or timezone.localdate()
    rates: dict[str, tuple[Decimal, date]] = {}
    rows = (ExchangeRate.objects.filter(valid_from__lte=day)
            .order_by("currency", "-valid_from").distinct("currency")
            .values_list("currency", "rate", "valid_from"))
    for currency, rate, valid_from in rows:
        rates[currency.upper()] = (rate, valid_from)
    if not rates and not ExchangeRate.objects.exists():
        return None
    return RateTable(target=workspace_currency(), rates=rates)


class MoneyBuckets:
    """Sums of amounts per (group key, currency), then either split per currency or
    converted into one. ``add(key, currency, amount)``; group keys are whatever the report
    groups by (a stage id, a month, a rep id)."""

    def __init__(self) -> None:
        self._sums: dict[object, dict[str, Decimal]] = defaultdict(dict)

    def add(self, key: object, currency: str, amount: Decimal | None) -> None:
        if amount is None:
            return
        per = self._sums[key]
        code = (currency or "").upper()
        per[code] = per.get(code, Decimal(0)) + amount

    def currencies(self) -> list[str]:
        return sorted({code for per in self._sums.values() for code in per})

    def get(self, key: object, currency: str) -> Decimal:
        return self._sums.get(key, {}).get(currency.upper(), Decimal(0))

    def converted(self, key: object, rates: RateTable) -> Decimal:
        """The sum for ``key`` in the target currency (currencies without a rate are left
        out; ``unconvertible`` lists them)."""
        total = Decimal(0)
        for code, amount in self._sums.get(key, {}).items():
            if rates.can_convert(code):
                total += rates.convert(amount, code)
        return round_money(total, rates.target)

    def unconvertible(self, rates: RateTable) -> list[str]:
        return [code for code in self.currencies() if not rates.can_convert(code)]
