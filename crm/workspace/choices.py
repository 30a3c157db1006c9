"""What a workspace may choose: currencies (ISO 4217, as CLDR knows them in use today), time
zones (the IANA names zoneinfo knows), languages, months and the locale presets behind the
date and number formats."""

from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies
from django.conf import settings
from django.utils.translation import pgettext_lazy


@cache
def currency_codes() -> frozenset[str]:
    """Currencies legal tender somewhere today (ISO 4217 codes; no funds or metals)."""
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, tender=True))
    return frozenset(codes)


def currency_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} · {get_currency_name(code, locale='en')}")
            for code in sorted(currency_codes())]


@cache
def time_zone_names() -> frozenset[str]:
    # "posixrules", "Factory" and the like are files in the database, not places.
    return frozenset(name for name in available_timezones()
                     if "/" in name or name == "UTC")


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(time_zone_names())]


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in settings.LANGUAGES]


MONTH_CHOICES: list[tuple[int, str]] = [
    (1, pgettext_lazy("month", "January")), (2, pgettext_lazy("month", "February")),
    (3, pgettext_lazy("month", "March")), (4, pgettext_lazy("month", "April")),
    (5, pgettext_lazy("month", "May")), (6, pgettext_lazy("month", "June")),
    (7, pgettext_lazy("month", "July")), (8, pgettext_lazy("month", "August")),
    (9, pgettext_lazy("month", "September")), (10, pgettext_lazy("month", "October")),
    (11, pgettext_lazy("month", "November")), (12, pgettext_lazy("month", "December")),
]


@dataclass(frozen=True)
class DatePreset:
    # Babel (CLDR) pattern for dates; times use ``time_locale``'s short time format.
    date_pattern: str
    time_locale: str
    label: str
    # How date ({1}) and time ({0}) join; "" takes ``time_locale``'s own (CLDR) joiner.
    joiner: str = ""


# Numeric dates with four-digit years: they read in tables and never swap day and month
# silently between presets that look alike.
DATE_PRESETS: dict[str, DatePreset] = {
    "iso": DatePreset("yyyy-MM-dd", "en_GB", "2026-03-31 14:05 (ISO 8601)", "{1} {0}"),
    "en-US": DatePreset("MM/dd/yyyy", "en_US", "03/31/2026 2:05 PM (en-US)"),
    "en-GB": DatePreset("dd/MM/yyyy", "en_GB", "31/03/2026 14:05 (en-GB)"),
    "zh-CN": DatePreset("yyyy/MM/dd", "zh_CN", "2026/03/31 14:05 (zh-CN)"),
    "de-DE": DatePreset("dd.MM.yyyy", "de_DE", "31.03.2026 14:05 (de-DE)"),
    "fr-FR": DatePreset("dd/MM/yyyy", "fr_FR", "31/03/2026 14:05 (fr-FR)"),
    "ja-JP": DatePreset("yyyy/MM/dd", "ja_JP", "2026/03/31 14:05 (ja-JP)"),
}

# Locales whose grouping, decimal sign and currency placement numbers and money follow.
NUMBER_PRESETS: dict[str, str] = {
    "en-US": "1,234,567.89 · $1,234.50 (en-US)",
    "en-GB": "1,234,567.89 · £1,234.50 (en-GB)",
    "zh-CN": "1,234,567.89 · ¥1,234.50 (zh-CN)",
    "de-DE": "1.234.567,89 · 1.234,50 € (de-DE)",
    "fr-FR": "1 234 567,89 · 1 234,50 € (fr-FR)",
    "ja-JP": "1,234,567.89 · ￥1,235 (ja-JP)",
}


def date_format_choices() -> list[tuple[str, str]]:
    return [(key, preset.label) for key, preset in DATE_PRESETS.items()]


def number_format_choices() -> list[tuple[str, str]]:
    return list(NUMBER_PRESETS.items())


def default_number_format(language: str) -> str:
    return "zh-CN" if language.startswith("zh") else "en-US"

