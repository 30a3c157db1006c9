"""The public tenant, the template schema and the first operator: what every installation
needs before the first sign-up. Each function is idempotent."""

from django.conf import settings
from django.db import connection

from tenants.models import Domain, Tenant, TenantKind, TenantStatus
from tenants.users.models import User, UserKind


def public_tenant_ensure() -> Tenant:
    connection.set_schema_to_public()
    tenant, _ = Tenant.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        defaults={
            "slug": "public",
            "name": "Platform",
            "kind": TenantKind.PUBLIC,
            "status": TenantStatus.ACTIVE,
        },
    )
    Domain.objects.get_or_create(
        domain=settings.PLATFORM_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
    )
    return tenant


def template_ensure() -> Tenant:
    """The migrated template schema new tenants are cloned from (a row without a domain)."""
    connection.set_schema_to_public()
    template, _ = Tenant.objects.get_or_create(
        schema_name=settings.TENANT_BASE_SCHEMA,
        defaults={
            "slug": "tpl-base",
            "name": "Template",
            "kind": TenantKind.TEMPLATE,
            "status": TenantStatus.ACTIVE,
        },
    )
    template.create_schema(check_if_exists=True, verbosity=0)
    connection.set_schema_to_public()
    return template


def operator_ensure(*, email: str, password: str) -> User:
    connection.set_schema_to_public()
    user, created = User.objects.get_or_create(
        email=email.lower(), defaults={"kind": UserKind.OPERATOR, "is_staff": True}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user
