"""Money, numbers and dates through Babel: the locale decides signs and grouping, the
currency its minor unit."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crm.workspace.formats import DisplayFormats, money_format, number_format


@pytest.mark.parametrize(("amount", "currency", "locale", "expected"), [
    ("276000", "USD", "en-US", "$276,000.00"),
    ("276000", "CNY", "zh-CN", "¥276,000.00"),
    ("276000", "EUR", "de-DE", "276.000,00\xa0€"),
    ("276000.5", "JPY", "en-US", "¥276,001"),
    ("1234.565", "USD", "en-US", "$1,234.57"),
    ("276000", "USD", "en-GB", "US$276,000.00"),
])
def test_money_format_follows_locale_and_currency_minor_unit(amount, currency, locale, expected):
    assert money_format(Decimal(amount), currency, locale=locale) == expected


def test_jpy_has_no_decimals_in_any_locale():
    assert money_format(Decimal("1999.99"), "JPY", locale="ja-JP") == "￥2,000"
    assert money_format(Decimal("1999.99"), "JPY", locale="de-DE") == "2.000\xa0¥"


def test_money_format_refuses_what_is_not_an_amount():
    with pytest.raises(ValueError, match="Not an amount"):
        money_format("abc", "USD", locale="en-US")  # type: ignore[arg-type]


def test_number_format_uses_locale_grouping_and_fixed_decimals():
    assert number_format(Decimal("1234567.891"), locale="de-DE", decimals=2) == "1.234.567,89"
    assert number_format(Decimal("1234567"), locale="en-US", decimals=0) == "1,234,567"


def test_date_presets_write_numeric_dates_with_four_digit_years():
    day = date(2026, 3, 31)
    shown = {preset: DisplayFormats("en-US", preset, "USD").date(day)
             for preset in ("iso", "en-US", "en-GB", "zh-CN", "de-DE")}
    assert shown == {"iso": "2026-03-31", "en-US": "03/31/2026", "en-GB": "31/03/2026",
                     "zh-CN": "2026/03/31", "de-DE": "31.03.2026"}


def test_datetime_is_shown_in_the_active_time_zone(settings):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    moment = datetime(2026, 3, 31, 20, 30, tzinfo=UTC)
    formats = DisplayFormats("en-US", "iso", "USD")
    with timezone.override(ZoneInfo("Asia/Shanghai")):
        assert formats.datetime(moment) == "2026-04-01 04:30"
        assert formats.date(moment) == "2026-04-01"
    with timezone.override(ZoneInfo("America/New_York")):
        assert formats.datetime(moment) == "2026-03-31 16:30"
    assert DisplayFormats("en-US", "en-US", "USD").datetime(moment).endswith("PM")
