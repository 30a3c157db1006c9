from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tenants.users.permissions import Capability, capabilities_of


def platform(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    caps = capabilities_of(user) if user is not None else frozenset()
    return {
        "platform_domain": settings.PLATFORM_DOMAIN,
        "current_tenant": tenant if tenant is not None and tenant.kind == "customer" else None,
        "caps": {cap.value: cap in caps for cap in Capability},
    }
