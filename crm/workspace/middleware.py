"""Per request on a workspace's host: its time zone (the user's own once users have one),
its language for users who chose none, and a fresh read of its display formats."""

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from crm.workspace.formats import forget_active_formats


def _zone_for(request: HttpRequest) -> ZoneInfo | None:
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    for name in (getattr(user, "time_zone", "") if user is not None else "",
                 getattr(tenant, "time_zone", "") if tenant is not None else ""):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return None


class WorkspaceLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or getattr(tenant, "kind", "") != "customer":
            return self.get_response(request)
        forget_active_formats()
        zone = _zone_for(request)
        if zone is not None:
            timezone.activate(zone)
        self._default_language(request, tenant.language)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            forget_active_formats()

    @staticmethod
    def _default_language(request: HttpRequest, language: str) -> None:
        """The workspace's language for a signed-in user who chose none and sent no language
        cookie (the switch and the user's own choice win)."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or getattr(user, "language", ""):
            return
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
            return
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
