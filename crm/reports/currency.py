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
from crm.reports.types import Column, ConversionNote


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


class MoneyColumns:
    """How a report shows its money: one column per figure in the target currency when the
    tenant has rates for every currency the report met (``converted``), else one column per
    figure and currency. A figure's column key is ``<key>`` when it has one column (converted,
    or every amount in one currency) and ``<key>_<CUR>`` per currency otherwise.

    Build it once per report from all its buckets, so every table of the report agrees."""

    def __init__(self, buckets: Iterable[MoneyBuckets], *, on: date | None,
                 extra_currencies: Iterable[str] = ()) -> None:
        used = {code for bucket in buckets for code in bucket.currencies()}
        used |= {code.upper() for code in extra_currencies if code}
        rates = rate_table(on=on)
        self.missing: list[str] = []
        if rates is not None:
            self.missing = sorted(code for code in used if not rates.can_convert(code))
        self.rates = rates if rates is not None and not self.missing else None
        if self.rates is not None:
            self.currencies = [self.rates.target]
        else:
            self.currencies = sorted(used) or [workspace_currency()]
        self.used = sorted(used)

    @property
    def converted(self) -> bool:
        return self.rates is not None

    @property
    def single(self) -> bool:
        return len(self.currencies) == 1

    @property
    def table_currency(self) -> str | None:
        return self.currencies[0] if self.single else None

    def keys(self, key: str) -> list[tuple[str, str]]:
        """``(column key, currency)`` of figure ``key``."""
        if self.single:
            return [(key, self.currencies[0])]
        return [(f"{key}_{code}", code) for code in self.currencies]

    def columns(self, key: str, label: str, *, linked: bool = True) -> list[Column]:
        if self.single:
            return [Column(key=key, label=label, kind="money", currency=self.currencies[0],
                           linked=linked)]
        return [Column(key=column, label=f"{label} ({code})", kind="money", currency=code,
                       linked=linked)
                for column, code in self.keys(key)]

    def values(self, buckets: MoneyBuckets, group: object, key: str) -> dict[str, Decimal]:
        if self.rates is not None:
            return {key: buckets.converted(group, self.rates)}
        return {column: round_money(buckets.get(group, code), code)
                for column, code in self.keys(key)}

    def total(self, buckets: MoneyBuckets, groups: Iterable[object], key: str
              ) -> dict[str, Decimal]:
        """The totals row of figure ``key`` over ``groups`` (converted per group, then
        summed, so the total is the sum of the rows shown)."""
        totals: dict[str, Decimal] = {}
        for group in groups:
            for column, amount in self.values(buckets, group, key).items():
                totals[column] = totals.get(column, Decimal(0)) + amount
        if not totals:
            totals = dict.fromkeys((column for column, _ in self.keys(key)), Decimal(0))
        return totals

    def note(self) -> ConversionNote | None:
        return self.rates.note(self.used) if self.rates is not None else None

    def notes(self) -> list[str]:
        from django.utils.translation import gettext as _

        if self.missing:
            return [_("Amounts are shown per currency: there is no exchange rate for %(codes)s.")
                    % {"codes": ", ".join(self.missing)}]
        return []
