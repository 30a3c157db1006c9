"""CORS for the inquiry API with django-cors-headers, scoped per tenant.

django-cors-headers answers preflights and adds the headers; its settings list no origin at
all (CORS_ALLOWED_ORIGINS = []), and its ``check_request_enabled`` signal asks us per
request: the origin must be listed in *this tenant's* inquiry settings (the request is
already routed to the tenant's schema), and only for the inquiry endpoint
(CORS_URLS_REGEX). Another tenant's list never applies."""

from typing import Any

from corsheaders.signals import check_request_enabled
from django.dispatch import receiver
from django.http import HttpRequest

INQUIRY_API_PATH = "/portal/api/v1/inquiries/"


@receiver(check_request_enabled, dispatch_uid="portal_inquiries_cors")
def allow_listed_origins(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
    if request.path != INQUIRY_API_PATH:
        return False
    origin = (request.headers.get("Origin") or "").rstrip("/").lower()
    if not origin or getattr(getattr(request, "tenant", None), "schema_name", "public") in (
        "public", None,
    ):
        return False
    from portal.inquiries.models import InquirySettings

    return origin in InquirySettings.load(request_or_site=request).origin_list()
