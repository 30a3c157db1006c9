"""What the current request tells code far from the view: the client's address, so that
every audit entry written during a request records where it came from without each service
passing it along.

``RequestContextMiddleware`` sets it for the request's duration (a contextvar, so threads and
async tasks never see each other's); outside a request (Celery, shell) it is ``None``.

The address comes from ``tenants.security.client_ip`` (the one trusted-proxy-aware rule the
sign-in throttle uses too).
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from tenants.security.client_ip import client_ip as _shared_client_ip

_client_ip: ContextVar[str | None] = ContextVar("crm_client_ip", default=None)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (trusted proxies applied), or ``None`` when unknown."""
    return _shared_client_ip(request) or None


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
