"""Friendly error pages; JSON for every error under /api/."""

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt

API_PREFIXES = ("/api/", "/portal/api/")

# Response headers an error keeps when its body is turned into JSON.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


def _json_error(status: int, code: str, detail: str | None = None) -> JsonResponse:
    if detail is None:
        detail = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    return JsonResponse({"detail": detail, "code": code}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json_error(404, "not_found", _("Not found."))
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _json_error(500, "server_error", _("Server error."))
    return render(request, "errors/500.html", status=500)


def permission_denied(request: HttpRequest, exception: Exception | None = None
                      ) -> HttpResponse:
    if _is_api(request):
        return _json_error(403, "permission_denied",
                           _("You do not have permission to perform this action."))
    from django.views.defaults import permission_denied as django_permission_denied

    return django_permission_denied(request, exception or Exception())


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json_error(400, "bad_request", _("Bad request."))
    from django.views.defaults import bad_request as django_bad_request

    return django_bad_request(request, exception or Exception())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return _json_error(403, "csrf_failed", _("CSRF check failed: %(reason)s")
                           % {"reason": reason})
    return django_csrf_failure(request, reason=reason)


@csrf_exempt
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """The last route of every API URLconf: an unknown API path answers a JSON 404 for any
    method (without it, Wagtail's page view caught it and a POST met an HTML CSRF 403)."""
    return _json_error(404, "not_found", _("Not found."))


class ApiJsonErrorsMiddleware:
    """Every error under /api/ answers JSON, whichever layer produced it (a 405 from a
    function view, a page-style 403, a 400 from a middleware): a non-JSON error body is
    replaced, status and the headers that matter kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not _is_api(request)
            or "json" in response.get("Content-Type", "")
            or getattr(response, "streaming", False)
        ):
            return response
        codes = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied",
                 404: "not_found", 405: "method_not_allowed", 429: "throttled",
                 500: "server_error"}
        replacement = _json_error(response.status_code,
                                  codes.get(response.status_code, "error"))
        for header in KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        return replacement
