"""What the current request tells code far from the view: the client's address, so that
every audit entry written during a request records where it came from without each service
passing it along.

``RequestContextMiddleware`` sets it for the request's duration (a contextvar, so threads and
async tasks never see each other's); outside a request (Celery, shell) it is ``None``.

``client_ip`` reads ``REMOTE_ADDR`` only. A trusted-proxy-aware ``client_ip`` is being
written in ``tenants``; when it lands this module should call that one instead.
"""

from collections.abc import Callable
from contextvars import ContextVar
from ipaddress import ip_address

from django.http import HttpRequest, HttpResponse

_client_ip: ContextVar[str | None] = ContextVar("crm_client_ip", default=None)


def client_ip(request: HttpRequest) -> str | None:
    """The peer address of the request, or ``None`` when it is missing or not an address."""
    value = (request.META.get("REMOTE_ADDR") or "").strip()
    if not value:
        return None
    try:
        return str(ip_address(value))
    except ValueError:
        return None


def current_client_ip() -> str | None:
    """The address of the request being served in this context, if any."""
    return _client_ip.get()


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
