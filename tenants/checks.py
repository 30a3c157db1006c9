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


def shared_only_app_labels() -> set[str]:
    """Labels of apps that live in the public schema only (SHARED_APPS, not TENANT_APPS)."""
    labels = set()
    for config in apps.get_app_configs():
        if _listed(settings.SHARED_APPS, config) and not _listed(settings.TENANT_APPS, config):
            labels.add(config.label)
    return labels


def _admin_sites_on_tenant_hosts() -> list[Any]:
    """Every Django admin site whose index is reachable in the tenant URLconf."""
    from django.contrib.admin.sites import all_sites
    from django.urls import NoReverseMatch, reverse

    served = []
    for site in list(all_sites):
        try:
            reverse(f"{site.name}:index", urlconf=settings.ROOT_URLCONF)
        except NoReverseMatch:
            continue
        served.append(site)
    return served


def _wagtail_admin_models() -> list[tuple[str, type]]:
    """Models Wagtail's admin (served at /cms/ on tenant hosts) exposes: snippets and
    registered admin viewsets."""
    from wagtail import hooks
    from wagtail.snippets.models import get_snippet_models

    found = [("Wagtail snippet", model) for model in get_snippet_models()]
    for hook in hooks.get_hooks("register_admin_viewset"):
        registered = hook()
        viewsets = registered if isinstance(registered, list | tuple) else [registered]
        for viewset in viewsets:
            for candidate in [viewset, *getattr(viewset, "viewsets", [])]:
                model = getattr(candidate, "model", None)
                if isinstance(model, str):
                    model = apps.get_model(model)
                if model is not None:
                    found.append(("Wagtail admin viewset", model))
    return found


@register()
def check_admin_scopes(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """No model of a SHARED-only app on an admin served on tenant hosts: through the
    tenant's search_path it would show every tenant's rows (the billing admin leak)."""
    shared_only = shared_only_app_labels()
    errors: list[Error] = []
    for site in _admin_sites_on_tenant_hosts():
        for model in site._registry:
            if model._meta.app_label in shared_only:
                errors.append(Error(
                    f"{model._meta.label} (public schema) is registered on the admin site "
                    f"'{site.name}', which tenant hosts serve; register it on "
                    "tenants.admin_sites.operator_admin_site instead.",
                    id="tenants.E003",
                ))
    for where, model in _wagtail_admin_models():
        if model._meta.app_label in shared_only:
            errors.append(Error(
                f"{model._meta.label} (public schema) is exposed as a {where} in Wagtail's "
                "admin, which tenant hosts serve.",
                id="tenants.E004",
            ))
    return errors
