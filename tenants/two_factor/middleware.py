"""Holds back a signed-in session that has not passed the second step: on a workspace's host
/crm/, /api/ (session sign-in), /cms/, /admin/ and /files/; on the public host /operator/.
A user with a confirmed authenticator goes to the code step; a user the policy obliges to
use two-factor and who has none yet goes to the enrolment page and reaches nothing else.
Token-authenticated API calls are not affected (DRF authenticates them after this runs, so
``request.user`` is anonymous here)."""

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from tenants.two_factor.policy import two_factor_required
from tenants.two_factor.services import two_factor_enabled

TENANT_PROTECTED = ("/crm/", "/api/", "/cms/", "/admin/", "/files/")
TENANT_OPEN = ("/admin/login/", "/admin/logout/", "/cms/login/", "/cms/logout/",
               "/api/v1/auth/token/")
OPERATOR_PROTECTED = ("/operator/",)


def is_verified(user: object) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        held = self._hold(request)
        return held if held is not None else self.get_response(request)

    @staticmethod
    def _urls(request: HttpRequest) -> tuple[str, str, tuple[str, ...], tuple[str, ...]] | None:
        """(code step, enrolment page, protected prefixes, open paths) for this host."""
        # The host's URLconf (django-tenants sets request.urlconf; Django activates it only
        # after the middleware).
        urlconf = getattr(request, "urlconf", None)
        tenant = getattr(connection, "tenant", None)
        if tenant is not None and getattr(tenant, "kind", "") == "customer":
            return (reverse("two_factor_verify", urlconf=urlconf),
                    reverse("two_factor:setup", urlconf=urlconf),
                    TENANT_PROTECTED, TENANT_OPEN)
        if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
            open_paths = (reverse("operator:login", urlconf=urlconf),
                          reverse("operator:logout", urlconf=urlconf))
            return (reverse("operator:two_factor_verify", urlconf=urlconf),
                    reverse("operator:two_factor_setup", urlconf=urlconf),
                    OPERATOR_PROTECTED, open_paths)
        return None

    def _hold(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        urls = self._urls(request)
        if urls is None:
            return None
        verify_url, setup_url, protected, open_paths = urls
        path = request.path_info
        if not path.startswith(protected) or path.startswith(open_paths) \
                or path == verify_url:
            return None
        if is_verified(user):
            return None
        if two_factor_enabled(user=user):
            return self._refuse(request, verify_url, "otp_required",
                                _("Enter the code from your authenticator app first."))
        if path.startswith(setup_url):
            return None
        if two_factor_required(user=user):
            return self._refuse(request, setup_url, "otp_enrollment_required",
                                _("Turn on two-factor authentication first."))
        return None

    @staticmethod
    def _refuse(request: HttpRequest, url: str, code: str, message: str) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message, "code": code}, status=403)
        if request.method == "GET":
            url = f"{url}?next={quote(request.get_full_path(), safe='/')}"
        return HttpResponseRedirect(url)
