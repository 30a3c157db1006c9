"""System check: local apps sit in the schema they declare (see tenants.scopes)."""

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, register

from tenants.scopes import Scope, ScopedAppConfig

LOCAL_PACKAGES = ("tenants", "crm", "portal", "billing", "cms")


def _listed(entries: Iterable[str], config: ScopedAppConfig) -> bool:
    dotted = f"{config.__module__}.{type(config).__name__}"
    return config.name in entries or dotted in entries


@register()
def check_app_scopes(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    for config in apps.get_app_configs():
        if config.name.split(".")[0] not in LOCAL_PACKAGES:
            continue
        scope = getattr(config, "tenancy_scope", None)
        if scope is None:
            errors.append(
                Error(f"{config.name} does not declare tenancy_scope.", id="tenants.E001")
            )
            continue
        in_shared = _listed(settings.SHARED_APPS, config)
        in_tenant = _listed(settings.TENANT_APPS, config)
        expected = {
            Scope.PUBLIC: (True, False),
            Scope.TENANT: (False, True),
            Scope.BOTH: (True, True),
        }[scope]
        if (in_shared, in_tenant) != expected:
            errors.append(
                Error(
                    f"{config.name} declares scope '{scope}' but is "
                    f"{'in' if in_shared else 'not in'} SHARED_APPS and "
                    f"{'in' if in_tenant else 'not in'} TENANT_APPS.",
                    id="tenants.E002",
                )
            )
    return errors
