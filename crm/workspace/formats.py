"""Money, numbers and dates the way the workspace writes them, through Babel (CLDR data).

- ``money_format(Decimal("276000"), "USD", locale="en-US")`` -> ``$276,000.00``; the
  currency's minor unit decides the decimals (0 for JPY), rounded half up.
- ``active_formats()`` is the current workspace's choice (number locale, date preset,
  currency), read once per request and schema and remembered in a contextvar; the template
  filters in ``{% load money %}`` use it. Dates and times are shown in Django's active time
  zone, which crm.workspace.middleware sets to the workspace's zone.

API JSON never goes through here: amounts travel as plain strings.
"""

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_currency, format_decimal, get_currency_precision
from django.db import connection
from django.utils import timezone

from crm.workspace.choices import DATE_PRESETS, NUMBER_PRESETS, default_number_format


def babel_locale(locale: str) -> str:
    """``en-US`` (our presets' spelling) -> ``en_US`` (Babel's)."""
    return locale.replace("-", "_")


def _as_decimal(amount: Any) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return value if value.is_finite() else None


def money_format(amount: Decimal, currency: str, *, locale: str) -> str:
    """``amount`` in ``currency`` as ``locale`` writes money, with the currency's minor unit
    (rounded half up, as the money rules of ARCHITECTURE.md say)."""
    value = _as_decimal(amount)
    if value is None:
        raise ValueError(f"Not an amount: {amount!r}")
    code = (currency or "").upper()
    digits = get_currency_precision(code)
    value = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return format_currency(value, code, locale=babel_locale(locale))


def number_format(value: Decimal | int | float, *, locale: str, decimals: int | None = None,
                  ) -> str:
    """A plain number with ``locale``'s grouping and decimal sign; ``decimals`` fixes the
    number of decimals (rounded half up)."""
    number = _as_decimal(value)
    if number is None:
        raise ValueError(f"Not a number: {value!r}")
    if decimals is None:
        return format_decimal(number, locale=babel_locale(locale))
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(number, format=pattern, locale=babel_locale(locale))


@dataclass(frozen=True)
class DisplayFormats:
    number_locale: str  # a key of NUMBER_PRESETS, e.g. "en-US"
    date_format: str  # a key of DATE_PRESETS, e.g. "iso"
    currency: str  # the workspace's default currency
    # Changes whenever the logo does (part of its URL, so browsers refetch); "" = no logo.
    logo_version: str = ""

    def money(self, amount: Decimal, currency: str | None = None) -> str:
        return money_format(amount, currency or self.currency, locale=self.number_locale)

    def number(self, value: Decimal | int | float, decimals: int | None = None) -> str:
        return number_format(value, locale=self.number_locale, decimals=decimals)

    def date(self, value: date | datetime) -> str:
        if isinstance(value, datetime):
            value = _in_active_zone(value).date()
        preset = DATE_PRESETS.get(self.date_format, DATE_PRESETS["iso"])
        return babel_format_date(value, format=preset.date_pattern,
                                 locale=babel_locale(self.number_locale))

    def time(self, value: datetime | time) -> str:
        if isinstance(value, datetime):
            value = _in_active_zone(value).time()
        preset = DATE_PRESETS.get(self.date_format, DATE_PRESETS["iso"])
        return babel_format_time(value, format="short", locale=preset.time_locale)

    def datetime(self, value: datetime) -> str:
        local = _in_active_zone(value)
        preset = DATE_PRESETS.get(self.date_format, DATE_PRESETS["iso"])
        combine = preset.joiner or Locale.parse(preset.time_locale).datetime_formats["short"]
        return str(combine).replace("{1}", self.date(local)).replace("{0}", self.time(local))


DEFAULT_FORMATS = DisplayFormats(number_locale="en-US", date_format="iso", currency="USD")


def _in_active_zone(value: datetime) -> datetime:
    if timezone.is_naive(value):
        return value
    return timezone.localtime(value)


# (schema name, formats): remembered per schema so a worker thread serving another tenant
# next never reuses the previous one's choice.
_active: ContextVar[tuple[str, DisplayFormats] | None] = ContextVar(
    "crm_workspace_formats", default=None
)


def active_formats() -> DisplayFormats:
    """The current workspace's display formats (one query per request, then remembered)."""
    schema = getattr(connection, "schema_name", "")
    remembered = _active.get()
    if remembered is not None and remembered[0] == schema:
        return remembered[1]
    formats = _load_formats()
    _active.set((schema, formats))
    return formats


def forget_active_formats() -> None:
    """Called after the settings change and at each request's start."""
    _active.set(None)


def _load_formats() -> DisplayFormats:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or getattr(tenant, "kind", "") != "customer":
        return DEFAULT_FORMATS
    from crm.workspace.selectors import workspace_settings_get

    workspace = workspace_settings_get(tenant=tenant)
    number_locale = workspace.number_format
    if number_locale not in NUMBER_PRESETS:
        number_locale = default_number_format(tenant.language)
    logo_version = ""
    if workspace.logo and workspace.updated_at is not None:
        logo_version = str(int(workspace.updated_at.timestamp()))
    return DisplayFormats(number_locale=number_locale, date_format=workspace.date_format,
                          currency=(tenant.currency or "USD").upper(),
                          logo_version=logo_version)
