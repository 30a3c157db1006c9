from django.conf import settings

from tenants.models import Tenant


def tenant_url(tenant: Tenant, path: str = "/") -> str:
    """Absolute URL on a tenant's primary host (with the dev server's port locally)."""
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return f"{settings.PLATFORM_SCHEME}://{tenant.primary_host}{port}{path}"


def public_url(path: str = "/") -> str:
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return f"{settings.PLATFORM_SCHEME}://{settings.PLATFORM_DOMAIN}{port}{path}"
