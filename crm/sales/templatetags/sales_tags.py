"""Small display helpers for the sales templates."""

from datetime import timedelta

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A stage's stay as "12 d 3 h" (or "5 h 20 min" under a day)."""
    if value is None:
        return ""
    seconds = max(0, int(value.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.simple_tag
def account_url(account_id: int) -> str:
    """The account page when crm.accounts serves one (empty otherwise)."""
    try:
        return reverse("crm_accounts:account_detail", args=[account_id])
    except NoReverseMatch:
        return ""
