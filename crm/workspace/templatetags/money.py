"""{% load money %}: money, numbers and dates the way the workspace writes them.

    {{ opportunity.amount|money:opportunity.currency }}   -> $276,000.00 / ¥276,000.00
    {{ total|money }}                                     -> in the workspace's currency
    {{ score|number }} {{ ratio|number:1 }}
    {{ opportunity.close_date|local_date }}               -> per the workspace's date format
    {{ activity.occurred_at|local_datetime }}             -> in the workspace's time zone
    {{ activity.occurred_at|local_time }}

Empty values render as "" so ``|default:"—"`` still works after them."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import template

from crm.workspace.formats import active_formats

register = template.Library()


@register.filter
def money(amount: Any, currency: str | None = None) -> str:
    if amount is None or amount == "":
        return ""
    try:
        return active_formats().money(amount, currency or None)
    except (ValueError, KeyError, TypeError):
        return str(amount)


@register.filter
def number(value: Any, decimals: int | str | None = None) -> str:
    if value is None or value == "":
        return ""
    try:
        places = None if decimals in (None, "") else int(decimals)
        return active_formats().number(Decimal(str(value)), places)
    except (ValueError, ArithmeticError, TypeError):
        return str(value)


@register.filter
def local_date(value: Any) -> str:
    if not isinstance(value, date | datetime):
        return ""
    return active_formats().date(value)


@register.filter
def local_datetime(value: Any) -> str:
    if isinstance(value, datetime):
        return active_formats().datetime(value)
    if isinstance(value, date):
        return active_formats().date(value)
    return ""


@register.filter
def local_time(value: Any) -> str:
    if not isinstance(value, datetime | time):
        return ""
    return active_formats().time(value)


@register.simple_tag
def workspace_logo_url() -> str:
    """The URL of the workspace's logo for staff pages, or "" when it has none."""
    from django.urls import reverse

    version = active_formats().logo_version
    return f"{reverse('crm_workspace:logo')}?v={version}" if version else ""
