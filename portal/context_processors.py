"""The member area's pages are not Wagtail pages, but they extend the site's layout
(cms/base.html), which reads ``page``: give them a stand-in under /portal/ (a view's
own ``page`` still wins)."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def portal_page(request: HttpRequest) -> dict[str, Any]:
    if not request.path.startswith("/portal/"):
        return {}
    return {"page": {"title": _("Customer portal"), "seo_title": ""}}
