"""Rate limit per API token: ``API_TOKEN_RATE_LIMIT`` requests per token, answered past it
with 429 ``{"detail", "code": "throttled"}`` and ``Retry-After`` (DRF's throttling; the JSON
shape comes from crm.core.api.exceptions). Session calls (the CRM's own pages) are not
counted here. The cache key names the schema and the token's id, so two tenants' tokens
with the same id never share a counter."""

from typing import Any

from django.conf import settings
from django.db import connection
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from crm.api_tokens.models import ApiToken


class ApiTokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self) -> str | None:
        return getattr(settings, "API_TOKEN_RATE_LIMIT", None)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None
        schema = getattr(connection, "schema_name", "public")
        return f"throttle_api_token_{schema}_{token.pk}"
