"""The one reader of ``next``: every view that sends the user back where they came from goes
through ``safe_next`` (tests/isolation/test_redirects.py greps the code base for others)."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str, *, field: str = "next") -> str:
    """The ``next`` value of the POST body (or else the query string) when it points to
    this host (``url_has_allowed_host_and_scheme``: no other host, no ``//evil`` or
    ``/\\evil``, no ``javascript:``; https only on secure requests); else ``fallback``."""
    target = request.POST.get(field) or request.GET.get(field) or ""
    target = target.strip()
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
