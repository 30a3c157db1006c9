"""Host routing around django-tenants: health first, friendly pages for unknown and closed
hosts, read-only enforcement, and Wagtail's redirects only where Wagtail's tables exist."""

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware
from wagtail.contrib.redirects.middleware import RedirectMiddleware

from tenants.health import health_report
from tenants.models import TenantKind, TenantStatus

Handler = Callable[[HttpRequest], HttpResponse]

# A suspended workspace's admins may still sign in and reach billing to subscribe again
# (billing never lifts a suspension an operator made; it only restores its own).
# Suspended data stays exportable. An archived workspace refuses everything, sign-in included.
SUSPENDED_REACHABLE_PREFIXES = (
    "/accounts/", "/crm/settings/billing/", "/crm/settings/export/", "/static/", "/i18n/",
)

# Paths a read-only tenant's staff may still POST to: signing in and out, the language
# switch, billing (to pay and leave read-only), and the portal, whose customers' inquiries
# and service requests are never refused for billing reasons.
READ_ONLY_WRITABLE_PREFIXES = (
    "/accounts/",
    "/i18n/",
    "/crm/settings/billing/",
    "/crm/settings/export/",
    "/portal/",
    "/api/v1/auth/",
)


class HealthCheckMiddleware:
    """Answers /healthz on every host, known or not, before any tenant lookup."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.rstrip("/") == "/healthz":
            connection.set_schema_to_public()
            healthy, report = health_report()
            return JsonResponse(
                {"status": "ok" if healthy else "degraded", **report},
                status=200 if healthy else 503,
            )
        return self.get_response(request)


# C0 and C1 control characters and DEL, except tab, line feed and carriage return, which
# are text (multi-line fields hold them).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _strings_of(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a parsed JSON body (keys included), with where it sits."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}" if path else str(key), str(key)
            yield from _strings_of(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings_of(item, f"{path}[{index}]")


class RejectNullBytesMiddleware:
    """Text never holds control characters: a query value, form field or JSON string with
    one (NUL, or any other C0/C1 control but tab and newlines) is bad input and answers 400
    here, once for every form and API field. PostgreSQL cannot even store NUL (it surfaced
    as a database error deep inside a search), and the others are invisible junk a fuzzer
    or a bad copy-paste put into names ("\\u001cM")."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def _offending(self, request: HttpRequest) -> tuple[str, str] | None:
        values: list[tuple[str, str]] = [
            (key, value) for key, values in request.GET.lists() for value in values
        ]
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if request.content_type in ("application/x-www-form-urlencoded",
                                        "multipart/form-data"):
                values += [(key, value) for key, items in request.POST.lists()
                           for value in items]
            elif request.content_type == "application/json" and request.body:
                try:
                    body = json.loads(request.body)
                except ValueError:
                    body = None  # the view answers its own 400 for a body that is not JSON
                values += list(_strings_of(body, ""))
        for field, value in values:
            if not isinstance(value, str):
                continue
            if "\x00" in value:
                return field, "null_character"
            if _CONTROL_CHARACTERS.search(value):
                return field, "control_character"
        return None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offending = self._offending(request)
        if offending is None:
            return self.get_response(request)
        field, code = offending
        if code == "null_character":
            message = _("The request contains a null character, which is not allowed.")
        else:
            message = _("“%(field)s” contains a control character, which is not allowed in "
                        "text.") % {"field": field}
        if request.path_info.startswith(("/api/", "/portal/api/")):
            return JsonResponse({"detail": message, "code": code, "field": field},
                                status=400)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


class TenantRoutingMiddleware(TenantMainMiddleware):
    """django-tenants' routing with a friendly 404 for hosts that match no workspace, and
    without the template and warm spare schemas (which have no domain anyway)."""

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        connection.set_schema_to_public()
        # LocaleMiddleware has not run yet: never render in the thread's previous language.
        translation.activate(translation.get_language_from_request(request))
        response = render(
            request, "tenants/unknown_host.html", {"hostname": hostname}, status=404
        )
        return response

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        response = super().process_request(request)
        if response is not None:
            return response
        tenant = request.tenant
        if tenant.kind not in (TenantKind.CUSTOMER, TenantKind.PUBLIC):
            return self.no_tenant_found(request, self.hostname_from_request(request))
        return None


class TenantStatusMiddleware:
    """Closed tenants get a clear page; read-only tenants refuse staff writes."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.kind != TenantKind.CUSTOMER:
            return self.get_response(request)
        if tenant.is_closed and not (
            tenant.status == TenantStatus.SUSPENDED
            and request.path_info.startswith(SUSPENDED_REACHABLE_PREFIXES)
        ):
            return render(request, "tenants/suspended.html", {"tenant": tenant}, status=403)
        if tenant.status == "provisioning":
            return render(request, "tenants/provisioning.html", {"tenant": tenant}, status=503)
        if (
            tenant.is_read_only
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and not request.path_info.startswith(READ_ONLY_WRITABLE_PREFIXES)
        ):
            message = _(
                "This workspace is read-only because its subscription is unpaid. "
                "You can read and export data; an administrator can restore access under "
                "Settings > Billing."
            )
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "tenant_read_only"}, status=403)
            return render(request, "tenants/read_only.html", {"message": message}, status=403)
        return self.get_response(request)


class TenantOnlyRedirectMiddleware(RedirectMiddleware):
    """Wagtail's RedirectMiddleware turns every 404 on the public host into a 500
    (wagtailcore_site does not exist in the public schema): only run it in tenant schemas."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.kind != TenantKind.CUSTOMER:
            return response
        return super().process_response(request, response)
