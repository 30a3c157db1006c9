"""The portal layout's menu and branding (one query each, cached on the request)."""

from typing import Any

from django import template
from django.http import HttpRequest
from wagtail.models import Page, Site

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_menu(context: dict[str, Any]) -> list[Page]:
    """Live pages marked "show in menus" directly under the site's home page."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return []
    cached = getattr(request, "_portal_menu", None)
    if cached is not None:
        return cached
    site = Site.find_for_request(request)
    pages: list[Page] = []
    if site is not None:
        pages = list(site.root_page.get_children().live().in_menu())
    request._portal_menu = pages  # type: ignore[attr-defined]  # per-request memo
    return pages


@register.simple_tag(takes_context=True)
def portal_branding(context: dict[str, Any]) -> Any:
    """The site's BrandingSettings (Wagtail caches it on the request)."""
    from cms.models import BrandingSettings

    request = context.get("request")
    if request is None:
        return BrandingSettings()
    return BrandingSettings.for_request(request)
